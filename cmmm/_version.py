"""The version of cmmm, in one place (pyproject reads it; the package root re-exports it)."""

VERSION = "0.1.0"
