"""Paper vs record (đối chiếu bản giấy với hồ sơ): a sơ yếu lý lịch's fields against the staff record.

The fields are read (`ingest.form_2c`) from the OCR words the extract job kept for each page
(`services.ocr_words`), normalised (`consistency_normalise`) and compared with the record's
Mẫu 2C fields. Per field a finding: khớp, lệch, không thấy trên bản giấy (the record has a
value, the paper shows none) or đọc không chắc (they differ but OCR was unsure of the words),
with its evidence: document, page, the value's box, confidence. Sensitive fields (CCCD, BHXH,
dân tộc, tôn giáo, đảng) are not compared: an auditor may not read them.

Runs after every extraction of a sơ yếu lý lịch (job kind `consistency`) and on demand by an
auditor or admin (Action.AUDIT). An auditor resolves each lệch / không thấy / đọc không chắc
finding: `record_wrong` opens a correction task (việc cần sửa hồ sơ) HR sees and closes,
`paper_wrong` and `ocr_misread` only record the judgement. Every run, view and resolution is
audited. A new check of the same document keeps earlier resolutions of identical findings.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.catalog_seed import SEED
from archive.context import Context
from archive.errors import Conflict, Forbidden, InvalidInput, NotFound
from archive.models import CatalogEntry, Document, Staff, Unit
from archive.models.consistency import ConsistencyCheck, ConsistencyFinding, CorrectionTask
from archive.services import audit
from archive.services.access import Action, Actor, check_staff, require, staff_seen_from
from archive.services.consistency_normalise import same, shown_record_value
from archive.services.ocr_words import PageWords
from archive.services.page_references import document_page_words
from ingest.form_2c import FIELD_BY_KEY, FIELDS, FormReading, PageWordsIn, read_fields

CHECKED_TYPE = "so_yeu_ly_lich"  # the document type whose fields are compared
KHOP, LECH, KHONG_THAY, KHONG_CHAC = "khop", "lech", "khong_thay", "khong_chac"
STATE_LABELS = {KHOP: "khớp", LECH: "lệch", KHONG_THAY: "không thấy trên bản giấy", KHONG_CHAC: "đọc không chắc"}
RECORD_WRONG, PAPER_WRONG, OCR_MISREAD = "record_wrong", "paper_wrong", "ocr_misread"
RESOLUTIONS = {RECORD_WRONG: "Hồ sơ ghi sai (giao bộ phận tổ chức sửa)", PAPER_WRONG: "Bản giấy ghi sai",
               OCR_MISREAD: "OCR đọc nhầm"}
TASK_OPEN, TASK_DONE = "open", "done"
MAX_NOTE = 500


# -- comparing (pure) ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    key: str
    state: str
    record_value: str
    paper_value: str
    page: int | None
    box: dict | None
    confidence: float | None


def record_value(staff: Staff, record_field: str) -> object:
    if record_field.startswith("profile."):
        return (staff.profile or {}).get(record_field.removeprefix("profile."))
    return getattr(staff, record_field)


def compare(values: dict[str, object], reading: FormReading, pages: dict[int, tuple[int, int]],
            grades: dict[str, str], *, min_confidence: float) -> list[Outcome]:
    """One outcome per catalogued field that the record or the paper fills (pure)."""
    out: list[Outcome] = []
    for spec in FIELDS:
        want = values.get(spec.record_field)
        have = reading.fields.get(spec.key)
        empty_record = want is None or str(want).strip() == ""
        if empty_record and (have is None or not have.value):
            continue
        shown = shown_record_value(spec.kind, want, grades)
        if have is None or not have.value:
            page = have.page if have else None
            box = _box(have.label_box, pages, page) if have else None
            out.append(Outcome(spec.key, KHONG_THAY, shown, "", page, box, None))
            continue
        box = _box(have.box, pages, have.page) if have.box else None
        verdict = False if empty_record else same(spec.kind, want, have.value, grades)
        if verdict:
            state = KHOP
        elif have.confidence < min_confidence:
            state = KHONG_CHAC
        else:
            state = LECH  # differs, or the paper's value is not of the field's kind (no date in it)
        out.append(Outcome(spec.key, state, shown, have.value, have.page, box, have.confidence))
    return out


def _box(box, pages: dict[int, tuple[int, int]], page: int | None) -> dict | None:  # noqa: ANN001
    if box is None or page is None:
        return None
    width, height = pages.get(page, (0, 0))
    return {**box.to_json(), "page_width": width, "page_height": height}


def grade_names(session: Session) -> dict[str, str]:
    rows = session.execute(select(CatalogEntry.code, CatalogEntry.name).where(CatalogEntry.catalog == "ngach")).all()
    return {code: name for code, name in rows} if rows else {i.code: i.name for i in SEED["ngach"]}


# -- views --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FindingView:
    id: int
    document_id: int
    field_key: str
    title: str
    state: str
    state_label: str
    record_value: str
    paper_value: str
    page: int | None
    box: dict | None
    confidence: float | None
    resolution: str | None
    resolution_label: str
    resolution_note: str
    resolved_by: str | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, f: ConsistencyFinding) -> "FindingView":
        spec = FIELD_BY_KEY.get(f.field_key)
        return cls(id=f.id, document_id=f.document_id, field_key=f.field_key, title=spec.title if spec else f.field_key,
                   state=f.state, state_label=STATE_LABELS.get(f.state, f.state), record_value=f.record_value,
                   paper_value=f.paper_value, page=f.page, box=f.box, confidence=f.confidence,
                   resolution=f.resolution, resolution_label=RESOLUTIONS.get(f.resolution or "", ""),
                   resolution_note=f.resolution_note, resolved_by=f.resolved_by, resolved_at=f.resolved_at)

    @property
    def needs_resolution(self) -> bool:
        return self.state != KHOP and self.resolution is None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["resolved_at"] = self.resolved_at.isoformat() if self.resolved_at else None
        return d


@dataclass(frozen=True)
class DocumentCheck:
    document_id: int
    file_name: str
    check_id: int
    form: str
    ran_at: datetime
    compared: int
    counts: dict
    findings: list[FindingView]

    def to_dict(self) -> dict:
        return {"document_id": self.document_id, "file_name": self.file_name, "check_id": self.check_id,
                "form": self.form, "ran_at": self.ran_at.isoformat(), "compared": self.compared,
                "counts": self.counts, "findings": [f.to_dict() for f in self.findings]}


@dataclass(frozen=True)
class ConsistencyReport:
    staff_code: str
    full_name: str
    documents: list[DocumentCheck]
    counts: dict = field(default_factory=dict)   # by state, over the latest check of each document
    open: int = 0                                # findings that still need a resolution
    may_resolve: bool = False

    def to_dict(self) -> dict:
        return {"staff_code": self.staff_code, "full_name": self.full_name, "counts": self.counts, "open": self.open,
                "documents": [d.to_dict() for d in self.documents]}


def _counts(outcomes: list[str]) -> dict[str, int]:
    return {s: outcomes.count(s) for s in STATE_LABELS}


# -- running ------------------------------------------------------------------------------------

def _pages_in(words: dict[int, PageWords]) -> list[PageWordsIn]:
    return [PageWordsIn(p.page, p.width, p.height, p.words) for p in words.values()]


def _write_check(c: Context, s: Session, doc: Document, staff: Staff, words: dict[int, PageWords], *,
                 actor: str) -> ConsistencyCheck:
    reading = read_fields(_pages_in(words))
    values = {spec.record_field: record_value(staff, spec.record_field) for spec in FIELDS}
    outcomes = compare(values, reading, {p.page: (p.width, p.height) for p in words.values()}, grade_names(s),
                       min_confidence=c.settings.consistency_min_confidence)
    earlier = {(f.field_key, f.record_value, f.paper_value): f for f in s.scalars(
        select(ConsistencyFinding).where(ConsistencyFinding.document_id == doc.id,
                                         ConsistencyFinding.resolution.is_not(None))
        .order_by(ConsistencyFinding.id))}
    check = ConsistencyCheck(staff_id=staff.id, document_id=doc.id, form=reading.form, ran_at=c.clock(), ran_by=actor,
                             compared=len(outcomes), counts=_counts([o.state for o in outcomes]))
    s.add(check)
    s.flush()
    for o in outcomes:
        f = ConsistencyFinding(check_id=check.id, staff_id=staff.id, document_id=doc.id, field_key=o.key,
                               record_field=FIELD_BY_KEY[o.key].record_field, state=o.state,
                               record_value=o.record_value, paper_value=o.paper_value, page=o.page, box=o.box,
                               confidence=o.confidence, resolution_note="")
        prior = earlier.get((o.key, o.record_value, o.paper_value)) if o.state != KHOP else None
        if prior is not None:  # the same two values were judged before: the judgement stands
            f.resolution, f.resolution_note = prior.resolution, prior.resolution_note
            f.resolved_by, f.resolved_at = prior.resolved_by, prior.resolved_at
        s.add(f)
    audit.append(s, actor=actor, action="consistency.run", target_type="staff", target_id=staff.code,
                 details={"staff": staff.code, "document": doc.id, "form": reading.form, **check.counts})
    return check


def prepare_document_check(c: Context, document_id: int) -> Callable[[Session], None] | None:
    """For the `consistency` job: the row writes of one document's check, or None when there is
    nothing to check (not a sơ yếu lý lịch, or no OCR words: a text-layer PDF). Reads the words
    from the store outside any transaction; `apply` writes in the job's finishing one."""
    with c.uow() as uow:
        doc = uow.session.get(Document, document_id)
        if doc is None or doc.document_type != CHECKED_TYPE or doc.withdrawn_at is not None:
            return None
        # by the document's own page list: a merged or reordered page's words are its original's
        words = document_page_words(c, uow.session, doc.id)
    if not words:
        return None

    def apply(session: Session) -> None:
        d = session.get(Document, document_id)
        if d is not None:
            _write_check(c, session, d, session.get(Staff, d.staff_id), words, actor="system")

    return apply


