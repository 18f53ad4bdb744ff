"""A document as a list of page references (tham chiếu trang): gộp (merge), tách (split) and
sắp xếp lại (reorder) the pages of a dossier's documents, never touching a stored original.

Each page row names where it is read from: the document whose stored original holds it and
the page index in that original (`source_document_id`, `source_page`; both None = the row's own
document, page `number`), beside its `rotation`. Merge, split and reorder only rewrite those
rows — text, confidence and OCR review flags move with the page, so a page that was merely
moved is never OCR'd again — and send the documents back to the index consumer through the
durable queue (after commit), like a retype.

- **Merge (gộp)**: the first document named keeps its id and gets every page in the chosen
  order; the others are withdrawn as merged ("Đã gộp vào tài liệu số N": out of search and the
  dossier list, kept in the store with their own pages and originals, which the merged pages
  still read from). Nothing is lost, nothing is twice in search.
- **Split (tách)**: pages from `at` on become a new document of the same dossier and type (a
  part, `documents.part` ≥ 1, sharing the original of its first page); the first keeps 1…at−1.
- **Reorder (sắp xếp lại)**: a permutation of 1…n ("3,1,2").

Scoped and audited like the other corrections (`document.merge|merged_into|split|reorder`,
before/after as [document, page, rotation] triples, a `document_corrections` row each).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import DocumentState
from archive.errors import Conflict, InvalidInput
from archive.models import Document, Page, utcnow
from archive.models.document_corrections import DocumentCorrection
from archive.services import jobs
from archive.services.access import Actor
from archive.services.document_corrections import (
    _BUSY,
    _after,
    _correctable,
    _record,
    _to_index,
)
from archive.services.retention import RETENTION_KIND, enqueue_for_document
from archive.services.views import DocumentView
from ingest import ExtractOptions, PageText, extract_pages, kind_of_content_type
from storage import local_copy

ARCHIVAL_JOB = "archival"  # archive.services.archival.ARCHIVAL_KIND (that module imports the document services)
MAX_MERGE = 50  # documents in one merge: a dossier's pages, not an archive's


@dataclass(frozen=True)
class PageRef:
    """One page as a reference into an original, with what was read from it (moved along)."""

    document_id: int  # whose stored original
    page: int         # page index in that original, 1-based
    rotation: int
    text: str
    confidence: float
    source: str
    needs_review: bool
    review_reason: str | None
    osd_rotation: int
    reviewed_at: object
    reviewed_by: str | None

    def shown(self) -> list[int]:
        return [self.document_id, self.page, self.rotation]


def _refs(s: Session, doc: Document) -> list[PageRef]:
    """The document's page list; Conflict when it is still being read or has no pages yet."""
    if doc.state in _BUSY:
        raise Conflict(f"Tài liệu số {doc.id} đang chờ hoặc đang được nhận dạng; hãy thử lại sau.")
    rows = list(s.scalars(select(Page).where(Page.document_id == doc.id).order_by(Page.number)))
    if not rows or len(rows) != doc.page_count:
        raise Conflict(f"Tài liệu số {doc.id} chưa được đọc xong các trang; chưa gộp, tách hay sắp xếp được.")
    return [PageRef(r.source_document_id or doc.id, r.source_page or r.number, r.rotation or 0, r.text, r.confidence,
                    r.source, r.needs_review, r.review_reason, r.osd_rotation, r.reviewed_at, r.reviewed_by)
            for r in rows]


def _write(s: Session, doc: Document, refs: list[PageRef]) -> None:
    """Replace the document's page rows with `refs`, numbered 1…n (a self page stays "itself")."""
    s.execute(delete(Page).where(Page.document_id == doc.id))
    s.flush()
    for n, r in enumerate(refs, start=1):
        itself = r.document_id == doc.id and r.page == n
        s.add(Page(document_id=doc.id, number=n, text=r.text, confidence=r.confidence, source=r.source,
                   rotation=r.rotation, needs_review=r.needs_review, review_reason=r.review_reason,
                   osd_rotation=r.osd_rotation, reviewed_at=r.reviewed_at, reviewed_by=r.reviewed_by,
                   source_document_id=None if itself else r.document_id, source_page=None if itself else r.page))
    doc.page_count = len(refs)
    doc.state, doc.error = DocumentState.INDEXING.value, None


