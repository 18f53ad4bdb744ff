"""Turn a page's data into an HTML response: language, CSRF token, flash message, navigation.

Every page is rendered through `render()`, so each one gets the same headers: no caching of
personal data, a strict Content-Security-Policy (no inline scripts or styles anywhere), no
framing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from archive.bootstrap import Container
from archive.services.access import Action, Actor
from archive.web import security
from archive.web.i18n import Translator, pick_language
from archive.web.snippets import snippet_html

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages hold personal data: nothing in shared or disk caches
}

# (path, message key, the action that makes the item useful)
NAVIGATION = (
    ("/tra-cuu", "nav.search", Action.SEARCH),
    ("/tai-len", "nav.upload", Action.UPLOAD),
    ("/quan-tri", "nav.admin", Action.ADMINISTER),
    ("/kiem-tra", "nav.audit", Action.AUDIT),
)


@dataclass
class WebState:
    """Built once per application: templates, the HMAC secret, static file versions."""

    templates: Jinja2Templates
    secret: bytes
    static_versions: dict[str, str]


def build_state(container: Container) -> WebState:
    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["snippet"] = lambda s: Markup(snippet_html(s))  # a search.Snippet
    versions = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:10] for p in STATIC_DIR.iterdir() if p.is_file()}
    return WebState(templates=Jinja2Templates(env=env), secret=security.load_secret(container.settings),
                    static_versions=versions)


def web_state(request: Request) -> WebState:
    return request.app.state.web


def container_of(request: Request) -> Container:
    return request.app.state.container


def translator(request: Request) -> Translator:
    cached = getattr(request.state, "translator", None)
    if cached is None:
        lang = pick_language(request.query_params.get("lang"), request.cookies.get(security.LANG_COOKIE))
        cached = Translator(lang, container_of(request).settings.web_timezone)
        request.state.translator = cached
    return cached


def navigation(request: Request, actor: Actor | None) -> list[dict]:
    if actor is None:
        return []
    path = request.url.path
    return [{"href": href, "label": translator(request)(key), "current": path.startswith(href)}
            for href, key, action in NAVIGATION if actor.may_somewhere(action)]


def url_with(request: Request, **changes: object) -> str:
    """The current URL with some query parameters replaced (None removes one)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    for k, v in changes.items():
        if v is None:
            continue
        params += [(k, str(x)) for x in v] if isinstance(v, (list, tuple)) else [(k, str(v))]
    query = urlencode(params)
    return request.url.path + (f"?{query}" if query else "")


def finish(request: Request, response: Response) -> Response:
    """Headers and cookies every web response carries (pages, redirects, downloads)."""
    for k, v in SECURITY_HEADERS.items():
        response.headers.setdefault(k, v)
    lang = request.query_params.get("lang")
    if lang and lang == translator(request).lang:
        response.set_cookie(security.LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", path="/")
    security.remember_pre_session(request, response)
    return response


def render(request: Request, template: str, context: dict | None = None, *, actor: Actor | None = None,
           status: int = 200) -> HTMLResponse:
    state = web_state(request)
    t = translator(request)
    actor = actor or getattr(request.state, "actor", None)
    flash = security.read_flash(state.secret, request)
    ctx = {
        "t": t, "lang": t.lang, "actor": actor, "nav": navigation(request, actor), "flash": flash,
        "csrf": security.csrf_token(state.secret, request), "csrf_field": security.CSRF_FIELD,
        "static": lambda name: f"/static/{name}?v={state.static_versions.get(name, '0')}",
        "url_with": lambda **kw: url_with(request, **kw),
        "other_lang": "en" if t.lang == "vi" else "vi",
        **(context or {}),
    }
    response = state.templates.TemplateResponse(request, template, ctx, status_code=status)
    if flash:
        response.delete_cookie(security.FLASH_COOKIE, path="/")
    return finish(request, response)  # type: ignore[return-value]
