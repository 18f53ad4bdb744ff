"""Errors of the pipeline stages."""

from __future__ import annotations


class InvalidUpload(Exception):
    """The file cannot be accepted; the message says why, in Vietnamese, for the person who sent it."""


class ExtractionFailed(Exception):
    """Text could not be extracted from a stored original (e.g. the OCR engine is missing)."""
