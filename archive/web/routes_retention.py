"""Thời hạn bảo quản (the retention schedule), hủy tài liệu hết giá trị (disposition proposals and
their two approvals) and phong tỏa (legal holds) from a dossier.

Each POST calls one service (retention.set_rule, disposition.propose/approve,
legal_hold.place_hold/release_hold), which checks the actor and writes the audit entry; the page
then redirects (POST → redirect → GET) with a one-time message. A form the person can fix is
shown again with the service's message (409 for a refused shortening, 422 for bad input).
The dossier's part comes from archive.services.retention_views.dossier_context.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from archive.bootstrap import Container
from archive.errors import Conflict, InvalidInput, NotFound
from archive.error_table import http_status
from archive.services import catalogs, disposition, legal_hold, retention
from archive.services.access import Action, Actor, require
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.forms import parse_date, parse_int
from archive.web.rendering import finish, render, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])

Text = Annotated[str, Form()]
FORM_ERRORS = (InvalidInput, Conflict, NotFound)
RULES_URL = "/quan-tri/thoi-han-bao-quan"
DISPOSITION_URL = "/quan-tri/huy-tai-lieu"


def _done(request: Request, url: str, message: str) -> Response:
    response = RedirectResponse(url, status_code=303)
    security.set_flash(web_state(request).secret, request, response, message, "success")
    return finish(request, response)


# -- the schedule -----------------------------------------------------------------------------
def _rules_page(request: Request, c: Container, actor: Actor, *, error: str | None = None,
                form: dict | None = None, status: int = 200) -> Response:
    require(actor, Action.ADMINISTER)
    names = {e.code: e.name for e in catalogs.list_catalog(c, "loai_tai_lieu", include_inactive=True)}
    return render(request, "admin_retention.html", {
        "tab": "retention", "rules": retention.list_rules(c, actor), "names": names,
        "events": retention.COUNTED_FROM, "can_edit": catalogs.may_edit(c, actor), "error": error,
        "form": form or {},
    }, actor=actor, status=status)


@router.get(RULES_URL)
def rules_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _rules_page(request, c, actor)


@router.post(RULES_URL + "/{document_type}")
def save_rule(document_type: str, request: Request, c: ContainerDep, actor: ActorDep, kind: Text = "permanent",
              years: Text = "", counted_from: Text = "document_date", decision: Text = "",
              reason: Text = "") -> Response:
    t = translator(request)
    form = {"document_type": document_type, "kind": kind, "years": years, "counted_from": counted_from,
            "decision": decision, "reason": reason}
    try:
        n = None if kind == "permanent" else parse_int(t, years)
        if kind != "permanent" and n is None:
            raise InvalidInput(t("retention.years_needed"))
        view = retention.set_rule(c, actor, document_type, permanent=kind == "permanent", years=n,
                                  counted_from=counted_from, decision_ref=decision, reason=reason)
    except FORM_ERRORS as exc:
        return _rules_page(request, c, actor, error=str(exc), form=form, status=http_status(exc))
    return _done(request, f"{RULES_URL}#r-{quote(document_type)}",
                 t("retention.saved", type=view.document_type, term=view.label))


# -- disposition --------------------------------------------------------------------------------
def _disposition_page(request: Request, c: Container, actor: Actor, *, error: str | None = None,
                      status: int = 200) -> Response:
    require(actor, Action.ADMINISTER)
    return render(request, "disposition.html", {
        "tab": "disposition", "proposals": disposition.list_proposals(c, actor), "error": error,
    }, actor=actor, status=status)


@router.get(DISPOSITION_URL)
def disposition_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _disposition_page(request, c, actor)


@router.post(DISPOSITION_URL)
def propose(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    p = disposition.propose(c, actor)
    if p is None:
        return _done(request, DISPOSITION_URL, t("disposition.nothing"))
    return _done(request, f"{DISPOSITION_URL}#p-{p.id}", t("disposition.proposed", id=p.id, count=len(p.items)))


@router.post(DISPOSITION_URL + "/{proposal_id}/phe-duyet")
def approve(proposal_id: int, request: Request, c: ContainerDep, actor: ActorDep, decision_number: Text = "",
            decision_date: Text = "") -> Response:
    t = translator(request)
    try:
        view = disposition.approve(c, actor, proposal_id, decision_number=decision_number,
                                   decision_date=parse_date(t, decision_date))
    except FORM_ERRORS as exc:
        return _disposition_page(request, c, actor, error=str(exc), status=http_status(exc))
    return _done(request, f"{DISPOSITION_URL}#p-{view.id}", t("disposition.approved", id=view.id,
                                                                state=view.state_label))


# -- holds, from the dossier ------------------------------------------------------------------------
@router.post("/ho-so/{code}/phong-toa")
def place_hold(code: str, request: Request, c: ContainerDep, actor: ActorDep, reason: Text = "",
               reference: Text = "", document_id: Text = "") -> Response:
    t = translator(request)
    doc = parse_int(t, document_id) if document_id.strip() else None
    view = legal_hold.place_hold(c, actor, reason=reason, reference=reference, document_id=doc,
                                 staff_code=None if doc is not None else code)
    return _done(request, f"/ho-so/{quote(code)}#s-retention", t("hold.placed_ok", id=view.id))


@router.post("/ho-so/{code}/phong-toa/{hold_id}/giai-toa")
def release_hold(code: str, hold_id: int, request: Request, c: ContainerDep, actor: ActorDep,
                 reason: Text = "") -> Response:
    t = translator(request)
    view = legal_hold.release_hold(c, actor, hold_id, reason=reason)
    return _done(request, f"/ho-so/{quote(code)}#s-retention", t("hold.released", id=view.id))

