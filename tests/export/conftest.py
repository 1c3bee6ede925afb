"""The organization of tests/store (every part an Inventory carries), for the export round trips."""

from tests.store.conftest import bundle, inventory

__all__ = ["bundle", "inventory"]
