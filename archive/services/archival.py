"""Archival copies (bản lưu trữ PDF/A-2b) of documents, and the OCR text layers they are made from.

The extract job keeps, per OCR'd page, tesseract's text-only PDF (derivative `ocr_layer`,
params `page=N`) and, per document, the frames those layers were laid out in (`ocr_geometry`,
params `v=1`, JSON). The archival job turns the original plus those layers plus the document
description into one PDF/A-2b file: derivative `archival`, params `pdfa-2b`, stored in the
derivatives namespace under its own SHA-256 and under the original's retention. The
document's `description["archival"]` says how it went: `ok`, or `khong_chuyen_duoc` with the
reason, or `can_trich_xuat_lai` for a document OCR'd before text layers were kept — we never
OCR a page a second time, and a copy whose text layer is not the project's OCR would
not be the two-layer copy TT 05/2025 asks for, so such a document needs its extract job run
again (a new `extract` job for it; its `archival` follow-up then makes the copy).

A changed description makes a new copy: the `archival` row then points at the new object;
the old object stays in the store until the derivatives sweep (and the original never changes).
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.context import Context
from archive.errors import NotFound
from archive.models import Derivative, Document
from archive.services import audit
from archive.services.access import Action, Actor
from archive.services.documents import visible_document
from archive.services.page_rotation import archival_blocker  # page references, turned pages (issue 11)
from ingest import kind_of_content_type
from ingest.ocr import PageGeometry
from ingest.pdfa import ArchivalMetadata, NotConvertible, TextLayer, build_archival_pdf
from storage import ObjectInfo, ObjectNotFound, local_copy, owned_prefix

ARCHIVAL_KIND = "archival"    # the job kind
ARCHIVAL = "archival"         # derivative kind (the BagIt export relies on this and ARCHIVAL_PARAMS)
ARCHIVAL_PARAMS = "pdfa-2b"
OCR_LAYER = "ocr_layer"
OCR_GEOMETRY = "ocr_geometry"
GEOMETRY_PARAMS = "v=1"
PDF = "application/pdf"

STATE_OK = "ok"
STATE_NOT_CONVERTIBLE = "khong_chuyen_duoc"
STATE_NEEDS_REEXTRACT = "can_trich_xuat_lai"
STATE_LABELS = {STATE_OK: "Đã có bản lưu trữ PDF/A-2b", STATE_NOT_CONVERTIBLE: "Không chuyển được",
                STATE_NEEDS_REEXTRACT: "Cần trích xuất lại (tài liệu OCR trước khi có lớp chữ)"}


@dataclass(frozen=True)
class ArchivalState:
    state: str = ""     # STATE_* or "" (not made yet)
    reason: str = ""
    sha256: str = ""
    size: int = 0
    pages: int = 0
    images: str = ""

    @property
    def label(self) -> str:
        return STATE_LABELS.get(self.state, "Chưa tạo bản lưu trữ")


def archival_params(doc: Document) -> str:
    """The `archival` derivative's params of a document: a part split off another (issue 11) shares
    that original's sha256, so its copy is told apart by its part number."""
    return ARCHIVAL_PARAMS if not doc.part else f"{ARCHIVAL_PARAMS};part={doc.part}"


def state_of(doc: Document) -> ArchivalState:
    raw = (doc.description or {}).get("archival") or {}
    return ArchivalState(**{k: raw[k] for k in ArchivalState.__dataclass_fields__ if k in raw})


def _upsert(session: Session, *, kind: str, source: str, params: str, info: ObjectInfo, content_type: str) -> None:
    row = session.scalar(select(Derivative).where(
        Derivative.kind == kind, Derivative.source_sha256 == source, Derivative.params == params))
    if row is None:
        session.add(Derivative(kind=kind, source_sha256=source, params=params, sha256=info.key, size=info.size,
                               content_type=content_type))
    else:
        row.sha256, row.size, row.content_type = info.key, info.size, content_type


