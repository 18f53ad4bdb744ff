"""Scanner streaks (vệt quét): a dirty document feeder's vertical lines are found and painted out,
and what is not a streak — a table's rules, a photo, a short stroke, text — stays (ingest.streaks).

Strips are regulation lines in Liberation Serif (bench.hard_pages.strip) at 300 dpi; the streaks
are drawn as a feeder draws them, exactly vertical, before the scanner's blur and JPEG.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from bench.cer import cer
from bench.degrade import scan_finish
from bench.hard_pages import pages, strip
from ingest.ocr import ocr_image
from ingest.page_quality import without_scanner_streaks
from ingest.streaks import find_streaks, without_streaks

LINES = ["Điều 2. Đối tượng áp dụng: cán bộ, công chức, viên chức thuộc Ủy ban nhân dân tỉnh,",
         "các sở, ban, ngành và Ủy ban nhân dân các huyện, thị xã, thành phố trực thuộc tỉnh",
         "(gọi tắt là cơ quan, đơn vị) quản lý hồ sơ theo phân cấp quy định tại Quy chế này;",
         "1. Hồ sơ gốc của cán bộ, công chức, viên chức được lập, quản lý và lưu trữ vĩnh viễn,",
         "bảo đảm đầy đủ, chính xác, khách quan các thông tin về lý lịch, quá trình công tác,",
         "đào tạo, bồi dưỡng, khen thưởng, kỷ luật và các thông tin cần thiết khác của họ.",
         "2. Việc khai thác, sử dụng hồ sơ phải được cấp có thẩm quyền đồng ý bằng văn bản;",
         "thông tin trong hồ sơ được giữ bí mật theo chế độ mật của Nhà nước và pháp luật.",
         "3. Thủ trưởng cơ quan, đơn vị chịu trách nhiệm trước pháp luật về việc quản lý hồ sơ."]


def _page(*, streak_x: float | None = 0.43, from_row: int = 0, shade: int = 60, width: int = 3) -> tuple[Image.Image, str]:
    page = strip(LINES)
    arr = np.asarray(page.image).copy()
    if streak_x is not None:
        x = round(arr.shape[1] * streak_x)
        arr[from_row:, x:x + width] = np.minimum(arr[from_row:, x:x + width], shade)
    return scan_finish(Image.fromarray(arr), np.random.default_rng(5), skew_deg=0.0), page.truth


def _paper(img: Image.Image) -> int:
    cum = np.cumsum(img.histogram())
    return int(np.searchsorted(cum, 0.9 * cum[-1]))


def test_a_feeder_streak_through_the_text_is_found_from_where_it_starts():
    img, _ = _page(from_row=300)
    arr = np.asarray(img)
    found = find_streaks(arr, paper=_paper(img))
    assert len(found) == 1
    streak = found[0]
    x = round(arr.shape[1] * 0.43)
    assert streak.left <= x and streak.right >= x + 3 and streak.right - streak.left <= 6
    # from row 300, or from the top of a letter it runs into just above (its ink joins the line's)
    assert 300 - 40 <= streak.top <= 304 and streak.bottom == arr.shape[0]
    clean, _ = _page(streak_x=None)
    assert find_streaks(np.asarray(clean), paper=_paper(clean)) == [], "text alone has no streak"


def test_painting_a_streak_out_keeps_a_stroke_that_crosses_it():
    arr = np.full((1200, 800), 250, dtype=np.uint8)
    arr[:, 400:403] = 50  # the streak
    arr[600:606, 300:500] = 20  # a rule drawn across it
    arr[200:260, 396:400] = 20  # a stem beside it, touching it
    found = find_streaks(arr, paper=250)
    assert [(s.left, s.right, s.top, s.bottom) for s in found] == [(400, 403, 0, 1200)]
    out = without_streaks(arr, found)
    assert (out[:590, 399:404] >= 240).mean() > 0.9 and (out[700:, 399:404] >= 240).all(), "the streak is paper"
    assert (out[601:605, 300:500] == 20).all(), "the crossing rule is whole"
    assert (out[200:260, 396:400] == 20).all(), "the stem beside it is untouched"


def test_a_tables_rules_a_photo_and_a_short_stroke_are_not_streaks():
    table = np.full((1200, 800), 250, dtype=np.uint8)
    table[:, 400:403] = 30
    for y in range(50, 1200, 100):  # a rule under every row of the table
        table[y:y + 3, 100:700] = 30
    assert find_streaks(table, paper=250) == []
    border = np.full((1200, 800), 250, dtype=np.uint8)
    border[:, 100:103] = 30  # a table's outer border: its rows' rules end on it from one side
    for y in range(50, 1200, 100):
        border[y:y + 3, 103:700] = 30
    assert find_streaks(border, paper=250) == []
    photo = np.full((1200, 800), 250, dtype=np.uint8)
    photo[100:1100, 300:600] = 60  # a 3 × 4 photo is wide, not a line
    assert find_streaks(photo, paper=250) == []
    stroke = np.full((1200, 800), 250, dtype=np.uint8)
    stroke[100:300, 400:403] = 30  # 17 mm: a line drawn on the page, not a feeder's streak
    assert find_streaks(stroke, paper=250) == []


def test_a_streaked_page_reads_line_by_line_where_raw_tesseract_reads_it_in_two_columns(tesseract):
    # a whole page (on a strip tesseract's layout keeps the lines whole even with the streak)
    page = pages(1, seed=3, dpi=300)[0]
    arr = np.asarray(page.image.convert("L")).copy()
    x = round(arr.shape[1] * 0.43)
    arr[:, x:x + 3] = np.minimum(arr[:, x:x + 3], 60)
    img = scan_finish(Image.fromarray(arr), np.random.default_rng(5), skew_deg=0.0)
    assert without_scanner_streaks(img) is not img
    raw = cer(ocr_image(img, options=None).text, page.truth)
    ours = cer(ocr_image(img).text, page.truth)
    assert raw > 0.2, "the streak splits every line for raw tesseract (70 % CER on this page)"
    assert ours <= 0.005


def test_a_page_without_streaks_is_left_as_it_is():
    img, _ = _page(streak_x=None)
    assert without_scanner_streaks(img) is img
