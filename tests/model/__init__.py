"""Tests of cmmm.model."""
