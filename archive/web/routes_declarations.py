"""Kê khai hồ sơ in the browser (issue 18): the person's own editor, the verifiers' queue, one declaration
(field-by-field against the approved record, evidence, signing, send-back), the signed export, and
Quản trị › Chứng thư số.

POST handlers are async only to read the multipart form; the service calls that validate
signatures run in the thread pool (pyHanko's validator starts its own event loop).
Thin: every rule is in archive.services.declarations / certificates; a refused step comes back to
the declaration's page with the service's Vietnamese sentence as a flash message, nothing changed.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from archive.errors import ArchiveError, Forbidden
from archive.services import certificates, declarations
from archive.services.access import Action
from archive.services.declaration_views import declaration_queue
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.rendering import finish, render, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])
HOME = "/ke-khai"
CERTS = "/quan-tri/chung-thu"
PDF = "application/pdf"


def _back(request: Request, url: str, message: str, kind: str = "success") -> Response:
    response = RedirectResponse(url, status_code=303)
    security.set_flash(web_state(request).secret, request, response, message, kind)
    return finish(request, response)


def _pdf(request: Request, name: str, data: bytes) -> Response:
    return finish(request, Response(data, media_type=PDF, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"}))


async def _form(request: Request) -> dict:
    form = await request.form()
    return {k: form.get(k) for k in form.keys()}


async def _file(form: dict, name: str) -> bytes:
    upload = form.get(name)
    if upload is None or isinstance(upload, str):
        return b""
    return await upload.read()


def dossier_context(c, actor, code: str) -> dict:  # noqa: ANN001
    """For _dossier_declaration.html: links to the person's own declarations or the queue."""
    return {"declaration_own": actor.staff_id is not None,
            "declaration_queue": actor.may_somewhere(Action.UPDATE) or actor.may_somewhere(Action.APPROVE),
            "declaration_code": code}


