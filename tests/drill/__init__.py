"""Tests of cmmm.drill."""
