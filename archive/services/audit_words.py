"""Audit entries in words (nhật ký bằng lời): each action → one Vietnamese sentence from its details.

"Nguyễn Văn An (kiemtra.a) đã xem hồ sơ NV001.", "… đã tải xuống tài liệu 12 (scan.pdf) của hồ sơ
NV001." An action without its own sentence gets a readable generic one built from its label and
target — never raw JSON. `Names` carries what the sentences name beyond the entry itself (users'
full names, documents' file names), looked up once per page by `names_for`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.domain import STATUS_LABELS
from archive.models import Document, User

_STATUS = {k.value: v for k, v in STATUS_LABELS.items()}


@dataclass(frozen=True)
class Names:
    users: dict[str, str] = field(default_factory=dict)       # username → full name
    documents: dict[str, str] = field(default_factory=dict)   # document id (text) → file name


def names_for(session: Session, entries: Iterable[dict]) -> Names:
    entries = list(entries)
    users = {e["actor"] for e in entries} | {e["target_id"] for e in entries if e.get("target_type") == "user"}
    docs = {e["target_id"] for e in entries if e.get("target_type") == "document" and str(e["target_id"]).isdigit()}
    return Names(
        dict(session.execute(select(User.username, User.full_name).where(User.username.in_(users))).all()),
        {str(i): n for i, n in session.execute(select(Document.id, Document.file_name).where(
            Document.id.in_([int(d) for d in docs])))} if docs else {})


class _E:
    """One entry as the templates read it."""

    def __init__(self, entry: dict, names: Names) -> None:
        self.target_type = entry.get("target_type") or ""
        self.target = str(entry.get("target_id") or "")
        self.details = entry.get("details") or {}
        self.names = names

    def d(self, key: str, default: str = "") -> str:
        v = self.details.get(key)
        if v is None or v == "" or v == []:
            return default
        if isinstance(v, bool):
            return "có" if v else "không"
        if isinstance(v, (list, tuple)):
            return ", ".join(str(x) for x in v)
        if isinstance(v, dict):
            return ", ".join(f"{k}: {x}" for k, x in v.items() if x not in (None, "", [], {}))
        return str(v)

    @property
    def doc(self) -> str:
        name = self.names.documents.get(self.target)
        return f"tài liệu {self.target}" + (f" ({name})" if name else "")

    @property
    def of_staff(self) -> str:
        return f" của hồ sơ {self.d('staff')}" if self.d("staff") else ""

    def user(self, username: str) -> str:
        full = self.names.users.get(username)
        return f"{full} ({username})" if full else username


def _search(e: _E) -> str:
    q = e.d("q")
    return f"«{q}»" if q else "không có từ khoá"


CHECK_WORDS = {"yes": "có", "no": "không", "na": "không áp dụng"}
OUTCOME_WORDS = {"dat": "đạt", "khong_dat": "không đạt"}

SENTENCES: dict[str, Callable[[_E], str]] = {
    # records
    "staff.view": lambda e: f"đã xem hồ sơ {e.target}",
    "staff.create": lambda e: f"đã tạo hồ sơ {e.target} tại đơn vị {e.d('unit')}",
    "staff.update": lambda e: f"đã sửa hồ sơ {e.target}",
    "staff.status": lambda e: f"đã đổi trạng thái hồ sơ {e.target} sang «{_STATUS.get(e.d('after'), e.d('after'))}»"
                              + (f" theo quyết định {e.d('decision')}" if e.d("decision") else ""),
    "staff.transfer": lambda e: f"đã chuyển hồ sơ {e.target} từ đơn vị {e.d('from')} sang đơn vị {e.d('to')}",
    "staff.list": lambda e: f"đã xem danh sách cán bộ (tìm {_search(e)}, {e.d('total', '0')} kết quả)",
    "staff.autocomplete": lambda e: f"đã tra gợi ý cán bộ với {_search(e)}",
    "staff.history.add": lambda e: f"đã thêm một dòng quá trình vào hồ sơ {e.target}",
    "staff.history.update": lambda e: f"đã sửa một dòng quá trình của hồ sơ {e.target}",
    "staff.history.remove": lambda e: f"đã xoá một dòng quá trình của hồ sơ {e.target}",
    "document.view": lambda e: f"đã xem nội dung {e.doc}{e.of_staff}",
    "document.download": lambda e: f"đã tải xuống {e.doc}{e.of_staff}",
    "document.upload": lambda e: f"đã tải lên {e.doc}" + (f" vào hồ sơ {e.d('staff')}" if e.d("staff") else ""),
    "document.describe": lambda e: f"đã sửa mô tả {e.doc}{e.of_staff}",
    "document.archival_download": lambda e: f"đã tải bản lưu trữ PDF/A của {e.doc}{e.of_staff}",
    "document.dispose": lambda e: f"đã hủy {e.doc}{e.of_staff} theo quyết định {e.d('decision')}",
    "document.fixity_check": lambda e: f"đã kiểm tra tính toàn vẹn của {e.doc}{e.of_staff}: "
                                       + ("khớp" if e.d("result") in ("ok", "repaired") else "không khớp"),
    "dossier.export": lambda e: f"đã xuất gói hồ sơ {e.target}",
    "dossier.import": lambda e: f"đã nhập gói hồ sơ {e.target} vào đơn vị {e.d('unit')}",
    "cover_sheet.print": lambda e: f"đã in bìa hồ sơ {e.target}",
    # search and lists
    "search": lambda e: f"đã tra cứu {_search(e)} ({e.d('total', '0')} kết quả)",
    "search.save": lambda e: f"đã lưu tìm kiếm «{e.d('name')}»",
    "search.saved_delete": lambda e: f"đã xoá tìm kiếm đã lưu «{e.d('name')}»",
    "export": lambda e: f"đã xuất danh sách kết quả tra cứu {_search(e)} ({e.d('rows', '0')} dòng, "
                        f"định dạng {e.d('format', 'không rõ')})",
    "deadlines.list": lambda e: f"đã xem cảnh báo hạn cập nhật hồ sơ ({e.d('rows', '0')} dòng)",
    "warnings.list": lambda e: "đã xem danh sách cảnh báo",
    # accounts
    "login.success": lambda e: "đã đăng nhập",
    "login.failure": lambda e: "đăng nhập không thành công" + (f" ({e.d('reason')})" if e.d("reason") else ""),
    "login.locked": lambda e: "đăng nhập khi tài khoản đang bị tạm khoá",
    "user.create": lambda e: f"đã tạo tài khoản {e.user(e.target)} với vai trò {e.d('role')} tại {e.d('scope')}",
    "user.grant": lambda e: f"đã cấp vai trò {e.d('role')} tại {e.d('scope')} cho tài khoản {e.user(e.target)}",
    "user.restrict": lambda e: f"đã thu hẹp quyền {e.d('role')} tại {e.d('scope')} của tài khoản {e.user(e.target)}",
    "user.expiry": lambda e: f"đã đặt thời hạn tài khoản {e.user(e.target)} đến {e.d('after', 'không thời hạn')}",
    "user.revoke": lambda e: f"đã thu hồi tài khoản {e.user(e.target)}" + (f" ({e.d('reason')})" if e.d("reason") else ""),
    "user.password_reset": lambda e: f"đã đặt lại mật khẩu của tài khoản {e.user(e.target)}",
    "user.password_change": lambda e: "đã đổi mật khẩu của mình",
    "user.unlock": lambda e: f"đã mở khoá tài khoản {e.user(e.target)}",
    "user.list": lambda e: f"đã xem danh sách tài khoản ({e.d('count', '0')} tài khoản)",
    "token.create": lambda e: f"đã tạo token API «{e.d('name')}» cho tài khoản {e.user(e.target)}",
    # organisation, catalogs, calendar, keys
    "staff.unit_reorganised": lambda e: f"đã chuyển hồ sơ {e.target} từ đơn vị {e.d('from')} sang đơn vị {e.d('to')}"
                                        f" do sắp xếp đơn vị" + (f" theo quyết định {e.d('decision')}" if e.d("decision") else ""),
    "page.review_done": lambda e: f"đã xem lại trang {e.d('page')}" + (f" của hồ sơ {e.d('staff')}" if e.d("staff") else "")
                                  + " (trang cần xem lại sau nhận dạng chữ)",
    "review.list": lambda e: f"đã xem danh sách trang cần xem lại ({e.d('rows', '0')} trang)",
    "unit.create": lambda e: f"đã tạo đơn vị {e.target} ({e.d('name')})",
    "unit.delegate": lambda e: f"đã ủy quyền quản lý hồ sơ của đơn vị {e.target} cho đơn vị {e.d('to')}",
    "unit.delegation_revoke": lambda e: f"đã thu hồi ủy quyền của đơn vị {e.target} cho đơn vị {e.d('to')}",
    "catalog.upsert": lambda e: f"đã sửa danh mục {e.target}",
    "calendar.set": lambda e: f"đã đặt ngày {e.target} trong lịch làm việc của cơ quan",
    "calendar.remove": lambda e: f"đã bỏ ngày {e.target} khỏi lịch làm việc của cơ quan",
    "keys.rotate": lambda e: f"đã xoay vòng khoá mã hoá ({e.d('records', '0')} bản ghi)",
    # audit
    "audit.browse": lambda e: "đã xem nhật ký truy cập",
    "audit.export": lambda e: f"đã xuất nhật ký truy cập ra tệp CSV ({e.d('rows', '0')} dòng)",
    "audit.alerts": lambda e: f"đã xem cảnh báo rà soát nhật ký ({e.d('alerts', '0')} cảnh báo)",
    "campaign.open": lambda e: f"đã mở đợt kiểm tra số {e.target} tại đơn vị {e.d('unit')} "
                               f"(chọn {len(e.details.get('sample') or [])} trong {e.d('population', '0')} hồ sơ)",
    "campaign.check": lambda e: f"đã ghi kết quả kiểm tra hồ sơ {e.target} trong đợt kiểm tra số {e.d('campaign')}: "
                                + OUTCOME_WORDS.get(e.d("outcome"), e.d("outcome")),
    "campaign.close": lambda e: f"đã kết thúc đợt kiểm tra số {e.target} ({e.d('passed', '0')} đạt, "
                                f"{e.d('failed', '0')} không đạt)",
    "campaign.report": lambda e: f"đã tải biên bản đợt kiểm tra số {e.target} ({e.d('format').upper()})",
    # preservation
    "retention.rule": lambda e: f"đã đặt thời hạn bảo quản cho loại tài liệu {e.target}",
    "retention.pass": lambda e: "đã yêu cầu áp thời hạn bảo quản cho toàn kho",
    "retention.apply": lambda e: "đã áp thời hạn bảo quản (lượt định kỳ)",
    "legal_hold.place": lambda e: f"đã phong tỏa {'hồ sơ' if e.target_type == 'staff' else 'tài liệu'} {e.target}"
                                  + (f" ({e.d('reason')})" if e.d("reason") else ""),
    "legal_hold.release": lambda e: f"đã giải tỏa {'hồ sơ' if e.target_type == 'staff' else 'tài liệu'} {e.target}",
    "disposition.propose": lambda e: f"đã lập danh mục tài liệu hết giá trị số {e.target}",
    "disposition.approve": lambda e: f"đã phê duyệt danh mục hủy số {e.target} theo quyết định {e.d('decision')}",
    "disposition.execute": lambda e: f"đã thực hiện hủy tài liệu theo danh mục số {e.target}",
    "fixity.run": lambda e: f"đã chạy lượt kiểm tra toàn vẹn ({e.d('checked', '0')} tệp, {e.d('failed', '0')} lỗi)",
    "backup.run": lambda e: f"đã sao lưu (bộ sao lưu {e.target})",
    "backup.verify": lambda e: f"đã kiểm tra bộ sao lưu {e.target}: " + ("tốt" if e.details.get("ok") else "có lỗi"),
    "backup.drill": lambda e: f"đã diễn tập khôi phục từ bộ sao lưu {e.target}: "
                              + ("đạt" if e.details.get("ok") else "không đạt"),
    "backup.restore": lambda e: f"đã khôi phục từ bộ sao lưu {e.target}",
    # paper dossiers (other engineers' features; their own words may replace these)
    "completeness.component.set": lambda e: f"đã cập nhật thành phần hồ sơ {e.target}",
    "completeness.list": lambda e: "đã xem danh sách mức độ đầy đủ của hồ sơ",
    "completeness.view": lambda e: f"đã xem mức độ đầy đủ của hồ sơ {e.target}",
    "inventory.box.view": lambda e: f"đã xem hộp hồ sơ {e.target}",
    "inventory.location.set": lambda e: f"đã ghi vị trí lưu hồ sơ giấy {e.target}",
    "loan.out": lambda e: f"đã ghi cho mượn hồ sơ giấy {e.target}",
    "loan.back": lambda e: f"đã ghi nhận trả hồ sơ giấy {e.target}",
    "loan.list": lambda e: "đã xem danh sách mượn hồ sơ giấy",
    # features of the same wave (their engineers may refine these words)
    "batch.create": lambda e: f"đã tạo lô tiếp nhận số {e.target}",
    "batch.assign": lambda e: f"đã gán tệp trong lô tiếp nhận số {e.target} vào hồ sơ",
    "batch.finish": lambda e: f"đã hoàn tất lô tiếp nhận số {e.target}",
    "batch.report": lambda e: f"đã tải báo cáo lô tiếp nhận số {e.target}",
    "certificate.add_ca": lambda e: f"đã thêm chứng thư gốc tin cậy {e.target}",
    "certificate.add_user": lambda e: f"đã đăng ký chứng thư số {e.target} cho người dùng",
    "certificate.revoke": lambda e: f"đã thu hồi chứng thư số {e.target}",
    "consistency.run": lambda e: f"đã đối chiếu hồ sơ {e.target} với bản giấy",
    "consistency.view": lambda e: f"đã xem kết quả đối chiếu của hồ sơ {e.target}",
    "consistency.resolve": lambda e: f"đã xử lý một phát hiện đối chiếu của hồ sơ {e.target}",
    "consistency.correction_done": lambda e: f"đã ghi nhận hoàn tất sửa sai lệch của hồ sơ {e.target}",
    "declaration.open": lambda e: f"đã mở bản kê khai số {e.target}",
    "declaration.view": lambda e: f"đã xem bản kê khai số {e.target}",
    "declaration.list": lambda e: "đã xem danh sách bản kê khai",
    "declaration.edit": lambda e: f"đã sửa bản kê khai số {e.target}",
    "declaration.evidence": lambda e: f"đã đính kèm minh chứng vào bản kê khai số {e.target}",
    "declaration.evidence_download": lambda e: f"đã tải minh chứng của bản kê khai số {e.target}",
    "declaration.issue_for_signing": lambda e: f"đã phát hành bản kê khai số {e.target} để ký",
    "declaration.send_back": lambda e: f"đã trả lại bản kê khai số {e.target}",
    "declaration.apply": lambda e: f"đã cập nhật hồ sơ theo bản kê khai số {e.target}",
    "declaration.download": lambda e: f"đã tải bản kê khai số {e.target}",
    "label.print": lambda e: "đã in nhãn hồ sơ",
    "notification.email": lambda e: f"đã gửi thư thông báo cho tài khoản {e.user(e.target)}",
    "notification.read": lambda e: f"đã đọc thông báo số {e.target}",
    "report.make": lambda e: f"đã lập báo cáo {e.target}",
    "report.download": lambda e: f"đã tải báo cáo {e.target}",
    "staff.export_signed": lambda e: f"đã xuất bản ký số của hồ sơ {e.target}",
    "staff_import.apply": lambda e: f"đã nhập danh sách cán bộ từ tệp Excel (lần nhập {e.target})",
    "staff_import.template": lambda e: "đã tải mẫu tệp Excel nhập danh sách cán bộ",
    "annual_update.open": lambda e: f"đã mở đợt cập nhật hồ sơ năm {e.d('year')} tại đơn vị {e.d('unit')}",
    "warnings.notify": lambda e: f"đã gửi {e.d('added', '0')} thông báo cảnh báo mới",
    "audit.alerts_recorded": lambda e: f"đã ghi nhận {e.d('recorded', '0')} cảnh báo rà soát nhật ký ngày {e.d('day')}",
}

TARGET_WORDS = {"staff": "hồ sơ", "document": "tài liệu", "user": "tài khoản", "unit": "đơn vị", "catalog": "danh mục",
                "campaign": "đợt kiểm tra", "backup_set": "bộ sao lưu", "disposition": "danh mục hủy",
                "retention_rule": "thời hạn bảo quản", "saved_search": "tìm kiếm đã lưu", "job": "công việc"}


def who(actor: str, names: Names) -> str:
    if actor.startswith("cli:"):
        return f"Người vận hành ({actor.removeprefix('cli:')}, dòng lệnh)"
    if actor == "system" or actor.startswith(("system:", "job:")):
        return "Hệ thống" + (f" ({actor.split(':', 1)[1]})" if ":" in actor else "")
    full = names.users.get(actor)
    return f"{full} ({actor})" if full else actor


def generic(entry: dict, label: str | None = None) -> str:
    """For an action without its own sentence: its label (or its code, dots as spaces) and target."""
    what = label or str(entry.get("action") or "thao tác").replace(".", " ").replace("_", " ")
    t = entry.get("target_type") or ""
    target = f" trên {TARGET_WORDS.get(t, t.replace('_', ' '))} {entry.get('target_id')}" if t else ""
    return f"đã thực hiện thao tác «{what}»{target}"


def describe(entry: dict, names: Names | None = None, *, label: str | None = None) -> str:
    """One sentence (ending with a full stop) saying what the entry records."""
    names = names or Names()
    template = SENTENCES.get(entry.get("action") or "")
    try:
        predicate = template(_E(entry, names)) if template else generic(entry, label)
    except (TypeError, ValueError, AttributeError):  # details of an unexpected shape: still words
        predicate = generic(entry, label)
    return f"{who(str(entry.get('actor') or ''), names)} {predicate}."
