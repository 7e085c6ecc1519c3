"""The known values of every KMS enum, as ``Final`` string constants.

>>> from trentclient.enums import KeySpec
>>> KeySpec.RSA_2048
'RSA_2048'
>>> "ML_DSA_65" in KeySpec.VALUES
True

Generated from botocore's KMS model (``trentclient/_generated/enums.py``). KMS adds values
over time, so the TypedDicts type these fields as ``str``; these constants are for
autocompletion and checks like ``KeySpec.VALUES``.
"""

from trentclient._generated.enums import *  # noqa: F403
from trentclient._generated.enums import __all__ as __all__
