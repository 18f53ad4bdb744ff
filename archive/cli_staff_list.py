"""`archive staff list` (danh sách cán bộ) and how people found by a search are printed.

Thin like every command: parse, call archive.services.staff_list or .search, print — as lines
for people, or with --json in the API's shape.
"""

from __future__ import annotations

from typing import List, Optional

import typer

from archive.cli_common import print_json, run
from archive.domain import STATUS_LABELS, StaffStatus
from archive.services.access import cli_actor
from search import PeopleResult


def _status(code: str) -> str:
    try:
        return STATUS_LABELS[StaffStatus(code)]
    except ValueError:
        return code


def _day(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if len(iso) >= 10 else "—"


def print_people(result: PeopleResult, suggestions: tuple[str, ...] = (), *, as_json: bool = False) -> None:
    """People as lines: code, name, birth date, unit, status; their matching pages beneath."""
    if as_json:
        from archive.api.search_json import people_json

        print_json(people_json(result, suggestions))
        return
    about = "" if result.exact else "khoảng "
    typer.echo(f"{about}{result.total} cán bộ khớp")
    for h in result.hits:
        pages = f" · {h.match_count} trang khớp" if h.match_count else ""
        typer.echo(f"- {h.staff_code} {h.full_name} · sinh {_day(h.birth_date)} · {h.unit} · {_status(h.status)}"
                   f"{pages}")
        for m in h.matched:
            typer.echo(f"    tài liệu #{m.document_id} trang {m.page}: {m.snippet.marked('[', ']')}")
    if suggestions:
        typer.echo("Có phải bạn muốn tìm: " + "; ".join(suggestions))


def register(app: typer.Typer, staff_app: typer.Typer) -> None:
    @staff_app.command("list")
    def staff_list(
        unit: str = typer.Option("", "--unit", help="mã đơn vị: cả cây đơn vị con"),
        status: Optional[List[str]] = typer.Option(None, "--status", help=", ".join(s.value for s in StaffStatus)),
        grade: Optional[List[str]] = typer.Option(None, "--grade", help="mã ngạch, ví dụ 01.003"),
        category: Optional[List[str]] = typer.Option(None, "--category", help="cong_chuc | vien_chuc | khac"),
        born_from: Optional[int] = typer.Option(None, "--born-from", help="năm sinh từ"),
        born_to: Optional[int] = typer.Option(None, "--born-to", help="năm sinh đến"),
        query: str = typer.Option("", "--query", "-q", help="từ trong tên, mã hoặc hồ sơ"),
        sort: str = typer.Option("name", "--sort", help="name (theo tên) | birth_date | status_date"),
        limit: int = typer.Option(50, "--limit"),
        offset: int = typer.Option(0, "--offset"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """List staff records (danh sách cán bộ), with or without documents, in Vietnamese name order."""
        from archive.services.staff_list import StaffListParams, list_staff

        params = StaffListParams(unit=unit, statuses=tuple(status or ()), grades=tuple(grade or ()),
                                 categories=tuple(category or ()), birth_year_from=born_from,
                                 birth_year_to=born_to, q=query, sort=sort)
        result = run(lambda c: list_staff(c, cli_actor(), params, limit=limit, offset=offset))
        print_people(result, as_json=as_json)
