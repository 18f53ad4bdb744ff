"""Staff records re-indexed on every change of the record or its scope, durably (archive.services.record_index).

Each trigger — create, edit, status change, transfer, delegation (made and revoked), a history
entry, a renamed ngạch, a bulk UPDATE — leaves a waiting row in `staff_index_queue` in the
change's own transaction; the index consumer writes the record and marks the rows done. A
rolled-back change leaves nothing; a lost wake-up leaves the rows waiting for the sweeper.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from archive.domain import INDEX_KIND
from archive.models import Staff
from archive.models.search_state import StaffIndexQueue
from archive.services.access import SYSTEM, Actor, Grant, Role
from archive.services.catalogs import upsert_entry
from archive.services.search import SearchParams, search_people
from archive.services.staff import add_staff, update_staff
from archive.services.staff_lifecycle import change_status, transfer
from archive.services.units import add_unit, delegate, revoke_delegation
from archive.work.kinds.index import IndexKind, index_pending_records


def _waiting(c) -> set[str]:  # noqa: ANN001
    with c.uow() as uow:
        return set(uow.session.scalars(select(Staff.code).join(StaffIndexQueue, StaffIndexQueue.staff_id == Staff.id)
                                       .where(StaffIndexQueue.indexed_at.is_(None))))


def _index(c) -> None:  # noqa: ANN001 — what the woken consumer does
    c.registry.drain(INDEX_KIND).drain(c)


def _codes(c, actor: Actor, q: str = "", **kw) -> list[str]:  # noqa: ANN001, ANN003
    return [h.staff_code for h in search_people(c, actor, SearchParams(q=q, **kw), audited=False).result.hits]


def _hr(unit: str) -> Actor:
    return Actor(name=f"hr-{unit}", grants=(Grant(Role.HR_OFFICER, unit),), clearance=0, user_id=None)


@pytest.fixture
def world(container):
    for code, name, parent in (("QA", "UBND quận A", "TINH"), ("PA", "UBND phường A1", "QA"),
                               ("QB", "UBND quận B", "TINH")):
        add_unit(container, SYSTEM, code=code, name=name, parent_code=parent)
    add_staff(container, SYSTEM, code="NV1", full_name="Trần Văn Đức", unit_code="PA", status="nghi_huu",
              birth_date=date(1950, 2, 3), grade_code="01.003",
              history=[{"kind": "khen_thuong", "summary": "Bằng khen theo Quyết định 77/QĐ-UBND"}])
    _index(container)
    return container


def test_a_new_record_waits_for_the_index_and_is_then_found_by_itself(container):
    add_unit(container, SYSTEM, code="QA", name="UBND quận A", parent_code="TINH")
    add_staff(container, SYSTEM, code="NV9", full_name="Võ Thị Hồng", unit_code="QA", status="tu_tran")
    assert _waiting(container) == {"NV9"}
    with container.uow() as uow:  # what the sweeper asks: the consumer is woken while rows wait
        assert IndexKind().has_pending(uow.session)
    assert _codes(container, SYSTEM, "vo thi hong") == []  # not yet indexed
    _index(container)
    assert _waiting(container) == set()
    assert _codes(container, SYSTEM, "vo thi hong") == ["NV9"]
    assert _codes(container, SYSTEM, "", statuses=("tu_tran",)) == ["NV9"]


def test_an_edit_reindexes_the_record(world):
    update_staff(world, SYSTEM, "NV1", {"full_name": "Trần Văn Đạt", "profile": {"hometown": "xã Yên Lạc"}})
    assert _waiting(world) == {"NV1"}
    world.queue.drain()  # update_staff wakes the index consumer itself
    assert _codes(world, SYSTEM, "tran van dat yen lac") == ["NV1"] and _codes(world, SYSTEM, "tran van duc") == []


def test_a_status_change_reindexes_the_record(world):
    change_status(world, SYSTEM, "NV1", status="tu_tran", effective_date=date(2024, 3, 1), decision_ref="12/QĐ-SNV")
    assert _waiting(world) == {"NV1"}
    world.queue.drain()
    assert _codes(world, SYSTEM, "", statuses=("tu_tran",)) == ["NV1"]
    assert _codes(world, SYSTEM, '"12/QĐ-SNV"') == ["NV1"]  # the decision number is searchable
    [hit] = search_people(world, SYSTEM, SearchParams(q="nv1"), audited=False).result.hits
    assert hit.status_date == "2024-03-01"


def test_a_transfer_moves_the_record_to_its_new_scope(world):
    assert _codes(world, _hr("QA"), "tran van duc") == ["NV1"] and _codes(world, _hr("QB"), "tran van duc") == []
    transfer(world, SYSTEM, "NV1", to_unit_code="QB", decision_ref="215/QĐ-UBND")
    assert _waiting(world) == {"NV1"}
    world.queue.drain()
    assert _codes(world, _hr("QA"), "tran van duc") == [] and _codes(world, _hr("QB"), "tran van duc") == ["NV1"]
    assert _codes(world, _hr("QB"), '"215/QĐ-UBND"') == ["NV1"]


def test_a_delegation_made_and_revoked_rescopes_the_subtree(world):
    add_staff(world, SYSTEM, code="NV2", full_name="Lê Thị Ba", unit_code="QB")
    _index(world)
    delegate(world, SYSTEM, unit_code="QA", to_code="QB")
    assert _waiting(world) == {"NV1"}  # QA's subtree: PA's record; QB's own records are unchanged
    world.queue.drain()
    assert _codes(world, _hr("QB"), "tran van duc") == ["NV1"]
    revoke_delegation(world, SYSTEM, unit_code="QA", to_code="QB")
    assert _waiting(world) == {"NV1"}
    world.queue.drain()
    assert _codes(world, _hr("QB"), "tran van duc") == []


def test_history_entries_and_ngach_names_are_searchable_and_a_renamed_ngach_reindexes(world):
    assert _codes(world, SYSTEM, '"77/QĐ-UBND"') == ["NV1"]
    assert _codes(world, SYSTEM, "tran van duc chuyen vien") == ["NV1"]  # 01.003 is "Chuyên viên"
    upsert_entry(world, SYSTEM, "ngach", "01.003", name="Chuyên viên hạng ba")
    assert _waiting(world) == {"NV1"}
    _index(world)
    assert _codes(world, SYSTEM, "chuyen vien hang ba") == ["NV1"]


def test_a_bulk_update_of_staff_rows_queues_them_too(world):
    with world.uow() as uow:
        uow.session.execute(update(Staff).where(Staff.code == "NV1").values(grade_code="01.002"))
        uow.commit()
    assert _waiting(world) == {"NV1"}
    _index(world)
    assert _codes(world, SYSTEM, "", grades=("01.002",)) == ["NV1"]


def test_a_rolled_back_change_queues_nothing(world):
    with world.uow() as uow:
        uow.session.get(Staff, 1).full_name = "Không Lưu"
        uow.session.flush()
        # no commit: the unit of work rolls back, and the queue row with it
    assert _waiting(world) == set()


def test_rows_queued_while_a_batch_is_written_stay_waiting(world):
    class SlowIndex:
        def __init__(self, real, during) -> None:  # noqa: ANN001
            self.real, self.during = real, during

        def __getattr__(self, name: str):  # noqa: ANN204
            return getattr(self.real, name)

        def upsert(self, docs) -> None:  # noqa: ANN001
            if self.during is not None:
                during, self.during = self.during, None
                during()
            self.real.upsert(docs)

    update_staff(world, SYSTEM, "NV1", {"full_name": "Trần Văn Một"})
    real = world.index
    world.__dict__["index"] = SlowIndex(real, lambda: update_staff(world, SYSTEM, "NV1", {"full_name": "Trần Văn Hai"}))
    try:
        # the first batch is read, and while it is written a second change comes in: marking the
        # first batch done must leave the second waiting, so the consumer takes it next
        assert index_pending_records(world) == 2
    finally:
        world.__dict__["index"] = real
    assert _waiting(world) == set()
    assert _codes(world, SYSTEM, "tran van hai") == ["NV1"] and _codes(world, SYSTEM, "tran van mot") == []
