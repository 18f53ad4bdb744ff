"""Archival copies (bản lưu trữ PDF/A-2b) of documents, and the OCR text layers they are made from.

The extract job keeps, per OCR'd page, tesseract's text-only PDF (derivative `ocr_layer`,
params `page=N`) and, per document, the frames those layers were laid out in (`ocr_geometry`,
params `v=1`, JSON). A page the archivist turned (xoay trang, `pages.rotation` ≠ 0) is read from
the turned image, so its layer is its own pair of derivatives: `ocr_layer` params
`page=N;rotation=R` and `ocr_geometry` params `v=1;page=N;rotation=R` (that one page's frame), N the
page index in the original, R the clockwise turn. The plain `page=N` layers keep meaning the
unturned reading (one original may be shared by two documents: the same bytes in two dossiers, a
split part). The archival job turns the original plus those layers plus the document
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
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.context import Context
from archive.domain import DocumentState
from archive.errors import Conflict, NotFound
from archive.models import Derivative, Document
from archive.services import audit
from archive.services.access import Action, Actor
from archive.services.documents import visible_document
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

_READING = (DocumentState.QUEUED.value, DocumentState.PROCESSING.value)

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


def store_text_layers(c: Context, source_sha256: str, layers: list[tuple[int, bytes, PageGeometry]],
                      keep: tuple[int, ...] = ()) -> Callable[[Session], None]:
    """Put each page's text layer and the document's geometry in the store; return their row writes.

    `keep`: pages this run did not read unturned (turned pages) whose earlier unturned layer stays
    (another document sharing the original may still use it). Objects are content-addressed (a
    second put is a no-op), so this is safe to repeat; the rows are written by the returned
    function inside the extract job's finishing transaction.
    """
    stored: list[tuple[str, ObjectInfo, str]] = []
    for number, pdf, _g in layers:
        stored.append((f"page={number}", c.derivatives.put_stream(io.BytesIO(pdf), content_type=PDF), PDF))
    geometry = _kept_geometry(c, source_sha256, keep) if keep else {}
    geometry.update({str(n): asdict(g) for n, _pdf, g in layers})
    blob = json.dumps(geometry, sort_keys=True).encode()
    stored_geometry = c.derivatives.put_stream(io.BytesIO(blob), content_type="application/json")

    def apply(session: Session) -> None:
        for params, info, ctype in stored:
            _upsert(session, kind=OCR_LAYER, source=source_sha256, params=params, info=info, content_type=ctype)
        _upsert(session, kind=OCR_GEOMETRY, source=source_sha256, params=GEOMETRY_PARAMS, info=stored_geometry,
                content_type="application/json")

    return apply


def _kept_geometry(c: Context, source_sha256: str, keep: tuple[int, ...]) -> dict:
    """The stored unturned frames of pages `keep` ({} when there are none or they were lost)."""
    with c.uow() as uow:
        row = uow.session.scalar(select(Derivative).where(
            Derivative.source_sha256 == source_sha256, Derivative.kind == OCR_GEOMETRY,
            Derivative.params == GEOMETRY_PARAMS))
        key = row.sha256 if row is not None else None
    if key is None:
        return {}
    try:
        old = json.loads(_read(c, key))
    except ObjectNotFound:
        return {}
    return {str(n): old[str(n)] for n in keep if str(n) in old}


def _turned_params(page: int, rotation: int) -> tuple[str, str]:
    """(ocr_layer params, ocr_geometry params) of the layer read from page `page` turned `rotation`° clockwise."""
    return f"page={page};rotation={rotation}", f"{GEOMETRY_PARAMS};page={page};rotation={rotation}"


def store_turned_layers(c: Context, source_sha256: str,
                        layers: list[tuple[int, int, bytes, PageGeometry]]) -> Callable[[Session], None] | None:
    """Put the text layers of turned readings — (page index in the original, clockwise turn, layer PDF,
    geometry of the turned image) — in the store; return their row writes (None when there are none).

    Each turned reading is one layer and one geometry object of its own, so a partial run (one page
    turned and read again) or a referenced page never rewrites the other pages' layers."""
    stored: list[tuple[str, ObjectInfo, str, ObjectInfo]] = []
    for page, rotation, pdf, g in layers:
        if rotation % 360 == 0:
            continue
        layer_params, geometry_params = _turned_params(page, rotation % 360)
        layer = c.derivatives.put_stream(io.BytesIO(pdf), content_type=PDF)
        blob = json.dumps(asdict(g), sort_keys=True).encode()
        geometry = c.derivatives.put_stream(io.BytesIO(blob), content_type="application/json")
        stored.append((layer_params, layer, geometry_params, geometry))
    if not stored:
        return None

    def apply(session: Session) -> None:
        for layer_params, layer, geometry_params, geometry in stored:
            _upsert(session, kind=OCR_LAYER, source=source_sha256, params=layer_params, info=layer, content_type=PDF)
            _upsert(session, kind=OCR_GEOMETRY, source=source_sha256, params=geometry_params, info=geometry,
                    content_type="application/json")

    return apply


