"""The retention schedule's seed and arithmetic: every document type kept vĩnh viễn with its
source, years counted across 29 February, and what counts as shortening."""

import unicodedata
from datetime import date

from archive.catalog_seed import SEED
from archive.services.retention import RuleView, _is_lengthening, _plus_years
from archive.services.retention_seed import seed_rules


def test_every_seeded_document_type_is_kept_permanently_with_its_source():
    rules = {r.document_type: r for r in seed_rules()}
    assert set(rules) == {item.code for item in SEED["loai_tai_lieu"]}
    assert all(r.permanent and r.years is None for r in rules.values())
    assert all(r.source and unicodedata.is_normalized("NFC", r.source) for r in rules.values())
    assert rules["so_yeu_ly_lich"].legal_min_permanent and "Điều 12" in rules["so_yeu_ly_lich"].source
    assert not rules["khac"].legal_min_permanent  # the catch-all type may be given a term by a decision


def test_years_are_added_to_a_date_even_from_29_february():
    assert _plus_years(date(2020, 2, 29), 1) == date(2021, 2, 28)
    assert _plus_years(date(2010, 1, 1), 10) == date(2020, 1, 1)


def _rule(permanent: bool, years: int | None, counted_from: str = "document_date") -> RuleView:
    return RuleView("khac", permanent, years, counted_from, False, None, "", "", "", "", None)


def test_only_more_years_from_the_same_event_or_permanent_counts_as_lengthening():
    assert _is_lengthening(_rule(False, 5), True, None, "document_date")
    assert _is_lengthening(_rule(False, 5), False, 10, "document_date")
    assert not _is_lengthening(_rule(True, None), False, 70, "document_date")
    assert not _is_lengthening(_rule(False, 10), False, 5, "document_date")
    assert not _is_lengthening(_rule(False, 10, "retirement"), False, 10, "document_date")
