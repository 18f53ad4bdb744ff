"""Hồ sơ giấy in the web UI: "Thành phần hồ sơ" (completeness by unit, the incomplete list), "Kho hồ sơ
giấy" (boxes, labels, the "Quét nhãn" box), "Mượn trả hồ sơ" (loans, overdue), and the dossier's part.

The "Quét nhãn" box is a plain GET form: a USB scanner types the label's text and Enter, which
submits it; `/quet-nhan` resolves it (services.labels.resolve_label, scoped) and redirects to the
dossier or the box. Each POST calls one service (inventory.set_location, loans.lend/return_loan),
which checks the actor and writes the audit entry, then redirects (POST → redirect → GET) with a
one-time message — the service's Vietnamese sentence when it refused.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from archive.bootstrap import Container
from archive.error_table import http_status
from archive.errors import Conflict, Forbidden, InvalidInput, NotFound
from archive.services import completeness, inventory, labels, loans, units
from archive.services.access import Action, Actor
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.forms import parse_date, parse_int
from archive.web.rendering import finish, render, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])
Text = Annotated[str, Form()]
FORM_ERRORS = (InvalidInput, Conflict, NotFound, Forbidden)
COMPLETENESS_URL, STORE_URL, LOANS_URL, SCAN_URL = "/thanh-phan-ho-so", "/kho-ho-so", "/muon-tra", "/quet-nhan"


def _redirect(request: Request, url: str, message: str, kind: str = "success") -> Response:
    response = RedirectResponse(url, status_code=303)
    security.set_flash(web_state(request).secret, request, response, message, kind)
    return finish(request, response)


def _pdf(request: Request, data: bytes, name: str) -> Response:
    return finish(request, Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"}))


def dossier_context(c: Container, actor: Actor, code: str) -> dict:
    """The dossier page's "Hồ sơ giấy" part (_dossier_inventory.html)."""
    return {"paper": inventory.dossier_paper(c, actor, code)}


# -- Thành phần hồ sơ ---------------------------------------------------------------------------

@router.get(COMPLETENESS_URL, name="web_completeness")
def completeness_page(request: Request, c: ContainerDep, actor: ActorDep, don_vi: str = "",
                      thieu: str = "") -> Response:
    report, error, status = None, None, 200
    try:
        report = completeness.completeness_report(c, actor, unit=don_vi)
    except (InvalidInput, NotFound) as exc:
        error, status = str(exc), http_status(exc)
    return render(request, "inventory_completeness.html", {
        "tab": "completeness", "report": report, "error": error, "incomplete_only": bool(thieu),
        "form": {"unit": don_vi}, "components": completeness.list_components(c, actor),
        "units": [{"code": u.code, "name": u.name} for u in units.list_units(c, actor)],
        "status_label": completeness.status_label,
    }, actor=actor, status=status)


# -- Kho hồ sơ giấy -----------------------------------------------------------------------------

def _store_page(request: Request, c: Container, actor: Actor, *, error: str | None = None, scanned: str = "",
                status: int = 200) -> Response:
    return render(request, "inventory_store.html", {
        "tab": "store", "boxes": inventory.list_boxes(c, actor), "error": error, "scanned": scanned,
        "may_manage": actor.may_somewhere(Action.UPLOAD),
    }, actor=actor, status=status)


@router.get(STORE_URL, name="web_store")
def store_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _store_page(request, c, actor)


@router.get(SCAN_URL)
def scan(request: Request, c: ContainerDep, actor: ActorDep, ma: str = "") -> Response:
    """Quét nhãn: open the dossier or box the label names."""
    try:
        target = labels.resolve_label(c, actor, ma)
    except (InvalidInput, NotFound) as exc:
        return _store_page(request, c, actor, error=str(exc), scanned=ma[:200], status=http_status(exc))
    return finish(request, RedirectResponse(target.url, status_code=303))


@router.get(STORE_URL + "/hop/{code}")
def box_page(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return render(request, "inventory_box.html", {
        "tab": "store", "contents": inventory.get_box(c, actor, code),
        "may_manage": actor.may_somewhere(Action.UPLOAD),
    }, actor=actor)


@router.get(STORE_URL + "/hop/{code}/nhan.pdf")
def box_labels(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _pdf(request, labels.label_sheet(c, actor, box_codes=[code], box_with_dossiers=True), f"nhan-hop-{code}.pdf")


@router.get("/ho-so/{code}/nhan.pdf")
def dossier_label(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _pdf(request, labels.label_sheet(c, actor, staff_codes=[code]), "nhan-ho-so.pdf")


@router.post("/ho-so/{code}/vi-tri")
def set_location(code: str, request: Request, c: ContainerDep, actor: ActorDep, kho: Text = "", gia: Text = "",
                 hop: Text = "", stt: Text = "", paper_pages: Text = "") -> Response:
    t = translator(request)
    url = f"/ho-so/{quote(code, safe='')}#s-inventory"
    try:
        n = parse_int(t, stt)
        if n is None:
            raise InvalidInput(t("inventory.stt_needed"))
        view = inventory.set_location(c, actor, code, kho=kho, gia=gia, hop=hop, stt=n,
                                      paper_pages=parse_int(t, paper_pages))
    except FORM_ERRORS as exc:
        return _redirect(request, url, str(exc), "error")
    return _redirect(request, url, t("inventory.saved", place=view.place))


# -- Mượn trả hồ sơ -----------------------------------------------------------------------------

@router.get(LOANS_URL, name="web_loans")
def loans_page(request: Request, c: ContainerDep, actor: ActorDep, qua_han: str = "", dang_muon: str = "") -> Response:
    rows = loans.list_loans(c, actor, overdue=bool(qua_han), open_only=bool(dang_muon))
    return render(request, "inventory_loans.html", {
        "tab": "loans", "loans": rows, "overdue_only": bool(qua_han), "open_only": bool(dang_muon),
        "overdue_count": sum(1 for x in rows if x.overdue) if not qua_han else len(rows),
    }, actor=actor)


@router.post("/ho-so/{code}/muon")
def lend(code: str, request: Request, c: ContainerDep, actor: ActorDep, borrower_name: Text = "",
         borrower_unit: Text = "", borrower_user: Text = "", purpose: Text = "", lent_on: Text = "",
         due_date: Text = "") -> Response:
    t = translator(request)
    url = f"/ho-so/{quote(code, safe='')}#s-inventory"
    try:
        view = loans.lend(c, actor, code, borrower_name=borrower_name, borrower_unit=borrower_unit,
                          borrower_user=borrower_user, purpose=purpose, due_date=parse_date(t, due_date),
                          lent_on=parse_date(t, lent_on))
    except FORM_ERRORS as exc:
        return _redirect(request, url, str(exc), "error")
    return _redirect(request, url, t("loan.saved", id=view.id, due=t.date(view.due_date)))


@router.post("/ho-so/{code}/tra")
def give_back(code: str, request: Request, c: ContainerDep, actor: ActorDep, note: Text = "") -> Response:
    t = translator(request)
    url = f"/ho-so/{quote(code, safe='')}#s-inventory"
    try:
        view = loans.return_loan(c, actor, code, note=note)
    except FORM_ERRORS as exc:
        return _redirect(request, url, str(exc), "error")
    return _redirect(request, url, t("loan.returned", id=view.id))
