"""The ``trentclient`` command (also ``python -m trentclient``).

One subcommand per KMS operation (``trentclient enable-key-rotation --key-id K``), plus
``demo``; the grammar is described in ``trentclient/_cli/__init__.py``. Exit codes follow
AWS CLI v2: 0 success, 252 bad command line or parameters, 253 no region, no credentials or
a bad configuration, 254 an error answer from the service, 255 anything else (130 when
interrupted).
"""

from __future__ import annotations

import sys

from ._cli import EXIT_CONFIG, EXIT_OK, EXIT_OTHER, EXIT_SERVICE, EXIT_USAGE, main

__all__ = ["EXIT_CONFIG", "EXIT_OK", "EXIT_OTHER", "EXIT_SERVICE", "EXIT_USAGE", "main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
