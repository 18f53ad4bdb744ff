"""Kê khai, ký số and certificates from the command line (issue 18).

`archive declaration list|show|verify|approve|send-back|annual-open`, `archive cert add-ca|add-user|list`,
`archive staff export CODE --signed --out F.pdf`. Thin: parse, call archive/services/declarations.py,
certificates.py, annual_update.py, print. Verifying and approving is done by a person, so those
commands act as the account given with --user (their grants, their registered certificate) and
the audit log names the operator too; the PKCS#12's password is read from the environment
variable named by --password-env, or asked for (never an argument: it would show in `ps`).
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import typer

from archive.cli_common import fail, print_json, run
from archive.services import annual_update, certificates, declarations, signing
from archive.services.access import cli_actor
from archive.services.declaration_views import declaration_queue

declaration_app = typer.Typer(help="Kê khai, xác thực, phê duyệt hồ sơ bằng chữ ký số.", no_args_is_help=True)
cert_app = typer.Typer(help="Chứng thư số: CA tin cậy và chứng thư của người dùng.", no_args_is_help=True)


def _password(env: str) -> str:
    if env:
        value = os.environ.get(env)
        if value is None:
            fail(f"biến môi trường {env} chưa được đặt.", 2)
        return value
    return getpass.getpass("Mật khẩu tệp PKCS#12: ")


def _read(path: Path | None) -> bytes:
    if path is None:
        return b""
    try:
        return path.read_bytes()
    except OSError:
        fail("không đọc được tệp đã chọn.", 2)
        raise


def _print_view(v) -> None:  # noqa: ANN001
    typer.echo(f"Bản kê khai số {v.id} — {v.staff_name} ({v.staff_code}, {v.unit_code}) — {v.kind_label}")
    typer.echo(f"Trạng thái: {v.state_label}; xử lý: {v.route_label}")
    if v.sent_back_reason:
        typer.echo(f"Lý do trả lại ({v.sent_back_by}): {v.sent_back_reason}")
    for f in v.changed_fields:
        typer.echo(f"  {f.label}: {f.approved or '(trống)'} → {f.declared or '(trống)'}")
    for e in v.evidence:
        typer.echo(f"  Tài liệu kiểm chứng: {e['filename']} (SHA-256 {e['sha256'][:16]}…)")
    for s in v.signatures:
        typer.echo(f"  Ký {s['step']}: {s['signer']} — {s['subject']}")
    for d in v.deadlines:
        done = f"xong {d.done_on:%d/%m/%Y}" if d.done_on else "chưa xong"
        typer.echo(f"  Hạn {d.step}: {d.due:%d/%m/%Y} ({done}) — {d.article}")


@declaration_app.command("list")
def declaration_list(state: str = typer.Option("", "--state"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Every declaration (open ones first), with the next due day."""
    actor = cli_actor()
    views = run(lambda c: declaration_queue(c, actor, state=state))
    if as_json:
        print_json([v.to_dict() for v in views])
        return
    if not views:
        typer.echo("Không có bản kê khai nào.")
    for v in views:
        nd = v.next_due
        due = f", hạn {nd.step} {nd.due:%d/%m/%Y}" if nd else ""
        typer.echo(f"{v.id}  {v.staff_code}  {v.kind_label}  {v.state_label}{due}")


@declaration_app.command("show")
def declaration_show(declaration_id: int, as_json: bool = typer.Option(False, "--json")) -> None:
    actor = cli_actor()
    v = run(lambda c: declarations.get_declaration(c, actor, declaration_id))
    print_json(v.to_dict()) if as_json else _print_view(v)


def _sign_step(declaration_id: int, user: str, p12: Path | None, signed: Path | None, password_env: str,
               expected: str) -> None:
    via = cli_actor().name
    data = _read(p12)
    upload = _read(signed)
    password = "" if upload else _password(password_env)

    def go(c):  # noqa: ANN001, ANN202
        actor = declarations.acting_as(c, user, via=via)
        current = declarations.get_declaration(c, actor, declaration_id)
        if current.state != expected:
            from archive.errors import Conflict

            raise Conflict(f"Bản kê khai đang ở trạng thái “{current.state_label}”.")
        if upload:
            return declarations.upload_signed(c, actor, declaration_id, upload)
        return declarations.sign(c, actor, declaration_id, password=password, p12=data)

    v = run(go)
    typer.echo(f"Đã ký. Trạng thái: {v.state_label}.")


_USER = typer.Option(..., "--user", help="tài khoản người ký (quyền và chứng thư số của người đó)")
_P12 = typer.Option(None, "--p12", help="tệp PKCS#12 (mặc định: khóa quản trị viên đã đăng ký)")
_SIGNED = typer.Option(None, "--signed-pdf", help="tệp PDF đã ký ở nơi khác (sau `declaration pdf --to-sign`)")
_PWENV = typer.Option("", "--password-env", help="tên biến môi trường chứa mật khẩu PKCS#12")


@declaration_app.command("verify")
def declaration_verify(declaration_id: int, user: str = _USER, p12: Path = _P12, signed_pdf: Path = _SIGNED,
                       password_env: str = _PWENV) -> None:
    """Xác thực (HR head, or Sở Nội vụ for cadres of the Ban Thường vụ) by signing."""
    _sign_step(declaration_id, user, p12, signed_pdf, password_env, "declared")


