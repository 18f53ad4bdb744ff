"""Reading what people type into the forms: dd/mm/yyyy dates in local time, years, page numbers.

Parsing errors become InvalidInput with a Vietnamese (or English) message, shown next to
the form rather than as an error page.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from archive.errors import InvalidInput
from archive.web.i18n import Translator


def parse_date(t: Translator, value: str | None) -> date | None:
    """dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, or ISO yyyy-mm-dd)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if len(value) == 10 and value[4] == "-":
            return date.fromisoformat(value)
        day, month, year = (int(p) for p in value.replace("-", "/").replace(".", "/").split("/"))
        if year < 1000:
            raise ValueError
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(t("common.bad_date", value=value)) from None


def local_day_start_utc(t: Translator, day: date) -> datetime:
    """Midnight of a local calendar day as naive UTC (how the database stores times)."""
    return datetime.combine(day, time.min, tzinfo=t.tz).astimezone(timezone.utc).replace(tzinfo=None)


def local_day_end_utc(t: Translator, day: date) -> datetime:
    """The end of a local day (exclusive): midnight of the next day, as naive UTC."""
    return local_day_start_utc(t, day + timedelta(days=1))


def expiry_utc(t: Translator, day: date | None) -> datetime | None:
    """An account "expires on" a day: it works through 23:59:59 of that local day."""
    return local_day_end_utc(t, day) - timedelta(seconds=1) if day else None


def parse_int(t: Translator, value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(t("common.bad_number", value=value)) from None


def page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 10_000))
    except ValueError:
        return 1
