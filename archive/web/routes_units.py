"""Quản trị › Đơn vị › Tổ chức lại: rename, move, merge or dissolve a unit from the admin page, and
the dossier's "Đơn vị cũ" line.

One POST calls one service of `unit_reorganisation` (which checks scope, records the decision and
audits); the page then redirects with a one-time message. An invalid form is shown again on the
units page with the service's Vietnamese sentence and what was typed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from archive.bootstrap import Container
from archive.errors import InvalidInput
from archive.services import unit_reorganisation as reorg
from archive.services.access import Actor
from archive.services.staff import StaffView
from archive.web import routes_admin
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.forms import parse_date
from archive.web.rendering import translator

router = APIRouter(prefix="/quan-tri", route_class=WebRoute, dependencies=[Depends(csrf_protect)])

Text = Annotated[str, Form()]
ACTIONS = ("rename", "move", "merge", "dissolve")


@router.post("/to-chuc-lai")
def reorganise(request: Request, c: ContainerDep, actor: ActorDep, unit_code: Text = "", action: Text = "",
               name: Text = "", target_code: Text = "", decision_ref: Text = "", decision_date: Text = "",
               effective_date: Text = "", move_grants: Text = "") -> Response:
    t = translator(request)
    form = {"unit_code": unit_code, "action": action, "name": name, "target_code": target_code,
            "decision_ref": decision_ref, "decision_date": decision_date, "effective_date": effective_date,
            "move_grants": bool(move_grants)}
    try:
        if action not in ACTIONS:
            raise InvalidInput(t("reorg.bad_action"))
        decision = reorg.Decision(ref=decision_ref, on=parse_date(t, decision_date),
                                  effective=parse_date(t, effective_date))
        if action == "rename":
            view = reorg.rename_unit(c, actor, unit_code, name=name, decision=decision)
        elif action == "move":
            view = reorg.move_unit(c, actor, unit_code, parent_code=target_code, decision=decision)
        elif action == "merge":
            view = reorg.merge_unit(c, actor, unit_code, into=target_code, decision=decision,
                                    move_grants=bool(move_grants))
        else:
            view = reorg.dissolve_unit(c, actor, unit_code, decision=decision, successor=target_code or None,
                                       move_grants=bool(move_grants))
    except routes_admin.FORM_ERRORS as exc:
        return routes_admin._units_page(request, c, actor, reorganise_form=form, reorganise_error=str(exc),
                                        status=422)
    message = t(f"reorg.done_{action}", unit=view.unit_code, target=view.successor_code or view.new_parent_code or "",
                name=view.new_name, decision=view.decision_ref)
    return routes_admin._done(request, "/quan-tri", message)


def dossier_context(c: Container, actor: Actor, view: StaffView) -> dict:
    """For _dossier_former_units.html: "Đơn vị cũ: … (sáp nhập vào … theo QĐ …)" (the record is
    already checked readable by the dossier page)."""
    return {"former_units": reorg.former_units(c, view.code)}
