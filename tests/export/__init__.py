"""Tests of cmmm.export."""
