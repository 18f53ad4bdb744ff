"""Request dependencies: the Container and the authenticated Actor (Bearer token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from archive.bootstrap import Container
from archive.errors import Unauthenticated
from archive.request_info import client_ip
from archive.services.access import Actor
from archive.services.accounts import authenticate

_bearer = HTTPBearer(auto_error=False, description="session token from /auth/login or an API token")


def get_container(request: Request) -> Container:
    return request.app.state.container


def get_actor(request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Actor:
    if creds is None:
        raise Unauthenticated("Cần đăng nhập (Authorization: Bearer …).")
    return authenticate(get_container(request), creds.credentials, ip=client_ip(request))


ContainerDep = Annotated[Container, Depends(get_container)]
ActorDep = Annotated[Actor, Depends(get_actor)]
