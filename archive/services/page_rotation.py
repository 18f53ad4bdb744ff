"""Page rotation (xoay trang) as the extract job sees it: each page's recorded turn, and how the
job's pages replace the stored ones without losing the turns.

A rotation is a number of degrees clockwise (0, 90, 180, 270) kept on the `pages` row; the
original is never rewritten — OCR and page images turn the rendered page instead.
"""

from __future__ import annotations

from typing import Iterable, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.models import Document, Page

ROTATIONS = (0, 90, 180, 270)


class _PageText(Protocol):
    number: int
    text: str
    confidence: float
    source: str


def page_rotations(session: Session, document_id: int) -> tuple[tuple[int, int], ...]:
    """(page, degrees) for every page of the document turned away from 0."""
    rows = session.execute(select(Page.number, Page.rotation).where(
        Page.document_id == document_id, Page.rotation != 0).order_by(Page.number)).all()
    return tuple((n, r) for n, r in rows)


def rotation_of(session: Session, document_id: int, page: int) -> int:
    """The recorded turn of one page (0 when none)."""
    return session.scalar(select(Page.rotation).where(Page.document_id == document_id, Page.number == page)) or 0


def replace_pages(session: Session, document_id: int, pages: Iterable[_PageText],
                  rotations: tuple[tuple[int, int], ...], only: tuple[int, ...] = ()) -> None:
    """Write the extract job's pages: all of them replaced (a full run), or just `only` updated
    in place (a rotated page read again). Rotations stay as recorded either way."""
    turns = dict(rotations)
    pages = list(pages)
    if only:
        existing = {p.number: p for p in session.scalars(
            select(Page).where(Page.document_id == document_id, Page.number.in_([p.number for p in pages])))}
        for p in pages:
            row = existing.get(p.number)
            if row is None:
                session.add(Page(document_id=document_id, number=p.number, text=p.text, confidence=p.confidence,
                                 source=p.source, rotation=turns.get(p.number, 0)))
            else:
                row.text, row.confidence, row.source = p.text, p.confidence, p.source
        return
    session.execute(delete(Page).where(Page.document_id == document_id))
    session.flush()
    session.add_all(Page(document_id=document_id, number=p.number, text=p.text, confidence=p.confidence,
                         source=p.source, rotation=turns.get(p.number, 0)) for p in pages)


def page_turn(c: Context, document_id: int, page: int) -> int:
    """The recorded turn of one page, for a door that has already checked access (the viewer's image URL)."""
    with c.uow() as uow:
        return rotation_of(uow.session, document_id, page)


def page_source(session: Session, document_id: int, page: int) -> tuple[str, str, int, int] | None:
    """(sha256, content type, page index, rotation) one page of a document is shown from (the viewer)."""
    row = session.execute(select(Page.source_document_id, Page.source_page, Page.rotation).where(
        Page.document_id == document_id, Page.number == page)).first()
    src = (row[0] if row else None) or document_id
    origin = session.execute(select(Document.sha256, Document.content_type).where(Document.id == src)).first()
    if origin is None:
        return None
    return origin[0], origin[1], (row[1] if row and row[1] else page), (row[2] if row else 0) or 0


def image_version(c: Context, document_id: int, page: int) -> str:
    """What the viewer's image URL carries so a browser cache never shows a moved or turned page's old
    image: the source (document, page) and the turn, e.g. "12-3-90"."""
    with c.uow() as uow:
        src = page_source(uow.session, document_id, page)
        row = uow.session.execute(select(Page.source_document_id).where(
            Page.document_id == document_id, Page.number == page)).first()
    if src is None:
        return ""
    return f"{(row[0] if row else None) or document_id}-{src[2]}-{src[3]}"
