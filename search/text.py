"""Unicode normalisation with no engine behind it: what ingest and the services need at import.

Kept apart from search.vietnamese (which builds tantivy analyzers) so that importing it never
loads tantivy or an Elasticsearch client: an OCR worker normalises text without either.
"""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """Normalise to NFC (dựng sẵn), the only form we store (TCVN 6909:2001 text is NFC)."""
    return unicodedata.normalize("NFC", text)
