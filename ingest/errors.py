"""Errors of the pipeline stages."""

from __future__ import annotations


class InvalidUpload(Exception):
    """The file cannot be accepted; the message says why, in Vietnamese, for the person who sent it."""


class ExtractionFailed(Exception):
    """Text could not be extracted from a stored original (e.g. the OCR engine is missing).

    Raised as itself, the failure may pass (the engine installed, the machine less busy): the
    job is tried again.
    """


class UnreadablePage(InvalidUpload, ExtractionFailed):
    """A page the OCR engine refuses however often it is asked (trang không đọc được).

    The fault is the file's, as with an InvalidUpload, so the extract job fails at once with
    this message instead of trying twice more and showing the engine's own words.
    """


class TooLarge(InvalidUpload):
    """A file or request over its size limit (HTTP 413 once archive.error_table has its row)."""