def store_text_layers(c: Context, source_sha256: str,
                      layers: list[tuple[int, bytes, PageGeometry]]) -> Callable[[Session], None]:
    """Put each page's text layer and the document's geometry in the store; return their row writes.

    Objects are content-addressed (a second put is a no-op), so this is safe to repeat; the
    rows are written by the returned function inside the extract job's finishing transaction.
    """
    stored: list[tuple[str, ObjectInfo, str]] = []
    for number, pdf, _g in layers:
        stored.append((f"page={number}", c.derivatives.put_stream(io.BytesIO(pdf), content_type=PDF), PDF))
    geometry = {str(n): asdict(g) for n, _pdf, g in layers}
    blob = json.dumps(geometry, sort_keys=True).encode()
    stored_geometry = c.derivatives.put_stream(io.BytesIO(blob), content_type="application/json")

    def apply(session: Session) -> None:
        for params, info, ctype in stored:
            _upsert(session, kind=OCR_LAYER, source=source_sha256, params=params, info=info, content_type=ctype)
        _upsert(session, kind=OCR_GEOMETRY, source=source_sha256, params=GEOMETRY_PARAMS, info=stored_geometry,
                content_type="application/json")

    return apply


def _read(c: Context, key: str) -> bytes:
    with c.derivatives.open(key) as fh:
        return fh.read()


def load_text_layers(c: Context, session: Session, source_sha256: str) -> dict[int, TextLayer] | None:
    """The stored layers by page, or None when the document has none (OCR'd before they were kept)."""
    rows = session.scalars(select(Derivative).where(
        Derivative.source_sha256 == source_sha256, Derivative.kind.in_((OCR_LAYER, OCR_GEOMETRY)))).all()
    geometry_row = next((r for r in rows if r.kind == OCR_GEOMETRY), None)
    if geometry_row is None:
        return None
    try:
        geometry = json.loads(_read(c, geometry_row.sha256))
        out: dict[int, TextLayer] = {}
        for r in rows:
            if r.kind == OCR_LAYER and r.params.startswith("page="):
                n = int(r.params.removeprefix("page="))
                if str(n) in geometry:
                    out[n] = TextLayer(n, _read(c, r.sha256), PageGeometry(**geometry[str(n)]))
    except ObjectNotFound:
        return None  # the layers were lost: re-extraction makes them again
    return out


@dataclass(frozen=True)
class MadeCopy:
    state: ArchivalState
    info: ObjectInfo | None


def make_archival_copy(c: Context, document_id: int) -> MadeCopy:
    """Build the PDF/A-2b copy of one document and put it in the store (no database writes).

    Raises NotFound for an unknown document. The caller records the outcome with `record`.
    """
    with c.uow() as uow:
        s = uow.session
        doc = s.get(Document, document_id, options=[selectinload(Document.pages), selectinload(Document.staff)])
        if doc is None:
            raise NotFound(f"Không tìm thấy tài liệu số {document_id}.")
        sha256, content_type, file_name = doc.sha256, doc.content_type, doc.file_name
        from archive.services.document_description import fields_of, shown  # (it imports this module)
        fields = shown(fields_of(doc.description))
        ocr_pages = [p.number for p in doc.pages if p.source == "ocr"]
        layers = load_text_layers(c, s, sha256)
        blocked = archival_blocker(s, document_id)  # turned pages (issue 11): no copy rather than a wrong one
        from archive.services.page_references import page_sources  # (it imports the document services)
        page_list = page_sources(s, document_id)  # merged / split / reordered: None = the original as it is
    if blocked:
        return MadeCopy(ArchivalState(STATE_NOT_CONVERTIBLE, reason=blocked), None)
    if page_list is not None:
        from archive.services.archival_pages import make_page_list_copy  # (it imports this module)
        return make_page_list_copy(c, page_list, ocr_pages, ArchivalMetadata(
            title=fields.get("trich_yeu") or file_name, fields=fields, language=_language(fields.get("ngon_ngu", ""))))
    if layers is None:
        layers = {}
        if ocr_pages:
            return MadeCopy(ArchivalState(STATE_NEEDS_REEXTRACT, reason=(
                "Tài liệu được nhận dạng chữ trước khi hệ thống lưu lớp chữ, cần trích xuất lại.")), None)
    missing = [n for n in ocr_pages if n not in layers]
    if missing:
        return MadeCopy(ArchivalState(STATE_NEEDS_REEXTRACT, reason=(
            f"Thiếu lớp chữ OCR của trang {missing[0]}; cần trích xuất lại tài liệu.")), None)
    kind = kind_of_content_type(content_type)
    meta = ArchivalMetadata(title=fields.get("trich_yeu") or file_name, fields=fields,
                            language=_language(fields.get("ngon_ngu", "")))
    tmp_dir = c.settings.tmp_dir
    tmp_dir.mkdir(parents=True, exist_ok=True)
    with local_copy(c.store, sha256, tmp_dir, prefix="pdfa-") as work, \
            tempfile.NamedTemporaryFile(dir=tmp_dir, prefix=owned_prefix("pdfa-"), suffix=".pdf") as out:
        try:
            result = build_archival_pdf(work, kind, layers, meta, out, default_dpi=c.settings.ocr_dpi)
        except NotConvertible as exc:
            return MadeCopy(ArchivalState(STATE_NOT_CONVERTIBLE, reason=str(exc)), None)
        out.flush()
        out.seek(0)
        info = c.derivatives.put_stream(out, content_type=PDF)
    _same_retention(c, sha256, info.key)
    return MadeCopy(ArchivalState(STATE_OK, sha256=info.key, size=info.size, pages=result.pages,
                                  images=result.images), info)


