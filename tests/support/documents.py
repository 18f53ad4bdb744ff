"""Real test documents: rendered Vietnamese scans and born-digital PDFs with a text layer."""

from __future__ import annotations

import io

from PIL import Image

from bench.corpus.render import image_only_pdf, render_page_with_truth

CV_LINES = [
    "SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC",
    "Họ và tên khai sinh: Đặng Thị Hồng Nhung. Giới tính: Nữ.",
    "Ngày sinh: 03/11/1968. Nơi sinh: xã Tân Phú, huyện Đức Hòa, tỉnh Long An.",
    "Quê quán: phường Trần Hưng Đạo, thành phố Quy Nhơn, tỉnh Bình Định.",
    "Dân tộc: Kinh. Tôn giáo: Không. Nghề nghiệp khi được tuyển dụng: kế toán.",
    "Ngày tuyển dụng: 15/08/1990. Cơ quan tuyển dụng: Ủy ban nhân dân huyện Đức Hòa.",
    "Chức vụ: Phó Trưởng phòng Tài chính - Kế hoạch. Ngạch: Chuyên viên chính.",
    "Quá trình công tác: từ năm 1990 đến năm 2023 công tác tại Phòng Tài chính huyện.",
]


def rendered_page(lines: list[str] = CV_LINES) -> tuple[Image.Image, str]:
    return render_page_with_truth(lines)


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def scanned_pdf(pages: list[Image.Image]) -> bytes:
    return image_only_pdf(pages)


def born_digital_pdf(lines: list[str], *, pages: int = 1) -> bytes:
    """A PDF with a real text layer in a Unicode font, as an office program would export."""
    from fpdf import FPDF

    from bench.corpus.render import font_path

    pdf = FPDF(format="A4")
    pdf.add_font("vn", "", str(font_path()))
    pdf.set_font("vn", size=12)
    for n in range(pages):
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 8, line)
            pdf.ln(1)
        pdf.multi_cell(0, 8, f"Trang {n + 1}")
    return bytes(pdf.output())
