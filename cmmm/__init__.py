"""cmmm: crypto-agility assessment and fire-drill simulator for certificate inventories."""

from __future__ import annotations

from cmmm.errors import CmmmError, InputError
from cmmm.ingest import load
from cmmm.maturity import assess
from cmmm.model import Inventory

__all__ = ["CmmmError", "InputError", "Inventory", "assess", "load"]
__version__ = "0.1.0"