def run_check(c: Context, actor: Actor, staff_code: str) -> ConsistencyReport:
    """Check every sơ yếu lý lịch of the record now (kiểm tra, Action.AUDIT)."""
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, s.scalar(select(Staff).where(Staff.code == staff_code)), Action.AUDIT)
        docs = s.scalars(select(Document).where(Document.staff_id == staff.id, Document.document_type == CHECKED_TYPE,
                                                Document.withdrawn_at.is_(None)).order_by(Document.id)).all()
        ran = 0
        for doc in docs:
            words = document_page_words(c, s, doc.id)
            if words:
                _write_check(c, s, doc, staff, words, actor=actor.name)
                ran += 1
        if not ran:
            raise Conflict("Hồ sơ chưa có sơ yếu lý lịch nào đã nhận dạng chữ (OCR) xong để đối chiếu.")
        uow.commit()
    return _report(c, actor, staff_code, audited=False)


def get_report(c: Context, actor: Actor, staff_code: str) -> ConsistencyReport:
    """The latest check of each sơ yếu lý lịch of the record (anyone who may read the record)."""
    return _report(c, actor, staff_code, audited=True)


def _report(c: Context, actor: Actor, staff_code: str, *, audited: bool) -> ConsistencyReport:
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, s.scalar(select(Staff).where(Staff.code == staff_code)), Action.READ)
        may_resolve = _may(s, actor, staff, Action.AUDIT)
        checks = s.scalars(select(ConsistencyCheck).where(ConsistencyCheck.staff_id == staff.id)
                           .order_by(ConsistencyCheck.id.desc())).all()
        latest: dict[int, ConsistencyCheck] = {}
        for ch in checks:
            latest.setdefault(ch.document_id, ch)
        documents = []
        for doc_id in sorted(latest):
            ch = latest[doc_id]
            doc = s.get(Document, doc_id)
            findings = [FindingView.of(f) for f in s.scalars(select(ConsistencyFinding).where(
                ConsistencyFinding.check_id == ch.id).order_by(ConsistencyFinding.id))]
            documents.append(DocumentCheck(doc_id, doc.file_name if doc else "", ch.id, ch.form, ch.ran_at, ch.compared,
                                           dict(ch.counts or {}), findings))
        every = [f for d in documents for f in d.findings]
        report = ConsistencyReport(staff.code, staff.full_name, documents, _counts([f.state for f in every]),
                                   sum(1 for f in every if f.needs_resolution), may_resolve)
        if audited:
            audit.append(s, actor=actor.name, ip=actor.ip, action="consistency.view", target_type="staff",
                         target_id=staff.code, details={"staff": staff.code})
            uow.commit()
    return report


