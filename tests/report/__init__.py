"""Tests of cmmm.report."""
