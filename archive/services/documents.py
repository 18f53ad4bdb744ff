"""Documents of a dossier: accept an upload, report its state, give back its text and original."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from archive.context import Context
from archive.domain import EXTRACT_KIND, DocumentState
from archive.errors import Conflict, InvalidInput, NotFound, shown
from archive.models import Document, Staff
from archive.services import audit, catalogs, derivatives, jobs
from archive.services.access import Action, Actor, check_staff
from archive.services.retention import RETENTION_KIND, enqueue_for_document  # object lock per the schedule
from archive.services.views import DocumentView, PageView
from archive.services.page_rotation import page_source, rotation_of  # per-page rotation, source (corrections)
from ingest import InvalidUpload, ReceivedFile, kind_of_content_type, receive_stream, validate_file
from ingest.render import page_image as render_page
from search import nfc
from storage import local_copy

DEFAULT_DOCUMENT_TYPE = "khac"
DOCUMENT_TYPES = "loai_tai_lieu"  # the catalog of document types (loại tài liệu)
FALLBACK_FILE_NAME = "tai-lieu"
_MAX_NAME = 255
# Unicode categories dropped from a file name: controls, format characters (bidi overrides
# such as U+202E that make "hoso\u202egnp.exe" show as "hosoexe.png", zero widths), lone
# surrogates (undecodable bytes), private use and unassigned code points.
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@dataclass(frozen=True)
class IngestOutcome:
    document: DocumentView
    created: bool  # False when the same bytes were already in this staff member's dossier


def _clean_file_name(name: str | bytes | None) -> str:
    """A safe display name (tên tệp hiển thị) for a file as people named it.

    Undecodable bytes become U+FFFD; NFC; no path: only what follows the last / or \\; no
    controls, bidi overrides or other invisible characters; runs of spaces as one; no dots or
    spaces at either end (so ".." and "." are no name); at most 255 characters, keeping the
    extension. What is left, or "tai-lieu" when nothing is.
    """
    if isinstance(name, bytes):
        name = name.decode("utf-8", "replace")
    name = name or ""
    try:  # a name read from a disk with undecodable bytes holds them as surrogate escapes
        name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        pass  # other lone surrogates: dropped below with the other invisible characters
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in nfc(name) if unicodedata.category(ch) not in _DROPPED)
    name = " ".join(name.split()).strip(". ")
    if len(name) > _MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        keep = dot + ext if stem and len(ext) <= 16 else ""
        name = name[:_MAX_NAME - len(keep)].rstrip(". ") + keep
    return name or FALLBACK_FILE_NAME


display_file_name = _clean_file_name  # for the doors that show a name before (or without) storing it


def _as_sent(name: str | bytes | None) -> str | None:
    """The name as the client sent it, for the audit log, with what the log cannot hold escaped."""
    if name is None:
        return None
    if isinstance(name, bytes):
        name = name.decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in name)[:1000]


def check_document_type(c: Context, document_type: object) -> str:
    """A document type from the catalog (danh mục loại tài liệu), exactly as listed there."""
    codes = [e.code for e in catalogs.list_catalog(c, DOCUMENT_TYPES)]
    if document_type not in codes:
        raise InvalidInput(f"Loại tài liệu “{shown(document_type)}” không có trong danh mục loại tài liệu; "
                           f"chọn một trong: {', '.join(codes)}.")
    return str(document_type)


@dataclass(frozen=True)
class UploadTarget:
    """Where an upload goes, checked once before any byte is read: the dossier and the type."""

    staff_id: int
    staff_code: str
    document_type: str


def check_upload(c: Context, actor: Actor, staff_code: str,
                 document_type: str = DEFAULT_DOCUMENT_TYPE) -> UploadTarget:
    """The dossier the actor may attach scans to, and a document type from the catalog."""
    document_type = check_document_type(c, document_type)
    with c.uow() as uow:
        staff = uow.session.scalar(select(Staff).where(Staff.code == staff_code))
        if staff is None:
            raise NotFound(f"Không tìm thấy cán bộ có mã {shown(staff_code)}.")
        staff_id = check_staff(uow.session, actor, staff, Action.UPLOAD).id
    return UploadTarget(staff_id=staff_id, staff_code=staff_code, document_type=document_type)


def ingest_upload(c: Context, actor: Actor, *, staff_code: str, stream: BinaryIO, file_name: str | None,
                  document_type: str = DEFAULT_DOCUMENT_TYPE) -> IngestOutcome:
    """Check → receive → validate → store original → record document + job → (after commit) queue it.

    Nothing is recorded unless the file is valid and its bytes are safely stored; the
    same bytes for the same staff member return the existing document (idempotent).
    """
    target = check_upload(c, actor, staff_code, document_type)
    received = receive_stream(stream, tmp_dir=c.settings.tmp_dir, max_bytes=c.settings.max_upload_bytes)
    return ingest_received(c, actor, target=target, received=received, file_name=file_name)


def ingest_received(c: Context, actor: Actor, *, target: UploadTarget, received: ReceivedFile,
                    file_name: str | None) -> IngestOutcome:
    """The rest of the ingest once the bytes are on local disk (from a stream or a request body).

    `target` comes from check_upload. Takes `received.path` over: it ends in the object store
    or is removed.
    """
    s = c.settings
    try:
        existing = _find(c, target.staff_id, received.sha256)
        if existing is not None:
            _refuse_withdrawn(c, existing.id)
            return IngestOutcome(existing, created=False)
        checked = validate_file(received.path, max_pages=s.max_pages, max_image_pixels=s.max_image_pixels,
                                max_stream_bytes=s.max_stream_bytes, dpi=s.ocr_dpi)
        c.store.put_file(received.path, sha256=received.sha256, content_type=checked.content_type)
        display_name = _clean_file_name(file_name)
        details = {"staff": target.staff_code, "sha256": received.sha256, "file_name": display_name,
                   "type": target.document_type}
        if _as_sent(file_name) not in (None, display_name):
            details["file_name_sent"] = _as_sent(file_name)  # kept for the record only, never shown as a name
        with c.uow() as uow:
            try:
                doc = Document(staff_id=target.staff_id, document_type=target.document_type,
                               file_name=display_name, content_type=checked.content_type,
                               sha256=received.sha256, size=received.size, page_count=checked.page_count,
                               state=DocumentState.QUEUED.value)
                uow.session.add(doc)
                uow.session.flush()  # a concurrent upload of the same bytes may already hold the row
                job = jobs.enqueue(uow.session, EXTRACT_KIND, target_type="document", target_id=doc.id)
                lock_job = enqueue_for_document(uow.session, doc.id)  # retention: lock the original after commit
                audit.append(uow.session, actor=actor.name, ip=actor.ip, action="document.upload",
                             target_type="document", target_id=doc.id, details=details)
                uow.commit()
            except IntegrityError:  # … and won the race: its document is this upload's answer
                uow.session.rollback()
                existing = _find(c, target.staff_id, received.sha256)
                if existing is None:
                    raise
                return IngestOutcome(existing, created=False)
            uow.session.refresh(doc, ["staff"])
            view, job_id = DocumentView.of(doc), job.id
            lock_job_id = lock_job.id
    finally:
        received.path.unlink(missing_ok=True)
    jobs.send_after_commit(c, [(job_id, EXTRACT_KIND)])  # only after commit: a worker must find the rows
    jobs.send_after_commit(c, [(lock_job_id, RETENTION_KIND)])
    return IngestOutcome(view, created=True)


def _refuse_withdrawn(c: Context, document_id: int) -> None:
    """The same file uploaded again after it was withdrawn (thu hồi) from this dossier: say so, rather
    than answer "already here" with a document the dossier no longer shows."""
    with c.uow() as uow:
        doc = uow.session.get(Document, document_id)
        if doc is not None and doc.withdrawn_at is not None:
            raise Conflict(f"Tệp này là tài liệu số {doc.id} đã bị thu hồi khỏi hồ sơ ngày "
                           f"{doc.withdrawn_at:%d/%m/%Y}; không nạp lại được — hãy liên hệ quản trị.")


def _find(c: Context, staff_id: int, sha256: str) -> DocumentView | None:
    with c.uow() as uow:
        doc = uow.session.scalar(
            select(Document).where(Document.staff_id == staff_id, Document.sha256 == sha256)
            .order_by(Document.part)  # the upload itself, not a part split off it (issue 11)
            .options(selectinload(Document.staff)).limit(1)
        )
        return DocumentView.of(doc) if doc else None


def visible_document(s, actor: Actor, document_id: int, action: Action) -> Document:  # noqa: ANN001
    """The document if the actor may do `action` on its dossier; NotFound otherwise (never revealing it)."""
    # an id no database integer can hold names no document (SQLite would raise OverflowError)
    doc = s.get(Document, document_id, options=[selectinload(Document.staff)]) if 0 < document_id < 2**63 else None
    if doc is None:
        raise NotFound(f"Không tìm thấy tài liệu số {document_id}.")
    try:
        check_staff(s, actor, doc.staff, action)
    except NotFound:
        raise NotFound(f"Không tìm thấy tài liệu số {document_id}.") from None
    return doc


def get_document(c: Context, actor: Actor, document_id: int) -> DocumentView:
    with c.uow() as uow:
        return DocumentView.of(visible_document(uow.session, actor, document_id, Action.READ))


def list_documents(c: Context, actor: Actor, staff_code: str) -> list[DocumentView]:
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, s.scalar(select(Staff).where(Staff.code == staff_code)), Action.READ)
        docs = s.scalars(
            select(Document).where(Document.staff_id == staff.id, Document.withdrawn_at.is_(None))  # thu hồi: hidden
            .order_by(Document.id).options(selectinload(Document.staff))
        ).all()
        return [DocumentView.of(d) for d in docs]


def document_pages(c: Context, actor: Actor, document_id: int) -> list[PageView]:
    with c.uow() as uow:
        s = uow.session
        doc = visible_document(s, actor, document_id, Action.READ)
        pages = [PageView(number=p.number, text=p.text, confidence=p.confidence, source=p.source) for p in doc.pages]
        audit.append(s, actor=actor.name, ip=actor.ip, action="document.view", target_type="document",
                     target_id=document_id, details={"staff": doc.staff.code})
        uow.commit()
        return pages


def open_original(c: Context, actor: Actor, document_id: int) -> tuple[DocumentView, Iterator[bytes]]:
    """The stored original, byte-for-byte, as a stream of chunks. The download is logged first."""
    with c.uow() as uow:
        s = uow.session
        doc = visible_document(s, actor, document_id, Action.DOWNLOAD)
        view = DocumentView.of(doc)
        audit.append(s, actor=actor.name, ip=actor.ip, action="document.download", target_type="document",
                     target_id=document_id, details={"staff": doc.staff.code, "sha256": doc.sha256})
        uow.commit()
    return view, c.store.iter_chunks(view.sha256)


THUMB_WIDTHS = (160, 1000)  # thumbnail and viewer sizes; a fixed set so requests cannot make us render any size
PAGE_IMAGE = "page_image"


def page_image(c: Context, actor: Actor, document_id: int, page: int, *, width: int) -> bytes:
    """A PNG of one page of the original: a derivative kept in the object store, made on first ask."""
    if width not in THUMB_WIDTHS:
        raise InvalidInput(f"Chiều rộng ảnh phải là một trong {THUMB_WIDTHS}.")
    doc = get_document(c, actor, document_id)
    if not 1 <= page <= max(doc.page_count, 1):
        raise NotFound(f"Tài liệu số {document_id} không có trang {page}.")
    with c.uow() as uow:  # xoay trang (document corrections): the turned image is its own derivative
        rotation = rotation_of(uow.session, document_id, page)
        # page references (merge/split/reorder): the page is shown from its source original and index
        source_sha256, source_type, source_page, _turn = page_source(uow.session, document_id, page) or (
            doc.sha256, doc.content_type, page, rotation)

    def render() -> bytes:
        with local_copy(c.store, source_sha256, c.settings.tmp_dir, prefix="thumb-") as work:
            img = render_page(work, kind_of_content_type(source_type), source_page, width_px=width,
                              max_pixels=c.settings.max_image_pixels)
        if rotation:
            img = img.rotate(-rotation, expand=True).resize((width, round(img.width * width / img.height))
                                                             if rotation in (90, 270) else img.size)
        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=True)
        return buf.getvalue()

    return derivatives.get_or_make(c, kind=PAGE_IMAGE, source_sha256=source_sha256,
                                   params=f"page={source_page};width={width}" + (f";rotation={rotation}" if rotation else ""),
                                   content_type="image/png", make=render)


__all__ = ["IngestOutcome", "InvalidUpload", "UploadTarget", "check_document_type", "check_upload", "document_pages",
           "get_document", "ingest_received", "ingest_upload", "list_documents", "open_original", "page_image"]
