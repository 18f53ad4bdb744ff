"""Pages for the OCR-review tests: a small rendered Vietnamese page, turned or blank (A5-ish, 200 dpi)."""

from __future__ import annotations

from PIL import Image

from bench.corpus.render import render_page_with_truth

REVIEW_LINES = [
    "QUYẾT ĐỊNH VỀ VIỆC NÂNG BẬC LƯƠNG THƯỜNG XUYÊN",
    "Nâng bậc lương cho bà Trương Thị Quỳnh Hoa, chuyên viên Phòng Nội vụ huyện Châu Thành.",
    "Thời gian tính hưởng bậc mới kể từ ngày 01 tháng 7 năm 2024 theo quy định hiện hành.",
    "Chánh Văn phòng, Trưởng phòng Nội vụ và bà Hoa chịu trách nhiệm thi hành quyết định này.",
]
DPI = 200


def small_page(lines: list[str] = REVIEW_LINES) -> Image.Image:
    """The top of a rendered A4 page at 200 dpi, cropped to about A5 (text block only)."""
    img, _ = render_page_with_truth(lines, dpi=DPI, font_pt=12)
    return img.crop((0, 0, img.width, img.height // 2))


def turned(img: Image.Image, degrees: int) -> Image.Image:
    """The page as a scanner fed it sideways / upside down: turned `degrees` counter-clockwise."""
    return img.rotate(degrees, expand=True)


def blank_page() -> Image.Image:
    """White paper with a little scanner grain (a few specks), nothing to read."""
    img = Image.new("L", (1170, 830), 250)
    for x, y in ((100, 100), (600, 400), (900, 700)):
        img.paste(40, (x, y, x + 2, y + 2))
    return img
