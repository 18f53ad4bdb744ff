"""The declaration's states and steps (TP.HCM QĐ 51/2024 Đ7.2) as pure rules."""

from __future__ import annotations

import pytest

from archive.errors import Conflict
from archive.services.declaration_rules import (
    DEFAULT_DECLARABLE,
    STATES,
    STEPS,
    annual_rule,
    declarable_fields,
    next_state,
    route_of,
)


def test_the_happy_path_runs_draft_declared_verified_approved_applied() -> None:
    state = "draft"
    for step, expected in (("declare", "declared"), ("verify", "verified"), ("approve", "approved"),
                           ("apply", "applied")):
        state = next_state(state, step)
        assert state == expected


@pytest.mark.parametrize("state", ["declared", "verified"])
def test_verify_and_approve_may_send_back_and_the_person_edits_again(state) -> None:
    assert next_state(state, "send_back") == "sent_back"
    assert next_state("sent_back", "edit") == "draft"
    assert next_state("sent_back", "declare") == "declared"


@pytest.mark.parametrize("state,step", [("draft", "verify"), ("declared", "approve"), ("verified", "declare"),
                                        ("applied", "send_back"), ("approved", "send_back"), ("draft", "apply"),
                                        ("declared", "edit"), ("applied", "declare")])
def test_a_step_out_of_order_is_a_conflict_in_vietnamese(state, step) -> None:
    with pytest.raises(Conflict, match="không thể"):
        next_state(state, step)


def test_every_step_leads_to_a_known_state() -> None:
    assert all(to in STATES and starts <= set(STATES) for starts, to in STEPS.values())


def test_ban_thuong_vu_cadres_route_to_so_noi_vu_others_to_the_unit() -> None:
    assert route_of("btv_thanh_uy") == "so_noi_vu"
    assert route_of("") == route_of("don_vi") == "unit"


def test_profiles_name_declarable_fields_and_the_annual_date() -> None:
    assert declarable_fields("neutral") == DEFAULT_DECLARABLE
    assert "hometown" in declarable_fields("tp-hcm") and "salary_step" not in declarable_fields("tp-hcm")
    assert annual_rule("tp-hcm") is None
    for code in ("ha-noi", "binh-tan", "da-nang"):
        rule = annual_rule(code)
        assert rule is not None and rule.days > 0 and rule.article.startswith("Điều")
