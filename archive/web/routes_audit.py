"""Kiểm tra: auditors browse the audit log by user, record and time, and verify its hash chain."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from archive.errors import InvalidInput
from archive.services import audit_views
from archive.services.access import Action, require
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.forms import local_day_end_utc, local_day_start_utc, page_number, parse_date
from archive.web.messages_vi import MESSAGES as VI
from archive.web.rendering import finish, render, translator, url_with

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])

PAGE_SIZE = 50
TARGET_TYPES = ("staff", "document", "user", "unit", "catalog", "search")
ACTIONS = tuple(sorted(k.removeprefix("action.") for k in VI if k.startswith("action.")))


@router.get("/kiem-tra")
def audit_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    require(actor, Action.AUDIT)
    t = translator(request)
    qp = request.query_params
    form = {k: qp.get(k, "").strip() for k in ("nguoi_dung", "loai", "ma", "thao_tac", "tu_ngay", "den_ngay")}
    page = page_number(qp.get("trang"))
    entries, error = [], None
    try:
        since, until = parse_date(t, form["tu_ngay"]), parse_date(t, form["den_ngay"])
        rows = audit_views.browse(
            c, actor, actor=form["nguoi_dung"] or None, target_type=form["loai"] or None,
            target_id=form["ma"] or None, action=form["thao_tac"] or None,
            since=local_day_start_utc(t, since) if since else None,
            until=local_day_end_utc(t, until) if until else None,
            limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    except InvalidInput as exc:
        rows, error = [], str(exc)
    words = audit_views.in_words(c, rows[:PAGE_SIZE], labels={a: t.label("action", a) for a in ACTIONS})
    for r, sentence in zip(rows[:PAGE_SIZE], words):
        entries.append({**r, "action_label": t.label("action", r["action"]), "words": sentence,
                         "target_label": t.label("target", r["target_type"]) if r["target_type"] else "",
                         "details_text": json.dumps(r["details"], ensure_ascii=False, sort_keys=True)
                         if r["details"] else ""})
    verification = audit_views.verify_chain(c, actor) if qp.get("xac_minh") else None
    return render(request, "audit.html", {
        "form": form, "entries": entries, "error": error, "verification": verification,
        "target_types": TARGET_TYPES, "actions": ACTIONS, "tz": c.settings.web_timezone,
        "prev": url_with(request, trang=page - 1, xac_minh=None) if page > 1 else None,
        "next": url_with(request, trang=page + 1, xac_minh=None) if len(rows) > PAGE_SIZE else None,
        "verify_url": url_with(request, xac_minh=1),
        "export_url": "/kiem-tra/nhat-ky.csv?" + request.url.query if request.url.query else "/kiem-tra/nhat-ky.csv",
    }, actor=actor)


@router.get("/kiem-tra/nhat-ky.csv")
def audit_csv(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    """The log as filtered on the page, as CSV (UTF-8 with BOM, each entry in words); the export is audited."""
    require(actor, Action.AUDIT)
    t = translator(request)
    qp = request.query_params
    form = {k: qp.get(k, "").strip() for k in ("nguoi_dung", "loai", "ma", "thao_tac", "tu_ngay", "den_ngay")}
    since, until = parse_date(t, form["tu_ngay"]), parse_date(t, form["den_ngay"])
    body, _ = audit_views.export_csv(
        c, actor, actor=form["nguoi_dung"] or None, target_type=form["loai"] or None, target_id=form["ma"] or None,
        action=form["thao_tac"] or None, since=local_day_start_utc(t, since) if since else None,
        until=local_day_end_utc(t, until) if until else None)
    return finish(request, Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="nhat-ky-truy-cap.csv"', "X-Content-Type-Options": "nosniff"}))
