"""Tests of cmmm.scan."""
