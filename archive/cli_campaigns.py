"""Sampling audits and the log from the command line (the operator acts as the system):

`archive campaign open --unit U --size 10|--percent 5 [--seed S]`, `campaign list`, `campaign show ID`,
`campaign check ID CODE --pages-match yes … --outcome dat`, `campaign close ID`,
`campaign report ID --format pdf|xlsx --out F`; `archive audit export --from --to --out F.csv`,
`archive audit alerts [--from --to --kind]`. Thin: parse, call the services, print.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Optional

import typer

from archive.cli_common import fail, print_json, run
from archive.services import audit_views, campaign_report, campaigns, log_review
from archive.services.access import cli_actor

campaign_app = typer.Typer(help="Đợt kiểm tra hồ sơ theo mẫu (chọn mẫu ngẫu nhiên phân tầng).", no_args_is_help=True)

ANSWER_HELP = "yes | no | na"


def _print(view: campaigns.CampaignView) -> None:
    r = view.rates
    typer.echo(f"Đợt kiểm tra số {view.id}: {view.title} — đơn vị {view.unit_code}, "
               f"{'đang kiểm tra' if view.state == 'open' else 'đã kết thúc'}")
    typer.echo(f"Chọn mẫu: cỡ {view.size_text}, hạt giống «{view.seed}», {r.sampled}/{view.population_count} hồ sơ")
    for i in view.items:
        checks = " ".join(f"{k}={i.checks[k] or '-'}" for k in campaigns.CHECKS)
        outcome = campaigns.OUTCOMES.get(i.outcome or "", "chưa kiểm tra")
        typer.echo(f"  {i.staff_code}  {i.unit_code}  {outcome}  {checks}" + (f"  «{i.notes}»" if i.notes else ""))
    typer.echo(f"Đã kiểm tra {r.checked}/{r.sampled}; đạt {r.passed}, không đạt {r.failed}, sai lệch {r.discrepancies}")


@campaign_app.command("open")
def campaign_open(unit: str = typer.Option(..., "--unit", help="mã đơn vị (cả đơn vị cấp dưới)"),
                  size: Optional[int] = typer.Option(None, "--size", help="số hồ sơ trong mẫu"),
                  percent: Optional[int] = typer.Option(None, "--percent", help="hoặc tỷ lệ phần trăm"),
                  seed: str = typer.Option("", "--seed", help="hạt giống (bỏ trống: ngẫu nhiên, được ghi lại)"),
                  title: str = typer.Option("", "--title"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Open a campaign: freeze the subtree's records and draw the stratified sample."""
    actor = cli_actor()
    view = run(lambda c: campaigns.open_campaign(c, actor, unit_code=unit, size=size, percent=percent, seed=seed,
                                                 title=title))
    print_json(view.to_dict()) if as_json else _print(view)


@campaign_app.command("list")
def campaign_list(as_json: bool = typer.Option(False, "--json")) -> None:
    actor = cli_actor()
    views = run(lambda c: campaigns.list_campaigns(c, actor))
    if as_json:
        print_json([{k: v for k, v in x.to_dict().items() if k != "items"} for x in views])
        return
    if not views:
        typer.echo("Chưa có đợt kiểm tra nào.")
    for v in views:
        typer.echo(f"{v.id}  {v.unit_code}  {v.state}  {v.rates.checked}/{v.rates.sampled}  {v.title}")