def load_turned_layer(c: Context, session: Session, source_sha256: str, page: int,
                      rotation: int) -> TextLayer | None:
    """The text layer read from page `page` of the original turned `rotation`° clockwise, or None.

    Its geometry is that of the turned image (archive.services.archival_pages re-expresses it)."""
    layer_params, geometry_params = _turned_params(page, rotation % 360)
    rows = {(r.kind, r.params): r for r in session.scalars(select(Derivative).where(
        Derivative.source_sha256 == source_sha256,
        ((Derivative.kind == OCR_LAYER) & (Derivative.params == layer_params))
        | ((Derivative.kind == OCR_GEOMETRY) & (Derivative.params == geometry_params))))}
    layer, geometry = rows.get((OCR_LAYER, layer_params)), rows.get((OCR_GEOMETRY, geometry_params))
    if layer is None or geometry is None:
        return None
    try:
        return TextLayer(page, _read(c, layer.sha256), PageGeometry(**json.loads(_read(c, geometry.sha256))))
    except ObjectNotFound:
        return None  # lost: reading the page again makes it again


def _read(c: Context, key: str) -> bytes:
    with c.derivatives.open(key) as fh:
        return fh.read()


def load_text_layers(c: Context, session: Session, source_sha256: str) -> dict[int, TextLayer] | None:
    """The stored layers of the unturned reading by page, or None when the document has none (OCR'd
    before they were kept). Turned readings (`page=N;rotation=R`) are left out: load_turned_layer."""
    rows = session.scalars(select(Derivative).where(
        Derivative.source_sha256 == source_sha256, Derivative.kind.in_((OCR_LAYER, OCR_GEOMETRY)))).all()
    geometry_row = next((r for r in rows if r.kind == OCR_GEOMETRY and r.params == GEOMETRY_PARAMS), None)
    if geometry_row is None:
        return None
    try:
        geometry = json.loads(_read(c, geometry_row.sha256))
        out: dict[int, TextLayer] = {}
        for r in rows:
            number = r.params.removeprefix("page=")
            if r.kind == OCR_LAYER and r.params.startswith("page=") and number.isdigit():
                n = int(number)
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
        from archive.services.document_description import (  # (it imports this module)
            fields_of,
            shown,
        )
        fields = shown(fields_of(doc.description))
        ocr_pages = [p.number for p in doc.pages if p.source == "ocr"]
        layers = load_text_layers(c, s, sha256)
        from archive.services.page_references import (  # (imports documents)
            PageSource,
            page_sources,
        )
        page_list = page_sources(s, document_id)  # merged / split / reordered: None = the original as it is
        if page_list is None and any(p.rotation for p in doc.pages):  # turned pages (issue 11): page by page
            page_list = [PageSource(p.number, document_id, sha256, content_type, p.number, p.rotation or 0)
                         for p in sorted(doc.pages, key=lambda p: p.number)]
    if page_list is not None:
        from archive.services.archival_pages import (
            make_page_list_copy,  # (it imports this module)
        )
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
        if row is None or state.state != STATE_OK:  # the last attempt failed: the older copy no longer matches
            raise NotFound(state.reason if state.state == STATE_NOT_CONVERTIBLE
                           else f"Tài liệu số {document_id} chưa có bản lưu trữ PDF/A.")
        if doc.state in _READING:  # a page turned or the document OCR'd again: the copy is being remade
            raise Conflict(f"Tài liệu số {document_id} đang được nhận dạng lại; bản lưu trữ PDF/A sẽ được lập lại "
                           "sau khi xong, hãy thử lại sau.")
        audit.append(s, actor=actor.name, ip=actor.ip, action="document.archival_download", target_type="document",
                     target_id=document_id, details={"staff": doc.staff.code, "sha256": row.sha256})
        uow.commit()
        key, size, stem = row.sha256, row.size, Path(doc.file_name).stem or "tai-lieu"
    return f"{stem}.pdfa.pdf", size, c.derivatives.iter_chunks(key)