def _archival_again(c: Context, s: Session, docs: Iterable[Document]) -> list[tuple[int, str]]:
    """Record the archival job again: the copy follows the document's page list (original, page,
    rotation: archive.services.archival_pages)."""
    if not c.settings.archival_copies:
        return []
    return [(jobs.enqueue(s, ARCHIVAL_JOB, target_type="document", target_id=d.id).id, ARCHIVAL_JOB) for d in docs]


def parse_order(text: object) -> list[int]:
    """"3,1,2" (or spaces, semicolons) → [3, 1, 2]; a clear sentence for anything else."""
    parts = [p for p in str(text or "").replace(";", ",").replace(" ", ",").split(",") if p]
    if not parts or not all(p.isdigit() and len(p) <= 6 for p in parts):
        raise InvalidInput("Thứ tự trang phải là các số trang cách nhau bằng dấu phẩy, ví dụ 3,1,2.")
    return [int(p) for p in parts]


def _permutation(order: Iterable[object], n: int, what: str) -> list[int]:
    order = list(order)
    if not all(isinstance(k, int) and not isinstance(k, bool) for k in order) or sorted(order) != list(range(1, n + 1)):
        raise InvalidInput(f"Thứ tự mới phải liệt kê mỗi trang từ 1 đến {n} của {what} đúng một lần (ví dụ 3,1,2).")
    return order


def reorder(c: Context, actor: Actor, document_id: int, order: list[int]) -> DocumentView:
    """Sắp xếp lại trang: `order[i]` is the page now at position i+1 (a permutation of 1…n)."""
    with c.uow() as uow:
        s = uow.session
        doc = _correctable(s, actor, document_id)
        refs = _refs(s, doc)
        order = _permutation(order, len(refs), f"tài liệu số {doc.id}")
        if order == list(range(1, len(refs) + 1)):
            return DocumentView.of(doc)
        new = [refs[k - 1] for k in order]
        _write(s, doc, new)
        _record(s, actor, doc, "reorder", {"pages": [r.shown() for r in refs]},
                {"pages": [r.shown() for r in new], "order": order})
        sent = _archival_again(c, s, [doc])
        uow.commit()
        view = DocumentView.of(doc)
    _after(c, sent, True)
    return view


def split(c: Context, actor: Actor, document_id: int, at_page: int) -> tuple[DocumentView, DocumentView]:
    """Tách tài liệu tại trang `at_page`: that page and the ones after it become a new document of
    the same dossier and type. Returns (the first part, the new one)."""
    sent: list[tuple[int, str]] = []
    with c.uow() as uow:
        s = uow.session
        doc = _correctable(s, actor, document_id)
        refs = _refs(s, doc)
        if len(refs) < 2:
            raise InvalidInput(f"Tài liệu số {doc.id} chỉ có một trang, không tách được.")
        if isinstance(at_page, bool) or not isinstance(at_page, int) or not 2 <= at_page <= len(refs):
            raise InvalidInput(f"Chỉ tách được tại một trang từ 2 đến {len(refs)} của tài liệu số {doc.id}.")
        head, tail = refs[:at_page - 1], refs[at_page - 1:]
        origin = s.get(Document, tail[0].document_id)  # the new part shares the original of its first page
        part = (s.scalar(select(func.max(Document.part)).where(Document.staff_id == doc.staff_id,
                                                               Document.sha256 == origin.sha256)) or 0) + 1
        stem, ext = os.path.splitext(doc.file_name)
        new = Document(staff_id=doc.staff_id, document_type=doc.document_type,
                       file_name=f"{stem} (tách từ trang {at_page}){ext}"[-255:], content_type=origin.content_type,
                       sha256=origin.sha256, size=origin.size, page_count=len(tail), part=part,
                       state=DocumentState.INDEXING.value, description=dict(doc.description or {}))
        s.add(new)
        s.flush()
        s.refresh(new, ["staff"])
        _to_index(doc)
        _write(s, doc, head)
        _write(s, new, tail)
        sent.append((enqueue_for_document(s, new.id).id, RETENTION_KIND))  # the part is kept as its original is
        _record(s, actor, doc, "split", {"pages": [r.shown() for r in refs]},
                {"pages": [r.shown() for r in head], "at": at_page, "new_document": new.id})
        _record(s, actor, new, "split", {"split_from": doc.id, "at": at_page}, {"pages": [r.shown() for r in tail]})
        sent += _archival_again(c, s, [doc, new])
        uow.commit()
        views = DocumentView.of(doc), DocumentView.of(new)
    _after(c, sent, True)
    return views