def _may(s: Session, actor: Actor, staff: Staff, action: Action) -> bool:
    try:
        check_staff(s, actor, staff, action)
        return True
    except (Forbidden, NotFound):
        return False


def counts_for(c: Context, actor: Actor, staff_code: str) -> ConsistencyReport | None:
    """The report without an audit entry, for the dossier page's link (None when never checked)."""
    try:
        report = _report(c, actor, staff_code, audited=False)
    except (Forbidden, NotFound):
        return None
    return report if report.documents else None


# -- resolving ----------------------------------------------------------------------------------

def _note(note: object) -> str:
    """A resolution's or a correction's note: one line, bounded."""
    text = " ".join(str(note or "").split())
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"Ghi chú dài tối đa {MAX_NOTE} ký tự.")
    return text


def resolve(c: Context, actor: Actor, finding_id: int, resolution: str, note: str = "") -> FindingView:
    """The auditor's judgement of one finding (xử lý kết quả đối chiếu), audited."""
    if resolution not in RESOLUTIONS:
        raise InvalidInput("Cách xử lý phải là một trong: record_wrong (hồ sơ ghi sai), paper_wrong (bản giấy ghi sai), "
                           "ocr_misread (OCR đọc nhầm).")
    note = _note(note)
    with c.uow() as uow:
        s = uow.session
        f = s.get(ConsistencyFinding, finding_id) if isinstance(finding_id, int) else None
        if f is None:
            raise NotFound("Không tìm thấy kết quả đối chiếu.")
        staff = check_staff(s, actor, s.get(Staff, f.staff_id), Action.AUDIT)
        if f.state == KHOP:
            raise InvalidInput("Trường này khớp với hồ sơ, không cần xử lý.")
        if f.resolution is not None:
            raise Conflict("Kết quả đối chiếu này đã được xử lý.")
        f.resolution, f.resolution_note, f.resolved_by, f.resolved_at = resolution, note, actor.name, c.clock()
        task_id = None
        if resolution == RECORD_WRONG:
            task = CorrectionTask(staff_id=staff.id, finding_id=f.id, field_key=f.field_key, record_field=f.record_field,
                                  record_value=f.record_value, paper_value=f.paper_value, note=note, state=TASK_OPEN,
                                  created_at=c.clock(), created_by=actor.name)
            s.add(task)
            s.flush()
            task_id = task.id
        audit.append(s, actor=actor.name, ip=actor.ip, action="consistency.resolve", target_type="staff",
                     target_id=staff.code, details={"staff": staff.code, "finding": f.id, "field": f.field_key,
                                                    "resolution": resolution, "task": task_id})
        view = FindingView.of(f)
        uow.commit()
    return view


