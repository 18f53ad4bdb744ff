"""What every CLI command shares: building the container and mapping errors to exit codes."""

from __future__ import annotations

import json
from typing import Callable

import typer
from pydantic import ValidationError

from archive import error_table
from archive.bootstrap import Container, build
from archive.settings import Settings
from archive.task_queue import TaskQueue


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"Lỗi: {message}", err=True)
    raise typer.Exit(code)


def settings() -> Settings:
    """The environment's settings, or a one-line message per bad variable and exit 78 (EX_CONFIG)."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = [f"ARCHIVE_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg'].removeprefix('Value error, ')}"
                 for e in exc.errors()]
        fail("cấu hình không hợp lệ — " + "; ".join(lines), 78)
        raise  # fail() exits


def run(fn: Callable[[Container], object], *, queue: TaskQueue | None = None) -> object:
    """Build the container, run, map domain errors to exit codes in one place.

    queue: NullQueue for commands whose work runs here, in this process (nothing sent to workers)."""
    c = build(settings(), queue=queue)
    try:
        return fn(c)
    except Exception as exc:  # noqa: BLE001 — the error table says which are the user's and how to say it
        rule = error_table.rule_for(exc)
        if rule is None:
            raise
        fail(error_table.message(exc), rule.exit_code)
    finally:
        c.close()


def print_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