def merge(c: Context, actor: Actor, document_ids: list[int], order: list[int] | None = None) -> DocumentView:
    """Gộp tài liệu của cùng một hồ sơ: the first document keeps its id and gets all pages — each
    document's pages in turn, or `order` (positions in that sequence, a permutation); the others are
    withdrawn as merged into it, kept with their originals."""
    ids = list(document_ids or [])
    if len(ids) < 2:
        raise InvalidInput("Cần chọn ít nhất hai tài liệu để gộp.")
    if len(ids) > MAX_MERGE:
        raise InvalidInput(f"Chỉ gộp được tối đa {MAX_MERGE} tài liệu một lần.")
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids) or len(set(ids)) != len(ids):
        raise InvalidInput("Mỗi tài liệu chỉ được nêu một lần khi gộp.")
    with c.uow() as uow:
        s = uow.session
        docs = [_correctable(s, actor, i) for i in ids]
        target = docs[0]
        for d in docs[1:]:
            if d.staff_id != target.staff_id:
                raise InvalidInput(f"Tài liệu số {d.id} thuộc hồ sơ khác; chỉ gộp được tài liệu của cùng một hồ sơ.")
        lists = [_refs(s, d) for d in docs]
        before = [r for refs in lists for r in refs]
        if order is not None:
            order = _permutation(order, len(before), "các tài liệu được gộp")
        merged = [before[k - 1] for k in order] if order is not None else before
        sent: list[tuple[int, str]] = []
        _write(s, target, merged)
        when = utcnow()
        for d, refs in zip(docs[1:], lists[1:]):
            d.withdrawn_at, d.withdrawn_by = when, actor.name
            d.withdraw_reason = f"Đã gộp vào tài liệu số {target.id}."
            _to_index(d)  # the index consumer drops its pages (withdrawn: page_docs leaves it out)
            # its original now also holds the merged document's pages: its lock follows that one too
            sent.append((enqueue_for_document(s, d.id).id, RETENTION_KIND))
            _record(s, actor, d, "merged_into", {"withdrawn": False, "pages": [r.shown() for r in refs]},
                    {"withdrawn": True, "merged_into": target.id}, d.withdraw_reason)
        _record(s, actor, target, "merge", {"pages": [r.shown() for r in lists[0]]},
                {"pages": [r.shown() for r in merged], "merged": ids[1:]})
        sent += _archival_again(c, s, [target])
        uow.commit()
        view = DocumentView.of(target)
    _after(c, sent, True)
    return view


@dataclass(frozen=True)
class PageSource:
    """Where the extract job reads one page of a document from."""

    number: int        # the page's position in the document
    document_id: int   # whose original
    sha256: str
    content_type: str
    page: int          # page index in that original
    rotation: int


def _was_split(session: Session, document_id: int) -> bool:
    return session.scalar(select(DocumentCorrection.id).where(
        DocumentCorrection.document_id == document_id, DocumentCorrection.kind == "split").limit(1)) is not None