# -- correction tasks (Cần sửa hồ sơ) ---------------------------------------------------------

@dataclass(frozen=True)
class CorrectionView:
    id: int
    staff_code: str
    full_name: str
    field_key: str
    title: str
    record_value: str
    paper_value: str
    note: str
    state: str
    created_at: datetime
    created_by: str
    done_at: datetime | None
    done_by: str | None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["created_at"] = self.created_at.isoformat()
        d["done_at"] = self.done_at.isoformat() if self.done_at else None
        return d


def _correction_view(t: CorrectionTask, staff: Staff) -> CorrectionView:
    spec = FIELD_BY_KEY.get(t.field_key)
    return CorrectionView(t.id, staff.code, staff.full_name, t.field_key, spec.title if spec else t.field_key,
                          t.record_value, t.paper_value, t.note, t.state, t.created_at, t.created_by, t.done_at, t.done_by)


def list_corrections(c: Context, actor: Actor, *, state: str = TASK_OPEN, limit: int = 200) -> list[CorrectionView]:
    """Correction tasks of the records the actor may read, oldest first."""
    if state not in (TASK_OPEN, TASK_DONE):
        raise InvalidInput("Trạng thái phải là open (cần sửa) hoặc done (đã sửa).")
    require(actor, Action.READ)
    with c.uow() as uow:
        s = uow.session
        query = (select(CorrectionTask, Staff).join(Staff, CorrectionTask.staff_id == Staff.id)
                 .where(CorrectionTask.state == state).order_by(CorrectionTask.id).limit(limit))
        if not actor.is_system:
            units = list(s.scalars(select(Unit).where(Unit.code.in_(actor.units_for(Action.READ)))))
            query = query.where(staff_seen_from(units, actor.clearance))
        return [_correction_view(t, st) for t, st in s.execute(query).all()]


