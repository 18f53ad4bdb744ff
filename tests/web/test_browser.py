"""The web interface in a real Chromium against a real `archive serve` (see conftest.py)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.support.documents import born_digital_pdf, png_bytes, rendered_page
from tests.web.conftest import ADMIN_PASSWORD, PASSWORD, REPO, login, screenshot

pytestmark = pytest.mark.slow


def test_login_search_without_diacritics_open_dossier_and_view_highlighted_page(new_page, site):
    page = new_page()
    page.goto("/tra-cuu?q=abc")
    assert "/dang-nhap" in page.url, "pages need a session"
    screenshot(page, "dang-nhap")
    # keyboard only: the fields are labelled and in order
    page.get_by_label("Tên đăng nhập").focus()
    page.keyboard.type("hr.q1")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/tra-cuu\?q=abc$"))

    box = page.get_by_role("searchbox", name="Tra cứu hồ sơ")
    page.get_by_label("Theo trang tài liệu").check()
    box.fill("nguyen van an")
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=nguyen\+van\+an"))
    hits = page.locator("tr.hit")
    assert hits.count() == 3  # two pages of the recruitment decision, one of the retirement decision
    assert set(hits.evaluate_all("rows => rows.map(r => r.dataset.staff)")) == {"NV001"}, \
        "NV201 (Quận 2) mentions the name but is outside hr.q1's scope"
    first = hits.first
    expect(first.get_by_role("link", name="Nguyễn Văn An")).to_be_visible()
    assert first.locator("td.snippet mark").first.inner_text().lower() in ("nguyễn", "văn", "an")
    assert "UBND Quận 1" in first.inner_text() and "Nghỉ hưu" in first.inner_text()
    expect(page.get_by_text("3 trang tài liệu khớp")).to_be_visible()

    # filters carry facet counts and stay in the URL
    expect(page.get_by_label(re.compile(r"Nghỉ hưu \(3\)"))).to_be_visible()
    page.get_by_label("Loại tài liệu").select_option("quyet_dinh_nghi_huu")
    page.get_by_role("button", name="Áp dụng bộ lọc").click()
    page.wait_for_url(re.compile(r"loai=quyet_dinh_nghi_huu"))
    assert page.locator("tr.hit").count() == 1
    page.go_back()
    page.wait_for_url(re.compile(r"q=nguyen\+van\+an&nhom=trang$"))
    assert page.locator("tr.hit").count() == 3, "Back returns to the unfiltered results"
    screenshot(page, "tra-cuu")
    if os.environ.get("UPDATE_README_SCREENSHOT") == "1":  # refresh README's picture on purpose only
        docs_dir = REPO / "docs" / "screenshots"
        docs_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / "artifacts" / "screenshots" / "tra-cuu.png", docs_dir / "tra-cuu.png")

    # the dossier, grouped like the paper CV form
    page.locator("tr.hit").first.get_by_role("link", name="Nguyễn Văn An").click()
    page.wait_for_url(re.compile(r"/ho-so/NV001$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Nguyễn Văn An"
    for heading in ("1. Sơ yếu lý lịch", "3. Lương và phụ cấp", "5. Thông tin được bảo vệ", "6. Quá trình bản thân",
                    "8. Tài liệu trong hồ sơ"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    body = page.inner_text("main")
    assert "20/07/1955" in body and "4,32" in body and "Kinh" in body and "215/QĐ-UBND" in body
    assert "Quyết định tuyển dụng" in body and "Đã xử lý xong, tìm được" in body
    screenshot(page, "ho-so", full_page=True)

    # back to the results; open page 2 of the decision from its hit: the terms are highlighted
    page.go_back()
    page.locator("tr.hit[data-page='2']").get_by_role("link", name="Trang 2").click()
    page.wait_for_url(re.compile(r"/tai-lieu/\d+\?trang=2&q=nguyen"))
    marks = page.locator(".page-text mark")
    assert {m.lower() for m in marks.all_inner_texts()} >= {"nguyễn", "văn", "an"}
    expect(page.get_by_role("heading", name="Trang 2/2")).to_be_visible()
    screenshot(page, "trang-tai-lieu")
    page.get_by_label("Đến trang").fill("1")
    page.get_by_role("button", name="Xem", exact=True).click()
    page.wait_for_url(re.compile(r"trang=1"))
    assert page.locator(".page-text mark").count() >= 3, "the query survives a jump to another page"

    with page.expect_download() as info:
        page.get_by_role("link", name="Tải bản gốc").click()
    data = open(info.value.path(), "rb").read()
    assert hashlib.sha256(data).hexdigest() == hashlib.sha256(site.documents["quyet-dinh-tuyen-dung.pdf"]).hexdigest()


def test_out_of_scope_dossier_answers_not_found(new_page):
    page = new_page()
    login(page, "hr.q1")
    response = page.goto("/ho-so/NV201")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Không tìm thấy"
    assert "Lê Văn Cường" not in page.content()
    assert page.goto("/ho-so/NV201/tai-lieu/3").status == 404
    screenshot(page, "loi-khong-tim-thay")
    assert page.goto("/khong-co-trang-nay").status == 404
    assert page.goto("/quan-tri").status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Không có quyền truy cập"


def test_upload_several_files_and_watch_them_reach_indexed(new_page, site, tesseract):
    page = new_page()
    login(page, "luutru.q1")
    page.get_by_role("link", name="Tải lên").click()
    page.get_by_label("Mã cán bộ").fill("NV002")
    page.get_by_label("Mã cán bộ").press("Tab")
    expect(page.locator("#staff-found")).to_contain_text("Trần Thị Bích — UBND Quận 1")
    page.get_by_label("Loại tài liệu").select_option("van_bang_chung_chi")
    scan, _ = rendered_page(["Bằng tốt nghiệp đại học", "Cấp cho bà Trần Thị Bích, ngành Kế toán"])
    files = [{"name": f"van-bang-{n}.pdf", "mimeType": "application/pdf",
              "buffer": born_digital_pdf([f"Chứng chỉ số {n}", "Cấp cho bà Trần Thị Bích"])} for n in (1, 2, 3)]
    files.append({"name": "bang-tot-nghiep.png", "mimeType": "image/png", "buffer": png_bytes(scan)})
    files.append({"name": "ghi-chu.txt", "mimeType": "text/plain", "buffer": "không phải bản quét".encode()})
    page.locator("#files").set_input_files(files)
    # and one more dropped on the drop zone, as a file dragged from the desktop
    dropped = base64.b64encode(born_digital_pdf(["Chứng chỉ số 4", "Cấp cho bà Trần Thị Bích"])).decode()
    page.evaluate("""(b64) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], "van-bang-4.pdf", {type: "application/pdf"}));
        document.getElementById("dropzone").dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
    }""", dropped)
    assert page.locator("#upload-rows tr").count() == 6
    expect(page.get_by_text("Đã chọn 6 tệp")).to_be_visible()
    page.get_by_role("button", name="Tải lên").click()

    page.wait_for_function(
        "() => [...document.querySelectorAll('#upload-rows tr')]"
        ".every(r => ['indexed', 'failed', 'upload_failed'].includes(r.dataset.state))", timeout=180_000)
    states = page.locator("#upload-rows tr").evaluate_all("rows => rows.map(r => [r.cells[0].innerText, r.dataset.state])")
    assert dict(states) == {"van-bang-1.pdf": "indexed", "van-bang-2.pdf": "indexed", "van-bang-3.pdf": "indexed",
                            "bang-tot-nghiep.png": "indexed", "ghi-chu.txt": "upload_failed",
                            "van-bang-4.pdf": "indexed"}
    failed = page.locator("#upload-rows tr[data-state='upload_failed']").inner_text()
    assert "Tải lên thất bại" in failed and "không được hỗ trợ" in failed
    assert page.locator("#upload-rows tr[data-state='indexed'] progress").evaluate_all(
        "bars => bars.map(b => b.value)") == [100] * 5
    # ghi-chu.txt failed: the summary counts it, in the error colour (issue 11: not "all done" in green)
    expect(page.get_by_role("status").filter(has_text="Đã xử lý xong 5 tệp; 1 tệp lỗi")).to_be_visible()
    expect(page.locator("#upload-summary")).to_have_class(re.compile(r"\berror\b"))
    screenshot(page, "tai-len")

    page.get_by_role("link", name="Mở hồ sơ").click()
    page.wait_for_url(re.compile(r"/ho-so/NV002$"))
    assert page.locator("#documents tr[data-document]").count() == 5
    assert page.locator("#documents .state-indexed").count() == 5


def test_admin_revokes_a_user_who_then_cannot_log_in(new_page):
    victim = new_page()
    login(victim, "se.bi.thu.hoi")
    assert victim.url.endswith("/tra-cuu")

    admin = new_page()
    login(admin, "admin", ADMIN_PASSWORD)
    admin.get_by_role("link", name="Quản trị").click()
    expect(admin.get_by_role("heading", name="Cây đơn vị")).to_be_visible()
    expect(admin.locator(".tree").get_by_text("Phòng Nội vụ Quận 1")).to_be_visible()
    admin.get_by_label("Đơn vị cấp trên").select_option("Q2")
    admin.get_by_label("Mã đơn vị").fill("Q2.TC")
    admin.get_by_label("Tên đơn vị").fill("Phòng Tài chính - Kế hoạch Quận 2")
    admin.get_by_role("button", name="Thêm đơn vị").click()
    expect(admin.get_by_role("status").filter(has_text="Đã thêm đơn vị Q2.TC.")).to_be_visible()
    screenshot(admin, "quan-tri-don-vi")

    admin.get_by_role("link", name="Tài khoản", exact=True).click()
    admin.get_by_label("Tên đăng nhập", exact=True).first.fill("se.bi.thu.hoi")
    admin.get_by_role("button", name="Tìm", exact=True).click()
    card = admin.locator("#user-card")
    assert "Đang hoạt động" in card.inner_text()
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="Thu hồi tài khoản").click()
    expect(admin.get_by_role("status").filter(has_text="Đã thu hồi tài khoản se.bi.thu.hoi.")).to_be_visible()
    assert "Đã thu hồi" in admin.locator("#user-card").inner_text()
    screenshot(admin, "quan-tri-tai-khoan")

    # the open session stops at the next page, with the reason on the login page
    victim.reload()
    assert "/dang-nhap" in victim.url
    assert "hãy đăng nhập lại" in victim.get_by_role("alert").inner_text()  # the service's reason
    login(victim, "se.bi.thu.hoi")
    assert "/dang-nhap" in victim.url
    assert "đã bị thu hồi" in victim.locator("#login-error").inner_text()

    # a new account from the form works once its owner has replaced the admin's initial password
    admin.get_by_label("Tên đăng nhập", exact=True).last.fill("kiem.tra.moi")
    admin.get_by_label("Mật khẩu ban đầu").fill("tam-thoi-2026")
    admin.get_by_label("Đơn vị công tác").select_option("Q1")
    admin.get_by_label("Vai trò", exact=True).select_option("auditor")
    admin.get_by_label("Ngày hết hạn").fill("31/12/2030")
    admin.get_by_role("button", name="Tạo tài khoản").click()
    # the form posts and the page is drawn again: wait for it (is_visible() alone raced the reload)
    expect(admin.get_by_role("status").filter(has_text="Đã tạo tài khoản kiem.tra.moi.")).to_be_visible()
    assert "31/12/2030 23:59" in admin.locator("#user-card").inner_text()
    newcomer = new_page()
    login(newcomer, "kiem.tra.moi", "tam-thoi-2026")
    assert newcomer.url.endswith("/tai-khoan")
    assert "mật khẩu tạm thời" in newcomer.get_by_role("alert").inner_text()
    newcomer.get_by_label("Mật khẩu hiện tại").fill("tam-thoi-2026")
    newcomer.get_by_label("Mật khẩu mới", exact=True).fill("cum-tu-rieng-cua-toi")
    newcomer.get_by_label("Nhập lại mật khẩu mới").fill("cum-tu-rieng-cua-toi")
    newcomer.get_by_role("button", name="Đổi mật khẩu").click()
    newcomer.wait_for_url(re.compile(r"/tra-cuu$"))
    expect(newcomer.get_by_role("status").filter(has_text="Đã đổi mật khẩu.")).to_be_visible()

    admin.get_by_role("link", name="Danh mục").click()
    admin.get_by_label("Chọn danh mục").select_option("loai_tai_lieu")
    assert admin.get_by_label("Tên so_yeu_ly_lich").input_value() == "Sơ yếu lý lịch"
    screenshot(admin, "quan-tri-danh-muc")


def test_export_produces_a_valid_xlsx_with_the_visible_rows(new_page):
    from openpyxl import load_workbook

    page = new_page()
    login(page, "hr.q1")
    page.goto("/tra-cuu?q=quyet+dinh&nhom=trang")
    visible = page.locator("tr.hit").evaluate_all(
        "rows => rows.map(r => [r.dataset.staff, Number(r.dataset.document), Number(r.dataset.page)])")
    assert visible, "the query finds the decisions"
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("STT", "Mã cán bộ", "Họ và tên") and rows[0][-1] == "Trích đoạn"
    assert [[r[1], r[6], r[7]] for r in rows[1:]] == visible
    assert {r[2] for r in rows[1:]} == {"Nguyễn Văn An"} and all(r[4] == "Nghỉ hưu" for r in rows[1:])

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    text = open(info.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("STT,Mã cán bộ,Họ và tên") and len(text.splitlines()) == len(visible) + 1


def test_auditor_browses_the_log_and_verifies_the_chain(new_page):
    page = new_page()
    login(page, "kiemtra")
    page.get_by_role("link", name="Kiểm tra").click()
    page.get_by_label("Thao tác").select_option("login.success")
    page.get_by_role("button", name="Lọc nhật ký").click()
    page.wait_for_url(re.compile(r"thao_tac=login.success"))
    rows = page.locator("table.audit tbody tr")
    assert rows.count() >= 1 and "kiemtra" in rows.first.inner_text() and "Đăng nhập" in rows.first.inner_text()
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", rows.first.inner_text())
    page.get_by_role("link", name="Kiểm tra tính toàn vẹn").click()
    assert "Toàn vẹn: đã kiểm tra" in page.locator("#verify-result").inner_text()
    screenshot(page, "kiem-tra")

    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Audit log"
    page.get_by_role("link", name="Search", exact=True).click()
    expect(page.get_by_role("searchbox", name="Search dossiers")).to_be_visible()  # the language sticks (cookie)
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.get_by_role("searchbox", name="Tra cứu hồ sơ")).to_be_visible()
