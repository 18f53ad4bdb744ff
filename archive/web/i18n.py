"""Messages (thông điệp) of the web interface: Vietnamese first, English second, one catalog.

One dict per language. A key missing in English falls back to Vietnamese; a key missing
everywhere shows itself, so a gap is visible and never breaks a page. Formats follow
Vietnamese usage in both languages where the paper forms do: dates dd/mm/yyyy; numbers group
thousands with "." and use "," for decimals in Vietnamese ("1.234", "4,32").
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from archive.web.messages_en import MESSAGES as EN
from archive.web.messages_vi import MESSAGES as VI

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

CATALOG: dict[str, dict[str, str]] = {"vi": VI, "en": EN}


def pick_language(*candidates: str | None) -> str:
    """The first supported language among (query, cookie, …); Vietnamese otherwise."""
    for c in candidates:
        if c in LANGUAGES:
            return c  # type: ignore[return-value]
    return DEFAULT_LANGUAGE


class Translator:
    """`t("key", **values)` plus the number and date formats of one language and time zone."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE, tz: str = "Asia/Ho_Chi_Minh") -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self.tz = ZoneInfo(tz)
        self._messages = CATALOG[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        text = self._messages.get(key) or VI.get(key) or key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._messages or key in VI

    def label(self, prefix: str, code: str | None) -> str:
        """A code's label (`status.nghi_huu` → "Nghỉ hưu"), or the code itself when unknown."""
        if not code:
            return self("common.none")
        key = f"{prefix}.{code}"
        return self(key) if self.has(key) else code

    def number(self, value: int | float | None, places: int = 0) -> str:
        if value is None:
            return self("common.none")
        text = f"{value:,.{places}f}"
        if self.lang == "vi":  # 1,234.5 → 1.234,5
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text

    def decimal(self, value: float | None) -> str:
        """Up to two decimals, trailing zeros dropped: 4.3 → "4,3" (hệ số lương)."""
        if value is None:
            return self("common.none")
        text = self.number(value, 2)
        sep = "," if self.lang == "vi" else "."
        return text.rstrip("0").rstrip(sep) if sep in text else text

    def date(self, value: date | datetime | str | None) -> str:
        if not value:
            return self("common.none")
        if isinstance(value, str):
            value = datetime.fromisoformat(value.rstrip("Z")) if "T" in value else date.fromisoformat(value)
        if isinstance(value, datetime):
            value = self.local(value)
        return value.strftime("%d/%m/%Y")

    def datetime(self, value: datetime | str | None, *, seconds: bool = True) -> str:
        if not value:
            return self("common.none")
        if isinstance(value, str):
            value = datetime.fromisoformat(value.rstrip("Z"))
        return self.local(value).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")

    def local(self, value: datetime) -> datetime:
        """Stored datetimes are naive UTC; show them in the configured zone."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(self.tz)
