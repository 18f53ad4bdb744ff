"""Cover sheets split a scanned stack: covers found on skewed, blurred 200 dpi scans, pages kept as they are."""

from __future__ import annotations

import pikepdf
import pytest

from ingest.cover_split import cover_payload, parse_cover, plan_split, write_part
from tests.support.stacks import scanned_stack


def test_the_payload_round_trips_even_with_colons_in_a_code():
    assert cover_payload("NV001", "so_yeu_ly_lich") == "CBCCVC:BIA:v1:NV001:so_yeu_ly_lich"
    assert parse_cover(cover_payload("A:B%1", "khac")) == ("A:B%1", "khac")
    assert parse_cover("https://example.com") is None and parse_cover("CBCCVC:BIA:v1:onlyone") is None


def test_a_rotated_blurred_200dpi_stack_splits_into_two_documents_without_the_covers(tmp_path):
    stack = tmp_path / "stack.pdf"
    stack.write_bytes(scanned_stack([("NV001", "so_yeu_ly_lich", 2), ("NV002", "quyet_dinh", 1)], dpi=200))
    plan = plan_split(stack, "pdf")
    assert not plan.needs_review and plan.page_count == 5
    assert sorted(plan.covers) == [0, 3]
    assert [(p.staff_code, p.document_type, p.pages) for p in plan.parts] == [
        ("NV001", "so_yeu_ly_lich", (1, 2)), ("NV002", "quyet_dinh", (4,))]
    out = tmp_path / "part1.pdf"
    write_part(stack, "pdf", plan.parts[0].pages, out)
    with pikepdf.open(stack) as src, pikepdf.open(out) as part:
        assert len(part.pages) == 2
        # the page images are the original streams, byte for byte: copied, never re-encoded
        for n, i in enumerate((1, 2)):
            (_, a), = src.pages[i].get_images().items()
            (_, b), = part.pages[n].get_images().items()
            assert a.read_raw_bytes() == b.read_raw_bytes()


def test_a_stack_whose_first_page_is_not_a_cover_goes_to_review(tmp_path):
    stack = tmp_path / "stack.pdf"
    stack.write_bytes(scanned_stack([1, ("NV001", "khac", 1)], dpi=200))
    plan = plan_split(stack, "pdf")
    assert plan.needs_review and plan.parts == () and 1 in plan.covers


@pytest.mark.parametrize("dpi", [300])
def test_covers_are_found_at_300_dpi_too(tmp_path, dpi):
    stack = tmp_path / "stack.pdf"
    stack.write_bytes(scanned_stack([("NV003", "khac", 1)], dpi=dpi, angle=-2.0, blur=1.2))
    plan = plan_split(stack, "pdf")
    assert [(p.staff_code, p.pages) for p in plan.parts] == [("NV003", (1,))]


def test_a_multipage_tiff_stack_splits_too_and_its_parts_keep_their_frames(tmp_path):
    from PIL import Image

    from tests.support.stacks import as_scanned, cover_pdf, raster, text_page

    frames = [as_scanned(p) for p in raster(cover_pdf("NV009", "khac"), 200)]
    frames += [as_scanned(text_page("trang 1", 200)), as_scanned(text_page("trang 2", 200))]
    stack = tmp_path / "stack.tif"
    frames[0].save(stack, save_all=True, append_images=frames[1:], compression="tiff_lzw", dpi=(200, 200))
    plan = plan_split(stack, "tiff")
    assert [(p.staff_code, p.pages) for p in plan.parts] == [("NV009", (1, 2))]
    out = tmp_path / "part.tif"
    write_part(stack, "tiff", plan.parts[0].pages, out)
    with Image.open(out) as part, Image.open(stack) as src:
        assert part.n_frames == 2
        src.seek(1)
        assert part.tobytes() == src.tobytes()  # lossless: the same pixels
