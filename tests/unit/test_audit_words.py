"""Audit entries in words: every action the code writes has its own Vietnamese sentence (found by reading
the sources for the actions `audit.append(` is given), and an unknown action still reads as words, not JSON."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive.services.audit_words import SENTENCES, Names, describe

ROOT = Path(__file__).resolve().parents[2] / "archive"
# action="x" in audit.append(…) calls, X_ACTION = "x" constants (and tuples of them), and the
# staff-history actions passed through a helper
_PATTERNS = (re.compile(r'action="([a-z_]+(?:\.[a-z_]+)*)"'),
             re.compile(r'"(staff\.history\.[a-z_]+)"'))
_CONSTANT = re.compile(r"^[A-Z_]*_ACTION(?:, [A-Z_]*_ACTION)* = (.+)$", re.M)


def written_actions() -> set[str]:
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "audit.append(" not in text and "_ACTION" not in text:
            continue
        for pattern in _PATTERNS:
            found |= set(pattern.findall(text))
        for rhs in _CONSTANT.findall(text):
            found |= set(re.findall(r'"([a-z_]+(?:\.[a-z_]+)+)"', rhs))
    return found


def test_the_sources_write_the_actions_we_expect_to_find() -> None:
    actions = written_actions()
    assert {"staff.view", "document.download", "login.failure", "backup.run", "dossier.import",
            "staff.history.add", "campaign.open", "audit.export"} <= actions


@pytest.mark.parametrize("action", sorted(written_actions()))
def test_every_written_action_has_its_own_sentence(action: str) -> None:
    assert action in SENTENCES, f"{action}: add its sentence to archive/services/audit_words.py"
    sentence = describe({"actor": "nv.a", "action": action, "target_type": "staff", "target_id": "NV001",
                         "details": {}})
    assert sentence.startswith("nv.a ") and sentence.endswith(".") and "{" not in sentence


def test_sentences_name_the_person_the_record_and_the_file() -> None:
    names = Names(users={"nv.a": "Nguyễn Văn An"}, documents={"12": "scan.pdf"})
    assert describe({"actor": "nv.a", "action": "staff.view", "target_type": "staff", "target_id": "NV001",
                     "details": {}}, names) == "Nguyễn Văn An (nv.a) đã xem hồ sơ NV001."
    assert describe({"actor": "nv.a", "action": "document.download", "target_type": "document", "target_id": "12",
                     "details": {"staff": "NV001", "sha256": "ab" * 32}}, names) == \
        "Nguyễn Văn An (nv.a) đã tải xuống tài liệu 12 (scan.pdf) của hồ sơ NV001."
    assert describe({"actor": "cli:root", "action": "staff.create", "target_type": "staff", "target_id": "NV002",
                     "details": {"unit": "A"}}) == \
        "Người vận hành (root, dòng lệnh) đã tạo hồ sơ NV002 tại đơn vị A."


def test_an_unknown_action_reads_as_words_never_json() -> None:
    sentence = describe({"actor": "nv.a", "action": "robot.teleport", "target_type": "unit", "target_id": "A",
                         "details": {"x": {"y": [1, 2]}}})
    assert sentence == "nv.a đã thực hiện thao tác «robot teleport» trên đơn vị A."
    assert "{" not in describe({"actor": "nv.a", "action": "campaign.open", "target_type": "campaign",
                                "target_id": "1", "details": {"sample": "not a list"}})
