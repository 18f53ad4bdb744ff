"""Pure pieces of the web layer: the message catalog, Vietnamese formats, safe snippets, exports."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

from archive.web import export
from archive.web.i18n import Translator, pick_language
from archive.web.messages_en import MESSAGES as EN
from archive.web.messages_vi import MESSAGES as VI
from archive.web.rendering import TEMPLATE_DIR
from archive.web.snippets import highlight_page, query_terms, snippet_html, snippet_plain
from search import Snippet

KEY_IN_TEMPLATE = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")


def test_every_message_key_used_by_a_template_exists_in_vietnamese_and_english():
    used = {k for p in TEMPLATE_DIR.glob("*.html") for k in KEY_IN_TEMPLATE.findall(p.read_text())}
    assert used, "the pattern finds keys"
    assert sorted(used - set(VI)) == []
    assert sorted(set(VI) ^ set(EN)) == [], "both languages have the same keys"


def test_vietnamese_text_is_nfc_with_diacritics():
    import unicodedata

    assert all(unicodedata.is_normalized("NFC", v) for v in VI.values())
    assert VI["error.404"] == "Không tìm thấy" and VI["status.tu_tran"] == "Từ trần"


def test_formats_numbers_and_dates_the_vietnamese_way():
    vi, en = Translator("vi"), Translator("en")
    assert vi.number(1234567) == "1.234.567" and en.number(1234567) == "1,234,567"
    assert vi.decimal(4.32) == "4,32" and vi.decimal(4.3) == "4,3" and vi.decimal(5.0) == "5" and en.decimal(4.32) == "4.32"
    assert vi.date(date(2015, 8, 1)) == "01/08/2015" and vi.date("1955-07-20") == "20/07/1955"
    # stored times are UTC; shown in Việt Nam time (UTC+7)
    assert vi.datetime(datetime(2026, 1, 31, 18, 30)) == "01/02/2026 01:30:00"
    assert vi.date("2026-01-31T18:30:00Z") == "01/02/2026"
    assert vi("search.total", total="3") == "3 trang tài liệu khớp"
    assert vi("no.such.key") == "no.such.key"
    assert pick_language("fr", None) == "vi" and pick_language(None, "en") == "en"


def test_snippets_are_escaped_text_with_only_mark_elements():
    text = 'Ông Nguyễn <b> <script>alert(1)</script> <mark onclick="x">An & Lê'
    nguyen, le = (text.index("Nguyễn"), text.index("Nguyễn") + 6), (text.index("Lê"), text.index("Lê") + 2)
    out = snippet_html(Snippet(text, (nguyen, le)))
    assert out.startswith("Ông <mark>Nguyễn</mark> &lt;b&gt; &lt;script&gt;")
    assert "<script" not in out and "<mark onclick" not in out and out.endswith("&amp; <mark>Lê</mark>")
    assert out.count("<mark>") == out.count("</mark>") == 2
    assert snippet_plain(Snippet("a Lê & b", ((2, 4),))) == "a Lê & b"


def test_whole_pages_are_highlighted_without_diacritics_in_the_query():
    html, n = highlight_page("Ông Nguyễn Văn An <ký>\nĐặng Thị", query_terms("nguyen an dang"))
    assert n == 3
    assert html == ('Ông <mark id="m1">Nguyễn</mark> Văn <mark id="m2">An</mark> &lt;ký&gt;\n'
                    '<mark id="m3">Đặng</mark> Thị')
    assert highlight_page("Văn bản", frozenset()) == ("Văn bản", 0)


def test_exports_open_in_a_spreadsheet_with_formulas_kept_as_text():
    from openpyxl import load_workbook

    rows = [[1, "NV001", "Nguyễn Văn An", "=1+1"], [2, "NV002", "Trần Thị Bích", "@SUM(A1)"]]
    sheet = load_workbook(io.BytesIO(export.to_xlsx("Kết quả", ["STT", "Mã", "Tên", "Trích"], rows))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("STT", "Mã", "Tên", "Trích") and values[1] == (1, "NV001", "Nguyễn Văn An", "=1+1")
    assert sheet["D2"].data_type == "s", "not a formula"
    text = export.to_csv(["STT", "Tên"], [[1, "=cmd"], [2, "Lê"]]).decode("utf-8")
    assert text == "\ufeffSTT,Tên\r\n1,'=cmd\r\n2,Lê\r\n"
