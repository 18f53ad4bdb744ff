"""Calling an ASGI app directly with a body it must ask for, counting what it read — to show a
guard answered before reading a byte."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    read: int  # body bytes the app asked for
    set_cookies: list[str]


def asgi_call(app, method: str, path: str, headers: dict[str, str], body: bytes, chunk: int = 1 << 16) -> Answer:
    """One request straight into the ASGI app, the body handed over `chunk` bytes per receive()."""
    read = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal read
        if read >= len(body):
            return {"type": "http.request", "body": b"", "more_body": False}
        part = body[read:read + chunk]
        read += len(part)
        return {"type": "http.request", "body": part, "more_body": read < len(body)}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80), "state": {}}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Answer(status=start["status"], headers={k.decode(): v.decode() for k, v in start["headers"]},
                  body=payload, read=read,
                  set_cookies=[v.decode() for k, v in start["headers"] if k.lower() == b"set-cookie"])
