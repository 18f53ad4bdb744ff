"""What the dossier page shows of retention (thời hạn bảo quản), holds (phong tỏa) and dispositions."""

from __future__ import annotations

from archive.context import Context
from archive.services import disposition, legal_hold, retention
from archive.services.access import Action, Actor
from archive.services.views import DocumentView


def dossier_context(c: Context, actor: Actor, code: str, docs: list[DocumentView]) -> dict:
    """`retention` for _dossier_retention.html: each listed document's term and hold, the dossier's
    holds (active and released), and the records of documents destroyed from it."""
    terms = retention.terms_of_documents(c, [d.id for d in docs])
    return {"retention": {
        "terms": [(d, terms.get(d.id)) for d in docs],
        "holds": legal_hold.holds_of_staff(c, actor, code),
        "records": disposition.records_of_staff(c, actor, code),
        "may_hold": actor.may_somewhere(Action.AUDIT),
    }}