@router.get(HOME, name="web_declarations_mine")
def my_declarations(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    views = declaration_queue(c, actor, mine=True) if actor.staff_id is not None else []
    return render(request, "declarations.html", {"views": views, "mine": True,
                                                 "may_open": actor.staff_id is not None}, actor=actor)


@router.get(HOME + "/hang-doi", name="web_declarations_queue")
def queue(request: Request, c: ContainerDep, actor: ActorDep, trang_thai: str = "") -> Response:
    if not (actor.may_somewhere(Action.UPDATE) or actor.may_somewhere(Action.APPROVE)):
        raise Forbidden("Bạn không có quyền xác thực hoặc phê duyệt bản kê khai.")
    views = declaration_queue(c, actor, state=trang_thai)
    return render(request, "declarations.html", {"views": views, "mine": False, "may_open": False}, actor=actor)


@router.post(HOME)
async def open_new(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = await _form(request)
    kind = "change" if form.get("loai") == "change" else "initial"
    try:
        view = declarations.open_declaration(c, actor, kind=kind)
    except ArchiveError as exc:
        return _back(request, HOME, str(exc), "error")
    return _back(request, f"{HOME}/{view.id}/sua", translator(request)("decl.number", id=view.id))


@router.get(HOME + "/{declaration_id}", name="web_declaration")
def declaration_page(declaration_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    view = declarations.get_declaration(c, actor, declaration_id)
    own = actor.staff_id is not None and view.staff_code == _own_code(c, actor)
    step = declarations.STEP_OF_STATE.get(view.state)
    return render(request, "declaration.html", {"d": view, "own": own, "step": step,
                                                "may_sign": bool(step) and ((step == "declare") == own)},
                  actor=actor)


def _own_code(c, actor) -> str:  # noqa: ANN001
    from archive.models import Staff

    with c.uow() as uow:
        staff = uow.session.get(Staff, actor.staff_id)
        return staff.code if staff else ""


@router.get(HOME + "/{declaration_id}/sua", name="web_declaration_form")
def edit_page(declaration_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    view = declarations.get_declaration(c, actor, declaration_id)
    return render(request, "declaration_form.html", {"d": view}, actor=actor)


@router.post(HOME + "/{declaration_id}/sua")
async def save(declaration_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = await _form(request)
    url = f"{HOME}/{declaration_id}/sua"
    view = declarations.get_declaration(c, actor, declaration_id)
    values = {f.key: str(form.get(f"f_{f.key}", f.declared) or "") for f in view.fields}
    try:
        declarations.save_draft(c, actor, declaration_id, values, note=str(form.get("ghi_chu") or ""))
    except ArchiveError as exc:
        return _back(request, url, str(exc), "error")
    return _back(request, url, translator(request)("decl.saved"))


@router.post(HOME + "/{declaration_id}/tai-lieu")
async def add_evidence(declaration_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = await request.form()
    upload = form.get("tep")
    url = f"{HOME}/{declaration_id}/sua"
    try:
        data = await upload.read() if upload is not None and not isinstance(upload, str) else b""
        declarations.add_evidence(c, actor, declaration_id, filename=getattr(upload, "filename", "") or "",
                                  content_type=getattr(upload, "content_type", "") or "", data=data)
    except ArchiveError as exc:
        return _back(request, url, str(exc), "error")
    return _back(request, url, translator(request)("decl.evidence_added"))


@router.get(HOME + "/{declaration_id}/tai-lieu/{evidence_id}")
def evidence(declaration_id: int, evidence_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    name, content_type, data = declarations.evidence_file(c, actor, declaration_id, evidence_id)
    return finish(request, Response(data, media_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="tai-lieu-{evidence_id}"', "X-Content-Type-Options": "nosniff"}))


@router.post(HOME + "/{declaration_id}/ky")
async def sign(declaration_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = await request.form()
    url = f"{HOME}/{declaration_id}"
    upload = form.get("p12")
    try:
        key = await upload.read() if upload is not None and not isinstance(upload, str) else b""
        # pyHanko runs its own event loop: off this one
        view = await run_in_threadpool(declarations.sign, c, actor, declaration_id,
                                       password=str(form.get("mat_khau") or ""), p12=key)
    except ArchiveError as exc:
        return _back(request, url, str(exc), "error")
    return _back(request, url, translator(request)("decl.signed", state=view.state_label))


@router.get(HOME + "/{declaration_id}/ban-can-ky.pdf")
def to_sign(declaration_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _pdf(request, *declarations.signing_copy(c, actor, declaration_id))


@router.get(HOME + "/{declaration_id}/tep.pdf")
def current(declaration_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _pdf(request, *declarations.current_pdf(c, actor, declaration_id))


@router.post(HOME + "/{declaration_id}/ban-da-ky")
async def upload_signed(declaration_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = await request.form()
    url = f"{HOME}/{declaration_id}"
    upload = form.get("tep")
    try:
        data = await upload.read() if upload is not None and not isinstance(upload, str) else b""
        view = await run_in_threadpool(declarations.upload_signed, c, actor, declaration_id, data)
    except ArchiveError as exc:
        return _back(request, url, str(exc), "error")
    return _back(request, url, translator(request)("decl.signed", state=view.state_label))


@router.post(HOME + "/{declaration_id}/tra-lai")
async def send_back(declaration_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = await _form(request)
    url = f"{HOME}/{declaration_id}"
    try:
        declarations.send_back(c, actor, declaration_id, str(form.get("ly_do") or ""))
    except ArchiveError as exc:
        return _back(request, url, str(exc), "error")
    return _back(request, url, translator(request)("decl.sent_back"))


@router.get("/ho-so/{code}/ban-ky-so.pdf", name="web_export_signed")
def export_signed(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _pdf(request, *declarations.signed_export(c, actor, code))


@router.get(CERTS, name="web_certificates")
def certificates_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    rows = certificates.list_certificates(c, actor)
    return render(request, "admin_certificates.html", {"tab": "certificates", "rows": rows}, actor=actor)


@router.post(CERTS + "/ca")
async def add_ca(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = await request.form()
    try:
        certificates.add_ca(c, actor, await _file(dict(form), "tep"))
    except ArchiveError as exc:
        return _back(request, CERTS, str(exc), "error")
    return _back(request, CERTS, translator(request)("cert.added"))


@router.post(CERTS + "/nguoi-dung")
async def add_user(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = dict(await request.form())
    try:
        certificates.add_user_certificate(
            c, actor, str(form.get("tai_khoan") or ""), cert=await _file(form, "chung_thu"),
            p12=await _file(form, "p12"), password=str(form.get("mat_khau") or ""),
            p12_path=str(form.get("duong_dan") or ""))
    except ArchiveError as exc:
        return _back(request, CERTS, str(exc), "error")
    return _back(request, CERTS, translator(request)("cert.added"))
