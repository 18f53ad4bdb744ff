"""Retention commands: `archive retention rules | set-rule | apply | hold | release | holds | propose |
proposals | approve` — thời hạn bảo quản, phong tỏa, hủy tài liệu hết giá trị.

Thin, like every command: parse, call a service (archive/services/retention.py, legal_hold.py,
disposition.py), print. The operator acts as the system, named `cli:<OS user>` in the audit log:
the two approvals of a disposition must come from two different people (two OS accounts, or the
web/API). Exit codes: 0 done; 1 bad input or refused (e.g. shortening without a decision); 5 not
allowed; 70 a bug.
"""

from __future__ import annotations

from datetime import date
from typing import Optional

import typer

from archive.cli_common import fail, print_json, run
from archive.services.access import cli_actor

retention_app = typer.Typer(help="Thời hạn bảo quản, phong tỏa và hủy tài liệu hết giá trị.", no_args_is_help=True)


@retention_app.command("rules")
def rules(as_json: bool = typer.Option(False, "--json")) -> None:
    """Bảng thời hạn bảo quản: mỗi loại tài liệu một dòng, kèm căn cứ."""
    from archive.services.retention import list_rules

    out = run(lambda c: list_rules(c, cli_actor()))
    if as_json:
        print_json([r.to_dict() for r in out])
        return
    for r in out:
        typer.echo(f"{r.document_type:40} {r.label:45} tối thiểu: {r.legal_minimum_label}")


@retention_app.command("set-rule")
def set_rule(document_type: str = typer.Argument(..., help="mã loại tài liệu (danh mục loai_tai_lieu)"),
             permanent: bool = typer.Option(False, "--vinh-vien", help="bảo quản vĩnh viễn"),
             years: Optional[int] = typer.Option(None, "--years", help="số năm bảo quản"),
             counted_from: str = typer.Option("document_date", "--from",
                                              help="mốc tính: document_date | retirement | death | leaving"),
             decision: str = typer.Option("", "--decision", help="số quyết định (bắt buộc khi rút ngắn)"),
             reason: str = typer.Option("", "--reason", help="lý do (bắt buộc khi rút ngắn)")) -> None:
    """Đặt thời hạn bảo quản của một loại tài liệu; rút ngắn cần số quyết định và lý do."""
    from archive.services.retention import set_rule as service

    if permanent == (years is not None):
        fail("Chọn --vinh-vien hoặc --years N.")
    out = run(lambda c: service(c, cli_actor(), document_type, permanent=permanent, years=years,
                                counted_from=counted_from, decision_ref=decision, reason=reason))
    typer.echo(f"Đã đặt thời hạn bảo quản của {out.document_type}: {out.label}.")


@retention_app.command("apply")
def apply() -> None:
    """Ghi một lượt áp thời hạn bảo quản lên mọi đối tượng lưu trữ (worker thực hiện)."""
    from archive.services.retention import enqueue_pass

    job_id = run(lambda c: enqueue_pass(c, cli_actor()))
    typer.echo(f"Đã ghi công việc áp thời hạn bảo quản số {job_id}.")


@retention_app.command("hold")
def hold(reason: str = typer.Option(..., "--reason", help="lý do phong tỏa"),
         reference: str = typer.Option(..., "--ref", help="số văn bản căn cứ"),
         document_id: Optional[int] = typer.Option(None, "--doc", help="số tài liệu"),
         staff_code: Optional[str] = typer.Option(None, "--staff", help="mã cán bộ (phong tỏa cả hồ sơ)")) -> None:
    """Phong tỏa một tài liệu hoặc cả một hồ sơ."""
    from archive.services.legal_hold import place_hold

    out = run(lambda c: place_hold(c, cli_actor(), reason=reason, reference=reference, document_id=document_id,
                                   staff_code=staff_code))
    typer.echo(f"Đã phong tỏa ({out.target_label}, hồ sơ {out.staff_code}): lệnh số {out.id}.")


@retention_app.command("release")
def release(hold_id: int = typer.Argument(..., help="số lệnh phong tỏa"),
            reason: str = typer.Option(..., "--reason", help="lý do giải tỏa")) -> None:
    """Giải tỏa một lệnh phong tỏa."""
    from archive.services.legal_hold import release_hold

    out = run(lambda c: release_hold(c, cli_actor(), hold_id, reason=reason))
    typer.echo(f"Đã giải tỏa lệnh số {out.id} ({out.target_label}, hồ sơ {out.staff_code}).")


@retention_app.command("holds")
def holds(staff_code: str = typer.Argument(..., help="mã cán bộ")) -> None:
    """Các lệnh phong tỏa của một hồ sơ."""
    from archive.services.legal_hold import holds_of_staff

    print_json([h.to_dict() for h in run(lambda c: holds_of_staff(c, cli_actor(), staff_code))])


@retention_app.command("propose")
def propose() -> None:
    """Lập danh mục tài liệu hết thời hạn bảo quản (đề nghị hủy)."""
    from archive.services.disposition import propose as service

    out = run(lambda c: service(c, cli_actor()))
    if out is None:
        typer.echo("Không có tài liệu nào hết thời hạn bảo quản.")
        return
    typer.echo(f"Đã lập danh mục số {out.id} gồm {len(out.items)} tài liệu.")


@retention_app.command("proposals")
def proposals() -> None:
    """Các danh mục tài liệu đề nghị hủy và trạng thái phê duyệt."""
    from archive.services.disposition import list_proposals

    print_json([p.to_dict() for p in run(lambda c: list_proposals(c, cli_actor()))])


@retention_app.command("approve")
def approve(proposal_id: int = typer.Argument(..., help="số danh mục"),
            decision: str = typer.Option(..., "--decision", help="số quyết định hủy tài liệu"),
            decision_date: Optional[str] = typer.Option(None, "--date", help="ngày quyết định, YYYY-MM-DD")) -> None:
    """Phê duyệt hủy (hai người khác nhau; lần thứ hai thực hiện việc hủy)."""
    from archive.services.disposition import approve as service

    day = None
    if decision_date:
        try:
            day = date.fromisoformat(decision_date)
        except ValueError:
            fail("Ngày quyết định phải có dạng YYYY-MM-DD.")
    out = run(lambda c: service(c, cli_actor(), proposal_id, decision_number=decision, decision_date=day))
    typer.echo(f"Danh mục số {out.id}: {out.state_label}.")


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
