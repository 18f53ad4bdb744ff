"""Pages the OCR pipeline was never tuned on (trang kiểm thử độc lập), with their ground truth.

Text comes from real Vietnamese regulations in ``/work/shared/regulations/`` (or any folder of
UTF-8 ``.txt`` files), laid out in fonts the synthetic corpus does not use (Liberation Serif /
Sans, DejaVu Serif: Times- and Arial-like, as offices print), plus Mẫu 2C-like pages: a ruled
table of label | value rows as the CV form has. The ground truth is exactly the lines drawn,
joined by "\\n" (a table row is "label value"); a line of dashes under a header is drawn as the
rule it stands for and is not in the truth.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

REGULATIONS = Path("/work/shared/regulations")
A4_MM = (210.0, 297.0)
_FONTS = {
    "liberation-serif": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "liberation-sans": "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "dejavu-serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
}
_BOLD = {
    "liberation-serif": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    "liberation-sans": "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    "dejavu-serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
}
FONT_NAMES = tuple(_FONTS)


@dataclass(frozen=True)
class HardPage:
    """A clean rendered page (gray, white paper) and what it says."""

    image: Image.Image
    truth: str
    dpi: int
    source: str  # "file.txt" or "mau-2c"
    font: str


def _nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def regulation_lines(folder: Path = REGULATIONS) -> list[tuple[str, str]]:
    """(file name, line) of every non-empty line of the folder's .txt files, in file order."""
    out: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if _nfc(line):
                out.append((path.name, _nfc(line)))
    if not out:
        raise FileNotFoundError(f"no .txt regulation text in {folder}")
    return out


