"""Paper side of dossiers: `archive completeness show|components|set`, `archive inventory set|show|boxes|box`,
`archive label print|resolve`, `archive loan out|back|list`.

Thin, like every command: parse, call a service (archive/services/completeness.py, inventory.py,
labels.py, loans.py), print. The operator acts as the system (`cli:<OS user>` in the audit log).
Exit codes: 0 done; 1 bad input, not found or refused (e.g. a second open loan); 5 not allowed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from archive.cli_common import fail, print_json, run
from archive.services.access import cli_actor

completeness_app = typer.Typer(help="Thành phần hồ sơ: hồ sơ đủ / thiếu thành phần.", no_args_is_help=True)
inventory_app = typer.Typer(help="Kho hồ sơ giấy: kho, giá, hộp, số thứ tự, số trang giấy.", no_args_is_help=True)
label_app = typer.Typer(help="Nhãn QR cho bìa hồ sơ và hộp.", no_args_is_help=True)
loan_app = typer.Typer(help="Mượn / trả hồ sơ giấy.", no_args_is_help=True)


def _day(value: str | None, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{what} phải có dạng YYYY-MM-DD.")
        raise


@completeness_app.command("show")
def completeness_show(code: str | None = typer.Argument(None, help="mã cán bộ (bỏ trống: cả đơn vị)"),
                      unit: str = typer.Option("", "--unit", help="mã đơn vị (cả cây đơn vị con)"),
                      incomplete: bool = typer.Option(False, "--incomplete", help="chỉ hồ sơ còn thiếu"),
                      as_json: bool = typer.Option(False, "--json")) -> None:
    """Thành phần hồ sơ của một hồ sơ, hoặc tỷ lệ đủ theo đơn vị và danh sách hồ sơ thiếu."""
    from archive.services import completeness

    if code:
        one = run(lambda c: completeness.dossier_completeness(c, cli_actor(), code))
        if as_json:
            print_json(one.to_dict())
            return
        typer.echo(f"{one.staff_code} {one.full_name}: {'đủ' if one.complete else 'thiếu'} ({one.percent}%)")
        for s in one.components:
            mark = "✓" if s.present else ("✗" if s.component.required else "·")
            typer.echo(f"  {mark} {s.component.name}{'' if s.component.required else ' (không bắt buộc)'}")
        return
    report = run(lambda c: completeness.completeness_report(c, cli_actor(), unit=unit))
    if as_json:
        print_json(report.to_dict(incomplete_only=incomplete))
        return
    for u in report.units:
        typer.echo(f"{u.unit_code:16} {u.complete}/{u.dossiers} hồ sơ đủ ({u.percent}%)")
    for d in report.incomplete if incomplete else report.dossiers:
        missing = ", ".join(m.name for m in d.missing) or "đủ"
        typer.echo(f"  {d.staff_code:12} {d.full_name:30} {missing}")


@completeness_app.command("components")
def completeness_components(as_json: bool = typer.Option(False, "--json")) -> None:
    """Danh mục thành phần hồ sơ (bảng kiểm), kèm căn cứ."""
    from archive.services.completeness import list_components

    rows = run(lambda c: list_components(c, cli_actor()))
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    for r in rows:
        scope = ", ".join(r.statuses + r.categories) or "mọi hồ sơ"
        typer.echo(f"{r.code:28} {'bắt buộc' if r.required else 'không bắt buộc':15} {r.name} [{scope}]")


@completeness_app.command("set")
def completeness_set(code: str = typer.Argument(...), name: str = typer.Option(..., "--name"),
                     types: list[str] = typer.Option(..., "--type", help="mã loại tài liệu đáp ứng (lặp lại được)"),
                     statuses: list[str] = typer.Option([], "--status", help="chỉ áp dụng cho trạng thái này"),
                     categories: list[str] = typer.Option([], "--category", help="can_bo | cong_chuc | vien_chuc"),
                     optional: bool = typer.Option(False, "--optional", help="không bắt buộc"),
                     inactive: bool = typer.Option(False, "--inactive", help="tạm không áp dụng"),
                     source: str = typer.Option("", "--source", help="căn cứ")) -> None:
    """Thêm hoặc sửa một thành phần hồ sơ (quản trị cấp tỉnh)."""
    from archive.services.completeness import set_component

    out = run(lambda c: set_component(c, cli_actor(), code, name=name, document_types=types, required=not optional,
                                      statuses=statuses, categories=categories, source=source, active=not inactive))
    typer.echo(f"Đã lưu thành phần hồ sơ {out.code}: {out.name}.")


@inventory_app.command("set")
def inventory_set(code: str = typer.Argument(..., help="mã cán bộ"), kho: str = typer.Option(..., "--kho"),
                  gia: str = typer.Option(..., "--gia"), hop: str = typer.Option(..., "--hop"),
                  stt: int = typer.Option(..., "--stt", help="số thứ tự trong hộp"),
                  pages: int | None = typer.Option(None, "--pages", help="số trang giấy"),
                  as_json: bool = typer.Option(False, "--json")) -> None:
    """Ghi vị trí lưu hồ sơ giấy."""
    from archive.services.inventory import set_location

    out = run(lambda c: set_location(c, cli_actor(), code, kho=kho, gia=gia, hop=hop, stt=stt, paper_pages=pages))
    if as_json:
        print_json(out.to_dict())
        return
    typer.echo(f"Đã ghi vị trí hồ sơ {out.staff_code}: {out.place} (mã hộp {out.box.code}).")


@inventory_app.command("show")
def inventory_show(code: str = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    """Vị trí lưu hồ sơ giấy của một hồ sơ."""
    from archive.services.inventory import get_location

    out = run(lambda c: get_location(c, cli_actor(), code))
    if as_json:
        print_json(out.to_dict() if out else None)
        return
    typer.echo(f"{code}: {out.place}, {out.paper_pages if out.paper_pages is not None else '?'} trang giấy"
               if out else f"{code}: chưa ghi vị trí lưu.")


@inventory_app.command("boxes")
def inventory_boxes(as_json: bool = typer.Option(False, "--json")) -> None:
    """Các hộp hồ sơ."""
    from archive.services.inventory import list_boxes

    rows = run(lambda c: list_boxes(c, cli_actor()))
    if as_json:
        print_json([b.to_dict() for b in rows])
        return
    for b in rows:
        typer.echo(f"{b.code:30} {b.place}  {b.dossiers} hồ sơ")


@inventory_app.command("box")
def inventory_box(code: str = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    """Các hồ sơ trong một hộp, theo số thứ tự."""
    from archive.services.inventory import get_box

    out = run(lambda c: get_box(c, cli_actor(), code))
    if as_json:
        print_json(out.to_dict())
        return
    typer.echo(f"{out.box.code}: {out.box.place}")
    for d in out.dossiers:
        typer.echo(f"  {d['stt']:>4}  {d['code']:12} {d['full_name']}")


@label_app.command("print")
def label_print(codes: list[str] = typer.Argument(None, help="mã cán bộ"),
                boxes: list[str] = typer.Option([], "--box", help="mã hộp (lặp lại được)"),
                with_dossiers: bool = typer.Option(False, "--with-dossiers", help="kèm nhãn mọi hồ sơ trong hộp"),
                out: Path = typer.Option(..., "--out", help="tệp PDF ghi ra")) -> None:
    """In nhãn QR (tờ A4, 12 nhãn mỗi trang) cho các hồ sơ và hộp."""
    from archive.services.labels import label_sheet

    data = run(lambda c: label_sheet(c, cli_actor(), staff_codes=codes or [], box_codes=boxes,
                                     box_with_dossiers=with_dossiers))
    try:
        out.write_bytes(data)
    except OSError:
        fail("Không ghi được tệp PDF ra đường dẫn đã chọn.")
    typer.echo(f"Đã ghi tờ nhãn ({len(data)} byte).")


@label_app.command("resolve")
def label_resolve(text: str = typer.Argument(..., help="nội dung quét được hoặc mã gõ tay"),
                  as_json: bool = typer.Option(False, "--json")) -> None:
    """Nhãn này là hồ sơ hay hộp nào."""
    from archive.services.labels import resolve_label

    out = run(lambda c: resolve_label(c, cli_actor(), text))
    if as_json:
        print_json(out.to_dict())
        return
    typer.echo(f"{'Hồ sơ' if out.kind == 'staff' else 'Hộp'} {out.code}: {out.title}")


@loan_app.command("out")
def loan_out(code: str = typer.Argument(...), borrower: str = typer.Option("", "--borrower", help="họ tên người mượn"),
             unit: str = typer.Option("", "--unit", help="đơn vị người mượn"),
             user: str = typer.Option("", "--user", help="tài khoản người mượn (thay cho họ tên, đơn vị)"),
             purpose: str = typer.Option(..., "--purpose", help="mục đích mượn"),
             due: str = typer.Option(..., "--due", help="hạn trả YYYY-MM-DD"),
             lent_on: str | None = typer.Option(None, "--lent-on", help="ngày mượn YYYY-MM-DD (mặc định hôm nay)"),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """Ghi cho mượn hồ sơ giấy."""
    from archive.services.loans import lend

    due_day, lent_day = _day(due, "Hạn trả"), _day(lent_on, "Ngày mượn")
    out = run(lambda c: lend(c, cli_actor(), code, borrower_name=borrower, borrower_unit=unit, borrower_user=user,
                             purpose=purpose, due_date=due_day, lent_on=lent_day))
    if as_json:
        print_json(out.to_dict())
        return
    typer.echo(f"Đã ghi cho mượn hồ sơ {out.staff_code} (phiếu số {out.id}), hạn trả {out.due_date:%d/%m/%Y}.")


@loan_app.command("back")
def loan_back(code: str = typer.Argument(...), note: str = typer.Option("", "--note"),
              as_json: bool = typer.Option(False, "--json")) -> None:
    """Ghi trả hồ sơ giấy."""
    from archive.services.loans import return_loan

    out = run(lambda c: return_loan(c, cli_actor(), code, note=note))
    if as_json:
        print_json(out.to_dict())
        return
    typer.echo(f"Đã ghi trả hồ sơ {out.staff_code} (phiếu số {out.id}).")


@loan_app.command("list")
def loan_list(overdue: bool = typer.Option(False, "--overdue", help="chỉ phiếu quá hạn"),
              open_only: bool = typer.Option(False, "--open", help="chỉ phiếu chưa trả"),
              as_json: bool = typer.Option(False, "--json")) -> None:
    """Danh sách phiếu mượn hồ sơ."""
    from archive.services.loans import list_loans

    rows = run(lambda c: list_loans(c, cli_actor(), overdue=overdue, open_only=open_only))
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    for r in rows:
        state = f"quá hạn {r.days_overdue} ngày" if r.overdue else ("đang mượn" if r.open else "đã trả")
        typer.echo(f"{r.id:>5} {r.staff_code:12} {r.borrower_name:25} hạn {r.due_date:%d/%m/%Y}  {state}")


def register(app: typer.Typer) -> None:
    app.add_typer(completeness_app, name="completeness")
    app.add_typer(inventory_app, name="inventory")
    app.add_typer(label_app, name="label")
    app.add_typer(loan_app, name="loan")
