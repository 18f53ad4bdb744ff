"""Domain errors raised by services; mapped to HTTP codes in archive.api.errors and to CLI exits in archive.cli."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base of the errors a user can cause; the message is shown to them (Vietnamese)."""


class NotFound(ArchiveError):
    pass


class Conflict(ArchiveError):
    pass


class InvalidInput(ArchiveError):
    pass


class Forbidden(ArchiveError):
    """The caller may see the record but not do this to it (HTTP 403)."""


class Unauthenticated(ArchiveError):
    """No valid credentials (HTTP 401)."""


def shown(value: object, limit: int = 40) -> str:
    """A value a person typed, safe to echo in a message: one line, controls as '?', cut short."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return text if len(text) <= limit else text[:limit] + "…"
