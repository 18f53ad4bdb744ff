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
