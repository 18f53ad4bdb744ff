"""What every CLI command shares: building the container and mapping errors to exit codes."""

from __future__ import annotations

import json
from typing import Callable

import typer

from archive.bootstrap import Container, build
from archive.crypto import FieldKeyError
from archive.errors import ArchiveError, Forbidden
from archive.settings import Settings
from ingest import InvalidUpload
from search import SearchError
from storage import StorageError


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"Lỗi: {message}", err=True)
    raise typer.Exit(code)


def run(fn: Callable[[Container], object]) -> object:
    """Build the container, run, map domain errors to exit codes in one place."""
    c = build(Settings())
    try:
        return fn(c)
    except Forbidden as exc:
        fail(str(exc), 5)
    except (ArchiveError, InvalidUpload, FieldKeyError) as exc:
        fail(str(exc))
    except (SearchError, StorageError) as exc:
        fail(f"lỗi hệ thống lưu trữ/tìm kiếm: {exc}", 2)
    finally:
        c.close()


def print_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


