"""Tests of cmmm.lab."""
