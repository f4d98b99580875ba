"""The one exception hierarchy of kommunkvalitet.

Every error a user can cause derives from :class:`KommunkvalitetError`; the CLI prints its message
without a traceback. Messages name the file, line and field where there is one.
"""

from __future__ import annotations


class KommunkvalitetError(Exception):
    """Base of every error kommunkvalitet raises on purpose."""


class ConfigurationError(KommunkvalitetError):
    """A setting is missing or invalid."""


class InputError(KommunkvalitetError):
    """Bad input data: names the file, the line and the field when known."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, field: str | None = None):
        self.file = file
        self.line = line
        self.field = field
        self.reason = message
        where = []
        if file is not None:
            where.append(str(file))
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class SourceError(KommunkvalitetError):
    """An external source (the Kolada API) failed or answered something unusable."""


class NotFoundError(SourceError):
    """The source says an id (KPI, municipality) does not exist."""
