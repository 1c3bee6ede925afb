"""The package's one root exception and the input error that names file, line and reason."""

from __future__ import annotations


class CmmmError(Exception):
    """Root of every error cmmm raises on purpose; the CLI turns it into one stderr line and exit 2."""


class InputError(CmmmError):
    """A file, scenario or option that cannot be used at all."""

    def __init__(self, source: str, reason: str, line: int | str | None = None) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        where = f"{source}:{line}" if line not in (None, "") else source
        super().__init__(f"{where}: {reason}")


class UsageError(CmmmError):
    """Options that do not fit together."""
