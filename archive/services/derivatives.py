"""Derivatives (sản phẩm dẫn xuất): what is made from a stored original, kept in the object store.

A derivative is identified by (kind, source SHA-256, canonical parameters) and stored in the
store's `derivatives` namespace under its own SHA-256, with a row in `derivatives` saying
where it is. Every host asks the table first, so a page image rendered by one API process is
served by another that never rendered it; a lost derivative is simply made again from its
source. Originals are only ever read.
"""

from __future__ import annotations

import io
from typing import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from archive.context import Context
from archive.models import Derivative
from storage import ObjectNotFound


def get_or_make(c: Context, *, kind: str, source_sha256: str, params: str, content_type: str,
                make: Callable[[], bytes]) -> bytes:
    """The derivative's bytes: from the store when recorded, else made, stored and recorded."""
    with c.uow() as uow:
        row = uow.session.scalar(select(Derivative).where(
            Derivative.kind == kind, Derivative.source_sha256 == source_sha256, Derivative.params == params))
        key = row.sha256 if row is not None else None
    if key is not None:
        try:
            with c.derivatives.open(key) as fh:
                return fh.read()
        except ObjectNotFound:
            pass  # recorded but gone (a store restored without its derivatives): make it again
    data = make()
    info = c.derivatives.put_stream(io.BytesIO(data), content_type=content_type)
    with c.uow() as uow:
        s = uow.session
        row = s.scalar(select(Derivative).where(
            Derivative.kind == kind, Derivative.source_sha256 == source_sha256, Derivative.params == params))
        if row is None:
            s.add(Derivative(kind=kind, source_sha256=source_sha256, params=params, sha256=info.key,
                             size=info.size, content_type=content_type))
        else:
            row.sha256, row.size = info.key, info.size
        try:
            uow.commit()
        except IntegrityError:  # another host recorded the same derivative meanwhile: theirs is as good
            pass
    return data


def list_for(c: Context, source_sha256: str) -> list[Derivative]:
    """Every recorded derivative of one original (for backups, exports and tests)."""
    with c.uow() as uow:
        return list(uow.session.scalars(
            select(Derivative).where(Derivative.source_sha256 == source_sha256).order_by(Derivative.id)))
