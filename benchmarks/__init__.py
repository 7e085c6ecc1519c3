"""Benchmarks: trentclient vs boto3, aiobotocore, raw httpx and raw aiohttp.

Run ``python -m benchmarks`` (or ``--smoke``); see ``benchmarks/run.py`` and ``RESULTS.md``.
"""
