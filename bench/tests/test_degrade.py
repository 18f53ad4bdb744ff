"""The hard-scan bench's pages and degradations are deterministic and keep the page's geometry."""

from __future__ import annotations

import numpy as np
import pytest

from bench.degrade import KINDS, NOISE_KINDS, degrade_page
from bench.hard_pages import form_2c_page, pages, regulation_lines, strip


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_is_seeded_and_keeps_the_page_size(kind):
    page = strip(["Quyết định số 123/QĐ-UBND ngày 05/3/2015 của Ủy ban nhân dân tỉnh."] * 8)
    a = degrade_page(page.image, kind, seed=1, dpi=300)
    b = degrade_page(page.image, kind, seed=1, dpi=300)
    assert a.size == page.image.size and a.mode in ("L", "RGB")
    assert np.array_equal(np.asarray(a), np.asarray(b))


def test_noise_kinds_are_kinds():
    assert set(NOISE_KINDS) <= set(KINDS)


# The bench reads /work/shared/regulations on a developer's machine; tests carry their own text
# (a clean checkout has no /work/shared), written the way a regulation's .txt is: one article a line.
ARTICLES = [f"Điều {n}. Cơ quan quản lý hồ sơ cán bộ, công chức có trách nhiệm bổ sung hồ sơ lần thứ {n} "
            "theo quy định tại Thông tư số 06/2023/TT-BNV." for n in range(1, 41)]


def regulation_folder(tmp_path):
    (tmp_path / "quy-dinh.txt").write_text("\n\n".join(ARTICLES) + "\n", encoding="utf-8")
    (tmp_path / "khong-phai.md").write_text("bỏ qua", encoding="utf-8")
    return tmp_path


def test_regulation_pages_carry_their_drawn_text_as_truth(tmp_path):
    folder = regulation_folder(tmp_path)
    lines = regulation_lines(folder)
    assert [text for _, text in lines] == ARTICLES and {name for name, _ in lines} == {"quy-dinh.txt"}
    first = pages(2, seed=3, dpi=200, table_every=2, folder=folder)
    assert first[0].truth and first[0].image.size == (1654, 2339)
    assert first[1].source == "mau-2c" and first[1].truth.startswith("SƠ YẾU LÝ LỊCH")


def test_a_2c_page_is_a_ruled_table_of_label_and_value():
    import random

    page = form_2c_page(random.Random(1), dpi=300, font="liberation-serif")
    ink = np.asarray(page.image) < 128
    assert (ink.sum(axis=1) > 0.7 * page.image.width).sum() >= 10  # the horizontal rules
    assert "Sinh ngày:" in page.truth