def page_sources(session: Session, document_id: int) -> list[PageSource] | None:
    """The sources of a document's pages, or None when every page is "itself" (read as before)."""
    rows = session.execute(
        select(Page.number, Page.source_document_id, Page.source_page, Page.rotation)
        .where(Page.document_id == document_id).order_by(Page.number)).all()
    if all((src in (None, document_id)) and (sp in (None, n)) for n, src, sp, _r in rows) and not _was_split(
            session, document_id):
        return None  # (a first part after a split holds fewer pages than its original: read by reference)
    origins: dict[int, tuple[str, str]] = {}
    out = []
    for n, src, sp, rot in rows:
        src = src or document_id
        if src not in origins:
            origins[src] = tuple(session.execute(  # type: ignore[assignment]
                select(Document.sha256, Document.content_type).where(Document.id == src)).one())
        out.append(PageSource(n, src, origins[src][0], origins[src][1], sp or n, rot or 0))
    return out


def grouped(sources: list[PageSource], only: tuple[int, ...] = ()) -> dict[tuple[str, str], list[PageSource]]:
    """The pages to read, by original (sha256, content type), in document order."""
    out: dict[tuple[str, str], list[PageSource]] = {}
    for p in sources:
        if not only or p.number in only:
            out.setdefault((p.sha256, p.content_type), []).append(p)
    return out


def renumbered(pages: Iterable, group: list[PageSource]) -> list:
    """An original's pages (numbered as in that original) renumbered as the document's pages."""
    position = {p.page: p.number for p in group}
    return [replace(p, number=position[p.number]) for p in pages if p.number in position]


def document_page_words(c: Context, session: Session, document_id: int) -> dict:
    """The OCR words (ocr_words derivatives) of a document's pages by its own page numbers: a merged,
    split or reordered page's words are those of its original's page (for the paper-vs-record check)."""
    from archive.services.ocr_words import load_page_words

    sources = page_sources(session, document_id)
    if sources is None:
        return load_page_words(c, session, session.get(Document, document_id).sha256)
    by_original = {p.sha256: load_page_words(c, session, p.sha256) for p in sources}
    return {p.number: replace(w, page=p.number) for p in sources if (w := by_original[p.sha256].get(p.page)) is not None}


Applier = Callable[[Session], None]


def read_referenced(c: Context, sources: list[PageSource], opts: ExtractOptions, only: tuple[int, ...],
                    renew: Callable[[], None]) -> tuple[list[PageText], list[Applier]]:
    """The extract job for a document of page references: each page read from its own original
    (page index, rotation), numbered as the document's pages. Word boxes are stored under the
    original they were read from, keyed by its page. The plain archival text layers are not
    rewritten (an original's geometry is one object for all its pages, and a part read here is not
    all of them); a turned page's layer is its own derivative (`page=N;rotation=R`), stored here."""
    from archive.services.archival import store_turned_layers  # (it imports documents)
    from archive.services.ocr_words import store_page_words

    pages: list[PageText] = []
    appliers: list[Applier] = []
    for (sha256, content_type), group in grouped(sources, only).items():
        group_opts = replace(opts, rotations=tuple((p.page, p.rotation) for p in group if p.rotation),
                             only_pages=tuple(p.page for p in group))
        read: list[PageText] = []
        with local_copy(c.store, sha256, c.settings.tmp_dir) as work:
            for page in extract_pages(work, kind_of_content_type(content_type), group_opts):
                read.append(page)
                renew()
        words = store_page_words(c, sha256, read)
        if words is not None:
            appliers.append(words)
        turns = {p.page: p.rotation % 360 for p in group if p.rotation % 360}
        turned = store_turned_layers(c, sha256, [(p.number, turns[p.number], p.layer_pdf, p.geometry) for p in read
                                                 if p.layer_pdf and p.geometry and p.number in turns]) \
            if c.settings.archival_copies else None
        if turned is not None:
            appliers.append(turned)
        pages.extend(renumbered(read, group))
    return sorted(pages, key=lambda p: p.number), appliers

__all__ = [
    "PageRef",
    "PageSource",
    "document_page_words",
    "grouped",
    "merge",
    "page_sources",
    "parse_order",
    "read_referenced",
    "renumbered",
    "reorder",
    "split",
]