@campaign_app.command("show")
def campaign_show(campaign_id: int = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    actor = cli_actor()
    view = run(lambda c: campaigns.get_campaign(c, actor, campaign_id))
    print_json(view.to_dict()) if as_json else _print(view)


@campaign_app.command("check")
def campaign_check(campaign_id: int = typer.Argument(...), code: str = typer.Argument(..., help="mã hồ sơ"),
                   pages_match: str = typer.Option(..., "--pages-match", help=ANSWER_HELP),
                   fields_match: str = typer.Option(..., "--fields-match", help=ANSWER_HELP),
                   findings_reviewed: str = typer.Option(..., "--findings-reviewed", help=ANSWER_HELP),
                   components_complete: str = typer.Option(..., "--components-complete", help=ANSWER_HELP),
                   outcome: str = typer.Option(..., "--outcome", help="dat | khong_dat"),
                   notes: str = typer.Option("", "--notes")) -> None:
    """Record the checklist and outcome of one sampled dossier."""
    actor = cli_actor()
    checks = {"pages_match": pages_match, "fields_match": fields_match, "findings_reviewed": findings_reviewed,
              "components_complete": components_complete}
    run(lambda c: campaigns.check_item(c, actor, campaign_id, code, checks=checks, outcome=outcome, notes=notes))
    typer.echo(f"Đã ghi kết quả kiểm tra hồ sơ {code}: {campaigns.OUTCOMES.get(outcome, outcome)}.")


@campaign_app.command("close")
def campaign_close(campaign_id: int = typer.Argument(...)) -> None:
    actor = cli_actor()
    view = run(lambda c: campaigns.close_campaign(c, actor, campaign_id))
    typer.echo(f"Đã kết thúc đợt kiểm tra số {view.id}: đạt {view.rates.passed}, không đạt {view.rates.failed}.")


@campaign_app.command("report")
def campaign_report_cmd(campaign_id: int = typer.Argument(...),
                        fmt: str = typer.Option("pdf", "--format", help="pdf | xlsx"),
                        out: Path = typer.Option(..., "--out", help="tệp ghi biên bản")) -> None:
    """Write the biên bản (PDF or XLSX)."""
    actor = cli_actor()

    def make(c) -> bytes:  # noqa: ANN001
        view = campaigns.record_report(c, actor, campaign_id, fmt)
        tz = c.settings.web_timezone
        return campaign_report.pdf(view, tz=tz) if fmt == "pdf" else campaign_report.xlsx(view, tz=tz)

    body = run(make)
    _write(out, body)
    typer.echo(f"Đã ghi biên bản ({len(body):,} byte) vào {out}.".replace(",", "."))


def _write(out: Path, body: bytes) -> None:
    try:
        out.write_bytes(body)
    except OSError as exc:
        fail(f"không ghi được tệp {out.name}: {exc.strerror or 'lỗi hệ thống tệp'}.")


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{name} phải là ngày dạng YYYY-MM-DD, nhận được «{value}».")
        raise


def _bounds(since: str, until: str, tz: str) -> tuple[datetime | None, datetime | None]:
    """Local days (inclusive) → [start, end) in naive UTC."""
    a, b = _day(since, "--from"), _day(until, "--to")
    return (log_review.local_day_bounds(a, tz)[0] if a else None,
            log_review.local_day_bounds(b, tz)[1] if b else None)


def audit_export(since: str = typer.Option("", "--from", help="từ ngày (YYYY-MM-DD, giờ địa phương)"),
                 until: str = typer.Option("", "--to", help="đến hết ngày (YYYY-MM-DD)"),
                 user: str = typer.Option("", "--user"), action: str = typer.Option("", "--action"),
                 target: str = typer.Option("", "--record", help="mã hồ sơ, số tài liệu, tên tài khoản…"),
                 out: Path = typer.Option(..., "--out", help="tệp CSV")) -> None:
    """Export the audit log, filtered, as CSV (UTF-8 with BOM for Excel); the export is audited."""
    actor = cli_actor()

    def make(c) -> tuple[bytes, int]:  # noqa: ANN001
        a, b = _bounds(since, until, c.settings.web_timezone)
        return audit_views.export_csv(c, actor, actor=user or None, action=action or None,
                                      target_id=target or None, since=a, until=b)

    body, rows = run(make)
    _write(out, body)
    typer.echo(f"Đã xuất {rows} mục nhật ký vào {out}.")


def audit_alerts(since: str = typer.Option("", "--from", help="từ ngày (mặc định: 7 ngày qua)"),
                 until: str = typer.Option("", "--to"), kind: str = typer.Option("", "--kind",
                                                                                 help=", ".join(log_review.KINDS)),
                 as_json: bool = typer.Option(False, "--json")) -> None:
    """Log-review alerts (Hà Nội QĐ 6033/2015 Đ8.2.c): failed logins, bulk exports, off-hours, many views."""
    actor = cli_actor()

    def make(c):  # noqa: ANN001, ANN202
        a, b = _bounds(since, until, c.settings.timezone)
        if a and not b:
            b = a + timedelta(days=7)
        return log_review.review(c, actor, since=a, until=b, kind=kind or None)

    alerts = run(make)
    if as_json:
        print_json([a.to_dict() for a in alerts])
        return
    if not alerts:
        typer.echo("Không có cảnh báo nào.")
    for a in alerts:
        typer.echo(f"[{log_review.KINDS[a.kind]}] {a.text}" + (" (đã ghi nhận)" if a.recorded else ""))


def register(app: typer.Typer, audit_app: typer.Typer) -> None:
    app.add_typer(campaign_app, name="campaign")
    audit_app.command("export")(audit_export)
    audit_app.command("alerts")(audit_alerts)
