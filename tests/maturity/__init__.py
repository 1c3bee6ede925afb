"""Tests of cmmm.maturity."""
