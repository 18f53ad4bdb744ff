"""Web interface (giao diện web) for archivists, HR officers, admins and auditors.

Server-rendered Jinja2 pages plus a little JavaScript of our own (no build step). Pages are
thin like the API's routers: parse, call a service, render; the Actor comes from a session
cookie, so scopes, clearance and the audit log apply exactly as for the API.
"""

from archive.web.app import install_web

__all__ = ["install_web"]
