"""Tests of cmmm.ingest."""
