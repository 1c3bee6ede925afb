"""Tests of cmmm.graph."""
