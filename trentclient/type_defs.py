"""TypedDicts for every KMS request and response, for annotating your own code.

>>> from trentclient.type_defs import CreateKeyResponse, Tag
>>> tags: list[Tag] = [{"TagKey": "team", "TagValue": "crypto"}]

Generated from botocore's KMS model (``trentclient/_generated/type_defs.py``): see that
module's docstring for the naming scheme (``<Shape>``, ``<Shape>Input``, ``<Operation>Response``).
Enum-valued members are typed ``str``; their known values are in :mod:`trentclient.enums`.
"""

from trentclient._generated.type_defs import *  # noqa: F403
from trentclient._generated.type_defs import __all__ as __all__