@declaration_app.command("approve")
def declaration_approve(declaration_id: int, user: str = _USER, p12: Path = _P12, signed_pdf: Path = _SIGNED,
                        password_env: str = _PWENV) -> None:
    """Phê duyệt (head of unit) by signing; the declared values then go into the record."""
    _sign_step(declaration_id, user, p12, signed_pdf, password_env, "verified")


@declaration_app.command("send-back")
def declaration_send_back(declaration_id: int, reason: str = typer.Option(..., "--reason"),
                          user: str = _USER) -> None:
    """Trả lại bản kê khai với lý do (at verify or approve)."""
    via = cli_actor().name
    v = run(lambda c: declarations.send_back(c, declarations.acting_as(c, user, via=via), declaration_id, reason))
    typer.echo(f"Đã trả lại. Trạng thái: {v.state_label}.")


@declaration_app.command("pdf")
def declaration_pdf(declaration_id: int, out: Path = typer.Option(..., "--out"),
                    to_sign: bool = typer.Option(False, "--to-sign", help="bản cần ký của bước hiện tại"),
                    user: str = typer.Option("", "--user")) -> None:
    """The declaration's PDF (with the signatures so far), or the copy to sign elsewhere (--to-sign --user)."""
    via = cli_actor().name

    def go(c):  # noqa: ANN001, ANN202
        actor = declarations.acting_as(c, user, via=via) if user else cli_actor()
        if to_sign:
            return declarations.signing_copy(c, actor, declaration_id)
        return declarations.current_pdf(c, actor, declaration_id)

    _name, data = run(go)
    out.write_bytes(data)
    typer.echo(f"Đã ghi {out}.")


@declaration_app.command("annual-open")
def declaration_annual_open(year: int = typer.Option(..., "--year"), unit: str = typer.Option(..., "--unit")) -> None:
    """Mở đợt kê khai phiếu bổ sung lý lịch hằng năm cho đơn vị (và đơn vị cấp dưới)."""
    actor = cli_actor()
    v = run(lambda c: annual_update.open_campaign(c, actor, year=year, unit_code=unit))
    typer.echo(f"Đã mở đợt {v.year} cho {v.unit_code}: {v.total} phiếu, hạn {v.due_on:%d/%m/%Y} ({v.article}).")


@cert_app.command("add-ca")
def cert_add_ca(path: Path) -> None:
    """Đăng ký chứng thư số CA (PEM, có thể nhiều chứng thư; hoặc DER) làm gốc tin cậy."""
    actor = cli_actor()
    data = _read(path)
    views = run(lambda c: certificates.add_ca(c, actor, data))
    for v in views:
        typer.echo(f"CA {v.subject} — {v.fingerprint}")


@cert_app.command("add-user")
def cert_add_user(username: str, cert: Path = typer.Option(None, "--cert", help="chứng thư số (PEM/DER)"),
                  p12: Path = typer.Option(None, "--p12", help="tệp PKCS#12, lưu mã hóa"),
                  p12_path: str = typer.Option("", "--p12-path", help="đường dẫn PKCS#12 trên máy chủ (không lưu)"),
                  password_env: str = _PWENV) -> None:
    """Đăng ký chứng thư số của người dùng (chỉ chứng thư, hoặc kèm khóa PKCS#12)."""
    actor = cli_actor()
    cert_data, p12_data = _read(cert), _read(p12)
    password = _password(password_env) if (p12_data or p12_path) else ""
    v = run(lambda c: certificates.add_user_certificate(c, actor, username, cert=cert_data, p12=p12_data,
                                                        password=password, p12_path=p12_path))
    typer.echo(f"{v.username}: {v.subject} — {v.fingerprint}{' (có khóa ký)' if v.has_key else ''}")


@cert_app.command("list")
def cert_list(as_json: bool = typer.Option(False, "--json")) -> None:
    actor = cli_actor()
    views = run(lambda c: certificates.list_certificates(c, actor))
    if as_json:
        print_json([v.to_dict() for v in views])
        return
    for v in views:
        typer.echo(f"{v.kind}  {v.username or '-'}  {v.subject}  {v.fingerprint}")


def staff_export(code: str, signed: bool = typer.Option(False, "--signed", help="bản ký số đã phê duyệt (Đ9.4)"),
                 out: Path = typer.Option(..., "--out"),
                 check: bool = typer.Option(True, "--check/--no-check", help="kiểm tra chữ ký trước khi ghi")) -> None:
    """Xuất sơ yếu lý lịch đã phê duyệt, ký số (`--signed`), có giá trị như bản gốc."""
    if not signed:
        fail("hiện chỉ hỗ trợ xuất bản ký số: thêm --signed (bản in thường: `archive staff print`).", 2)
    actor = cli_actor()

    def go(c):  # noqa: ANN001, ANN202
        name, data = declarations.signed_export(c, actor, code)
        checks = []
        if check:
            with c.uow() as uow:
                roots, others = certificates.trust_store(uow.session)
            checks = signing.validate(data, roots, extra_certs=others)
        return data, checks

    data, checks = run(go)
    if check and not (checks and all(ch.ok for ch in checks)):
        fail("chữ ký số trên bản xuất không hợp lệ với các CA tin cậy.", 3)
    out.write_bytes(data)
    typer.echo(f"Đã ghi {out} ({len(checks)} chữ ký số hợp lệ).")


def register(app: typer.Typer, staff_app: typer.Typer) -> None:
    app.add_typer(declaration_app, name="declaration")
    app.add_typer(cert_app, name="cert")
    staff_app.command("export")(staff_export)
