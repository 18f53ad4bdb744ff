"""`archive import-staff FILE` (nhập hồ sơ cán bộ từ Excel) and `archive import-template save|list`.

Thin: read the file, call archive.services.staff_import as the operator, print the plan (every
row's problems and conflicts, in Vietnamese) or, with --json, the API's shape. Without
--dry-run the plan is applied right after it is made. Exit 1 on a bad file or mapping; exit 2
when rows had problems (the others were imported), so scripts notice.
"""

from __future__ import annotations

from pathlib import Path

import typer

from archive.cli_common import fail, print_json, run
from archive.services.access import cli_actor

template_app = typer.Typer(help="Mẫu ánh xạ cột cho nhập hồ sơ cán bộ từ Excel.", no_args_is_help=True)
ACTION_TEXT = {"create": "thêm mới", "update": "cập nhật", "unchanged": "không đổi", "conflict": "xung đột",
               "problem": "lỗi"}


def parse_maps(maps: list[str]) -> dict[str, str]:
    """"Họ và tên=full_name" options as a mapping; a malformed one exits 1."""
    out: dict[str, str] = {}
    for m in maps:
        header, sep, key = m.rpartition("=")
        if not sep or not header.strip():
            fail(f"Ánh xạ phải có dạng \"Tiêu đề cột=trường\", nhận được {m!r}.")
        out[header.strip()] = key.strip()
    return out


def print_run(view, *, as_json: bool) -> None:
    if as_json:
        print_json(view.to_dict())
        return
    n = view.counts
    state = "đã nhập" if view.state == "applied" else "nhập thử (chưa ghi)"
    typer.echo(f"Lần nhập #{view.id} {view.file_name}: {state} — {n['rows']} dòng: {n['create']} thêm mới, "
               f"{n['update']} cập nhật, {n['unchanged']} không đổi, {n['conflict']} xung đột, {n['problem']} lỗi")
    for r in view.rows:
        if r["action"] == "unchanged":
            continue
        typer.echo(f"  dòng {r['row']} {r['code'] or '—'} {r['name']}: {ACTION_TEXT[r['action']]}")
        for ch in r["changes"] if r["action"] != "create" else ():
            typer.echo(f"      {ch['label']}: {ch['before'] or '—'} → {ch['after']}")
        for x in r["conflicts"]:
            typer.echo(f"      {x['label']}: {x['message']}")
        for p in r["problems"]:
            typer.echo(f"      {p}")


def register(app: typer.Typer) -> None:
    @app.command("import-staff")
    def import_staff(
        file: Path = typer.Argument(..., help=".xlsx, .xls hoặc .csv"),
        template: str = typer.Option("", "--template", help="tên mẫu ánh xạ đã lưu"),
        maps: list[str] | None = typer.Option(None, "--map", help='"Tiêu đề cột=trường", ví dụ "Họ và tên=full_name"'),
        dry_run: bool = typer.Option(False, "--dry-run", help="chỉ xem trước, không ghi gì"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Import staff records from a spreadsheet; legacy TCVN3/VNI text becomes Unicode."""
        from archive.services.staff_import import apply_import, plan_import

        if template and maps:
            fail("Chọn --template hoặc --map, không dùng cả hai.")
        if not file.is_file():
            fail(f"Không tìm thấy tệp {file.name}.")
        try:
            data = file.read_bytes()
        except OSError:
            fail(f"Không đọc được tệp {file.name}.")
        mapping = parse_maps(maps or [])
        actor = cli_actor()

        def work(c):
            view = plan_import(c, actor, data, file.name, mapping=mapping or None, template=template)
            return view if dry_run else apply_import(c, actor, view.id)

        view = run(work)
        print_run(view, as_json=as_json)
        if view.counts["problem"]:
            raise typer.Exit(2)

    @template_app.command("save")
    def template_save(name: str = typer.Argument(..., help="tên mẫu"),
                      maps: list[str] = typer.Option(..., "--map", help='"Tiêu đề cột=trường"')) -> None:
        """Save (or replace) a column mapping template."""
        from archive.services.staff_import import save_template

        saved = run(lambda c: save_template(c, cli_actor(), name, parse_maps(maps)))
        typer.echo(f"Đã lưu mẫu ánh xạ {saved['name']} ({len(saved['mapping'])} cột).")

    @template_app.command("list")
    def template_list(as_json: bool = typer.Option(False, "--json")) -> None:
        """List the saved mapping templates."""
        from archive.services.staff_import import list_templates

        rows = run(lambda c: list_templates(c, cli_actor()))
        if as_json:
            print_json(rows)
            return
        if not rows:
            typer.echo("Chưa có mẫu ánh xạ nào.")
        for t in rows:
            pairs = "; ".join(f"{h} → {k or '(bỏ qua)'}" for h, k in t["mapping"].items())
            typer.echo(f"- {t['name']}: {pairs}")

    app.add_typer(template_app, name="import-template")
