"""cmmm: crypto-agility assessment and fire-drill simulator for certificate inventories.

Importing the package has no side effects and is cheap: `load`, `assess`, `Inventory` and
`configure_arrow` are resolved on first use (PEP 562), so `cmmm --help` and `cmmm --version` never load
pandas, pyarrow or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cmmm._version import VERSION
from cmmm.errors import CmmmError, InputError

if TYPE_CHECKING:
    from cmmm.ingest import configure_arrow, load
    from cmmm.maturity import assess
    from cmmm.model import Inventory

# The version is written once, in cmmm/_version.py (pyproject.toml reads it: `dynamic = ["version"]`).
__version__ = VERSION

__all__ = ["CmmmError", "InputError", "Inventory", "__version__", "assess", "configure_arrow", "load"]

# Public name → the module that defines it, imported when the name is first asked for.
_LAZY = {
    "Inventory": "cmmm.model",
    "assess": "cmmm.maturity",
    "configure_arrow": "cmmm.ingest",
    "load": "cmmm.ingest",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
