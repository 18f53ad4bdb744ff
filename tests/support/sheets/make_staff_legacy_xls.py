"""Generate staff_legacy.xls, the committed .xls fixture (run once; xlwt is not a dependency):

    pip install --target /tmp/xlwt_gen xlwt
    PYTHONPATH=/tmp/xlwt_gen:. .venv/bin/python tests/support/sheets/make_staff_legacy_xls.py

Cells: TCVN3 text in `.VnTime` and `.VnTimeH`, VNI text in `VNI-Times`, Unicode in Arial, an
Excel date cell — encoded by tests/support/staff_sheets.py's encoders.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import xlwt

from tests.support.staff_sheets import encode_tcvn3, encode_vni


def style(font_name: str, date_format: bool = False) -> xlwt.XFStyle:
    st = xlwt.XFStyle()
    st.font = xlwt.Font()
    st.font.name = font_name
    if date_format:
        st.num_format_str = "DD/MM/YYYY"
    return st


def main() -> None:
    wb = xlwt.Workbook(encoding="cp1252")
    ws = wb.add_sheet("DS")
    for c, h in enumerate(["Mã cán bộ", "Họ và tên", "Ngày sinh", "Đơn vị", "Quê quán"]):
        ws.write(0, c, h, style("Arial"))
    rows = [("NV1", encode_tcvn3("Nguyễn Thị Hương"), ".VnTime", encode_tcvn3("Hà Nội"), ".VnTime"),
            ("NV2", encode_vni("Đặng Văn Ước"), "VNI-Times", encode_vni("Thừa Thiên Huế"), "VNI-Times"),
            ("NV3", encode_tcvn3("trần quốc tuấn"), ".VnTimeH", "Hải Phòng", "Arial")]
    for r, (code, name, name_font, home, home_font) in enumerate(rows, start=1):
        ws.write(r, 0, code, style("Arial"))
        ws.write(r, 1, name, style(name_font))
        ws.write(r, 2, date(1968, 3, 14 + r), style("Arial", date_format=True))
        ws.write(r, 3, "A", style("Arial"))
        ws.write(r, 4, home, style(home_font))
    wb.save(str(Path(__file__).with_name("staff_legacy.xls")))


if __name__ == "__main__":
    main()