def _language(value: str) -> str:
    v = value.strip().lower()
    return "vi" if v in ("", "vi", "tiếng việt", "tieng viet", "vie") else (v if len(v) <= 8 and v.isalpha() else "vi")


def _same_retention(c: Context, original: str, key: str) -> None:
    """The copy is kept as long as its original: same retention, same legal hold."""
    try:
        info = c.store.stat(original)
        if info.retention is not None:
            c.derivatives.set_retention(key, info.retention)
        if info.legal_hold:
            c.derivatives.set_legal_hold(key, True)
    except NotImplementedError:  # a store without object lock (the embedded one in tests)
        pass


def record(session: Session, document_id: int, made: MadeCopy) -> None:
    """Write the outcome: the `archival` row and the document's archival state."""
    doc = session.get(Document, document_id)
    if doc is None:
        return
    if made.info is not None:
        _upsert(session, kind=ARCHIVAL, source=doc.sha256, params=archival_params(doc), info=made.info,
                content_type=PDF)
    description = dict(doc.description or {})
    description["archival"] = {k: v for k, v in asdict(made.state).items() if v not in ("", 0)}
    doc.description = description


def archival_state(c: Context, actor: Actor, document_id: int) -> ArchivalState:
    with c.uow() as uow:
        doc = visible_document(uow.session, actor, document_id, Action.READ)
        return state_of(doc)



def open_archival_copy(c: Context, actor: Actor, document_id: int) -> tuple[str, int, Iterator[bytes]]:
    """(download name, size, chunks) of the document's PDF/A copy; the download is audited first."""
    with c.uow() as uow:
        s = uow.session
        doc = visible_document(s, actor, document_id, Action.DOWNLOAD)
        state = state_of(doc)
        row = s.scalar(select(Derivative).where(Derivative.kind == ARCHIVAL, Derivative.source_sha256 == doc.sha256,
                                                Derivative.params == archival_params(doc)))
        if row is None or archival_blocker(s, document_id):  # turned pages: the old copy no longer matches
            raise NotFound(state.reason if state.state == STATE_NOT_CONVERTIBLE
                           else f"Tài liệu số {document_id} chưa có bản lưu trữ PDF/A.")
        audit.append(s, actor=actor.name, ip=actor.ip, action="document.archival_download", target_type="document",
                     target_id=document_id, details={"staff": doc.staff.code, "sha256": row.sha256})
        uow.commit()
        key, size, stem = row.sha256, row.size, Path(doc.file_name).stem or "tai-lieu"
    return f"{stem}.pdfa.pdf", size, c.derivatives.iter_chunks(key)