def complete_correction(c: Context, actor: Actor, task_id: int, note: str = "") -> CorrectionView:
    """HR marks a task done once the record is corrected (Action.UPDATE on the record), audited."""
    note = _note(note)
    with c.uow() as uow:
        s = uow.session
        t = s.get(CorrectionTask, task_id) if isinstance(task_id, int) else None
        if t is None:
            raise NotFound("Không tìm thấy việc cần sửa hồ sơ.")
        staff = check_staff(s, actor, s.get(Staff, t.staff_id), Action.UPDATE)
        if t.state == TASK_DONE:
            raise Conflict("Việc sửa hồ sơ này đã được đánh dấu xong.")
        t.state, t.done_at, t.done_by = TASK_DONE, c.clock(), actor.name
        if note:
            t.note = f"{t.note} — {note}" if t.note else note
        audit.append(s, actor=actor.name, ip=actor.ip, action="consistency.correction_done", target_type="staff",
                     target_id=staff.code, details={"staff": staff.code, "task": t.id, "field": t.field_key})
        view = _correction_view(t, staff)
        uow.commit()
    return view


# -- evidence ----------------------------------------------------------------------------------

CROP_WIDTH = 1000  # the viewer's page image width (documents.THUMB_WIDTHS)
CROP_PAD = 8


def finding_crop(c: Context, actor: Actor, finding_id: int) -> bytes:
    """The value's box cut from the page image (PNG), scoped like the page image itself."""
    from PIL import Image

    from archive.services.documents import page_image

    with c.uow() as uow:
        s = uow.session
        f = s.get(ConsistencyFinding, finding_id)
        if f is None:
            raise NotFound("Không tìm thấy kết quả đối chiếu.")
        check_staff(s, actor, s.get(Staff, f.staff_id), Action.READ)
        document_id, page, box = f.document_id, f.page, f.box
    if not page or not box or not box.get("page_width"):
        raise NotFound("Kết quả đối chiếu này không có vùng ảnh trên bản giấy.")
    png = page_image(c, actor, document_id, page, width=CROP_WIDTH)
    img = Image.open(io.BytesIO(png))
    scale = img.width / float(box["page_width"])
    left = max(0, int(box["left"] * scale) - CROP_PAD)
    top = max(0, int(box["top"] * scale) - CROP_PAD)
    right = min(img.width, int((box["left"] + box["width"]) * scale) + CROP_PAD)
    bottom = min(img.height, int((box["top"] + box["height"]) * scale) + CROP_PAD)
    out = io.BytesIO()
    img.crop((left, top, max(right, left + 1), max(bottom, top + 1))).save(out, format="PNG")
    return out.getvalue()


__all__ = ["CHECKED_TYPE", "ConsistencyReport", "CorrectionView", "DocumentCheck", "FindingView", "Outcome",
           "RESOLUTIONS", "STATE_LABELS", "compare", "complete_correction", "counts_for", "finding_crop",
           "get_report", "list_corrections", "prepare_document_check", "resolve", "run_check"]
