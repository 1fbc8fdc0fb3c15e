"""sclerostem: open-source platform for stem-cell therapy in scleroderma.

The package is a pure core (``scores``, ``rules``, ``stats``, ``evidence``,
``cells``: no I/O, no database, no web) surrounded by adapters (``registry``,
``io``, ``reports``, ``web``, ``cli``) that depend on the core, never the
reverse.
"""

from sclerostem._version import __version__
from sclerostem.errors import (
    ConsistencyError,
    InputError,
    SclerostemError,
    UnknownFieldError,
)
from sclerostem.result import Caveat, Evidence, Result

__all__ = [
    "Caveat",
    "ConsistencyError",
    "Evidence",
    "InputError",
    "Result",
    "SclerostemError",
    "UnknownFieldError",
    "__version__",
]
