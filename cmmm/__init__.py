"""cmmm: crypto-agility assessment and fire-drill simulator for certificate inventories."""

from __future__ import annotations

import contextlib
import os

import pyarrow as pa

if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
    # Normalizing a spreadsheet makes a hundred short-lived column arrays. Arrow's default mimalloc pool
    # faults fresh pages for them on a process's first large ingest (250,000 rows: 2.1 s, 0.9 s once
    # warm); jemalloc reuses them (1.2 s cold) and peaks lower at 1,000,000 certificates (3.3 against
    # 3.6 GiB; glibc's allocator was fast but peaked at 5.9 GiB). Builds without jemalloc keep their
    # default; ARROW_DEFAULT_MEMORY_POOL still chooses.
    with contextlib.suppress(NotImplementedError):
        pa.set_memory_pool(pa.jemalloc_memory_pool())

from cmmm._version import VERSION
from cmmm.errors import CmmmError, InputError
from cmmm.ingest import load
from cmmm.maturity import assess
from cmmm.model import Inventory

__all__ = ["CmmmError", "InputError", "Inventory", "assess", "load"]
__version__ = VERSION