def _font(name: str, size_px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = (_BOLD if bold else _FONTS)[name]
    return ImageFont.truetype(path, size_px, layout_engine=ImageFont.Layout.BASIC)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    out, current = [], ""
    for word in text.split(" "):
        trial = f"{current} {word}" if current else word
        if current and font.getlength(trial) > width:
            out.append(current)
            current = word
        else:
            current = trial
    return [*out, current] if current else out


def _page(dpi: int) -> tuple[Image.Image, int]:
    width, height = (round(mm / 25.4 * dpi) for mm in A4_MM)
    return Image.new("L", (width, height), 255), round(20 / 25.4 * dpi)


_RULE = re.compile(r"[-_]{3,}")


def text_page(lines: list[tuple[str, str]], start: int, *, dpi: int, font: str, font_pt: float,
              max_lines: int = 30) -> HardPage:
    """Regulation text from line ``start`` on, wrapped, up to ``max_lines`` printed lines."""
    img, margin = _page(dpi)
    size = round(font_pt * dpi / 72)
    regular = _font(font, size)
    pitch = round(size * 1.5)
    draw = ImageDraw.Draw(img)
    y, drawn = margin, []
    source = lines[start % len(lines)][0]
    i = start
    while len(drawn) < max_lines and y + pitch < img.height - margin:
        _, text = lines[i % len(lines)]
        i += 1
        if _RULE.fullmatch(text):
            # a plain-text rule under the header ("--------"): official documents draw it as a solid
            # line (Nghị định 30/2020/NĐ-CP, Phụ lục I: "đường kẻ ngang, nét liền" under the issuing body
            # and under the national motto), which no reader — nor tesseract — types as characters
            draw.line((margin, y + pitch // 2, margin + draw.textlength(text, font=regular), y + pitch // 2),
                      fill=0, width=max(1, size // 20))
            y += pitch
            continue
        for piece in _wrap(text, regular, img.width - 2 * margin):
            if len(drawn) >= max_lines or y + pitch >= img.height - margin:
                break
            draw.text((margin, y), piece, fill=0, font=regular)
            drawn.append(piece)
            y += pitch
    return HardPage(img, "\n".join(drawn), dpi, source, font)


# Mẫu 2C-BNV/2008 labels (sơ yếu lý lịch) and values of the kinds the form holds
_2C_LABELS = [
    "1) Họ và tên khai sinh (viết chữ in hoa):", "2) Tên gọi khác:", "3) Sinh ngày:", "Giới tính:",
    "4) Nơi sinh:", "5) Quê quán:", "6) Dân tộc:", "7) Tôn giáo:", "8) Nơi đăng ký hộ khẩu thường trú:",
    "9) Nơi ở hiện nay:", "10) Nghề nghiệp khi được tuyển dụng:", "11) Ngày tuyển dụng:",
    "12) Chức vụ (chức danh) hiện tại:", "13) Công việc chính được giao:", "14) Ngạch công chức:",
    "Mã ngạch:", "Bậc lương:", "Hệ số:", "15.1) Trình độ giáo dục phổ thông:",
    "15.2) Trình độ chuyên môn cao nhất:", "15.3) Lý luận chính trị:", "15.4) Quản lý nhà nước:",
    "15.5) Ngoại ngữ:", "15.6) Tin học:", "16) Ngày vào Đảng Cộng sản Việt Nam:",
    "17) Ngày tham gia tổ chức chính trị - xã hội:", "18) Ngày nhập ngũ:", "19) Danh hiệu được phong tặng cao nhất:",
    "20) Sở trường công tác:", "21) Khen thưởng:", "22) Kỷ luật:", "23) Tình trạng sức khỏe:",
]
_SURNAMES = ["NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HOÀNG", "HUỲNH", "PHAN", "VŨ", "ĐẶNG", "BÙI", "ĐỖ", "HỒ"]
_MIDDLE = ["THỊ", "VĂN", "HỮU", "ĐỨC", "NGỌC", "MINH", "QUỐC", "THANH"]
_GIVEN = ["HƯƠNG", "TUẤN", "DŨNG", "PHƯỢNG", "LỆ", "KHẢI", "NGUYỆT", "HIẾU", "THỦY", "ĐIỆP", "TRƯỜNG", "YẾN"]
_PLACES = ["Xã Tân Phú, huyện Đồng Xoài, tỉnh Bình Phước", "Phường Hàng Bạc, quận Hoàn Kiếm, Hà Nội",
           "Xã Ứng Hòa, huyện Mỹ Đức, thành phố Hà Nội", "Phường Lê Lợi, thành phố Quy Nhơn, tỉnh Bình Định",
           "Thị trấn Nghĩa Đàn, huyện Nghĩa Đàn, tỉnh Nghệ An", "Phường 7, quận 3, Thành phố Hồ Chí Minh"]
_VALUES = ["Kinh", "Không", "Chuyên viên", "01.003", "3/9", "3,00", "12/12", "Đại học Luật", "Trung cấp",
           "Tiếng Anh trình độ B1", "Tin học ứng dụng cơ bản", "Huân chương Lao động hạng Ba",
           "Bằng khen của Thủ tướng Chính phủ năm 2019", "Tốt", "Quản lý hồ sơ cán bộ, công chức",
           "Phó Trưởng phòng Tổ chức cán bộ"]


def _2c_row_height(dpi: int, font_pt: float) -> int:
    """A Mẫu 2C table row: twice the font size (one place for form_2c_page and form_2c_rows)."""
    return round(round(font_pt * dpi / 72) * 2.0)


def form_2c_page(rng: random.Random, *, dpi: int, font: str, font_pt: float = 12) -> HardPage:
    """A Mẫu 2C-like page: a ruled two-column table, label | value, one row per field."""
    img, margin = _page(dpi)
    size = round(font_pt * dpi / 72)
    regular, bold = _font(font, size), _font(font, size, bold=True)
    draw = ImageDraw.Draw(img)
    line_w = max(1, round(dpi / 150))
    row_h = _2c_row_height(dpi, font_pt)
    split = margin + round((img.width - 2 * margin) * 0.48)
    pad = round(size * 0.4)
    drawn: list[str] = []
    title = "SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC"
    draw.text(((img.width - bold.getlength(title)) / 2, margin), title, fill=0, font=bold)
    drawn.append(title)
    y = margin + row_h * 2
    top = y
    for label in _2C_LABELS:
        if y + row_h > img.height - margin:
            break
        if label.startswith("1)"):
            value = f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
        elif "ngày" in label.lower() or "Sinh" in label:
            value = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1965, 2001)}"
        elif "Nơi" in label or "Quê" in label:
            value = rng.choice(_PLACES)
        else:
            value = rng.choice(_VALUES)
        max_value = img.width - margin - split - 2 * pad
        while regular.getlength(value) > max_value:
            value = value.rsplit(" ", 1)[0].rstrip(",")
        draw.text((margin + pad, y + (row_h - size) // 2 - size // 8), label, fill=0, font=regular)
        draw.text((split + pad, y + (row_h - size) // 2 - size // 8), value, fill=0, font=regular)
        drawn.append(f"{label} {value}")
        draw.line([(margin, y), (img.width - margin, y)], fill=0, width=line_w)
        y += row_h
    draw.line([(margin, y), (img.width - margin, y)], fill=0, width=line_w)
    for x in (margin, split, img.width - margin):
        draw.line([(x, top), (x, y)], fill=0, width=line_w)
    return HardPage(img, "\n".join(drawn), dpi, "mau-2c", font)


def form_2c_rows(rng: random.Random, first: int, count: int, *, dpi: int = 300, font: str = "liberation-serif",
                 font_pt: float = 12) -> HardPage:
    """Rows ``first`` … ``first + count - 1`` (1 is the first field) of a `form_2c_page`, cut out with their
    rules: a strip of a Mẫu 2C table for unit tests."""
    page = form_2c_page(rng, dpi=dpi, font=font, font_pt=font_pt)
    margin, row_h = _page(dpi)[1], _2c_row_height(dpi, font_pt)
    top = margin + row_h * (first + 1)  # the title, then an empty row, then the fields
    lines = page.truth.split("\n")[first:first + count]
    box = (0, top - row_h // 10, page.image.width, top + count * row_h + row_h // 10)
    return HardPage(page.image.crop(box), "\n".join(lines), dpi, "mau-2c-rows", font)


def pages(count: int, *, seed: int, dpi: int, table_every: int = 0, folder: Path = REGULATIONS) -> list[HardPage]:
    """``count`` pages, deterministic from ``seed``; every ``table_every``-th one a Mẫu 2C table."""
    rng = random.Random(f"hard:{seed}:{dpi}")
    lines = regulation_lines(folder)
    out = []
    for i in range(count):
        font = FONT_NAMES[(seed + i) % len(FONT_NAMES)]
        if table_every and i % table_every == table_every - 1:
            out.append(form_2c_page(rng, dpi=dpi, font=font))
        else:
            out.append(text_page(lines, rng.randrange(len(lines)), dpi=dpi, font=font,
                                 font_pt=rng.choice((12, 13, 14)), max_lines=rng.choice((24, 30))))
    return out


def strip(lines: list[str], *, font: str = "liberation-serif", font_pt: float = 12, dpi: int = 300) -> HardPage:
    """A few lines on a page-wide strip (not a whole page): what unit tests OCR in well under a second."""
    size = round(font_pt * dpi / 72)
    regular = _font(font, size)
    pitch = round(size * 1.5)
    margin = round(8 / 25.4 * dpi)
    width = round(A4_MM[0] / 25.4 * dpi)
    img = Image.new("L", (width, 2 * margin + pitch * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    drawn = [_nfc(line) for line in lines]
    for i, line in enumerate(drawn):
        draw.text((margin, margin + i * pitch), line, fill=0, font=regular)
    return HardPage(img, "\n".join(drawn), dpi, "strip", font)
