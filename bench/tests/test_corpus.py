"""The synthetic corpus is deterministic, NFC, truthful about what it drew, and image-only."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pypdf
import pytest

from bench.cer import cer
from bench.corpus.documents import QUOC_HIEU, TIEU_NGU
from bench.corpus.generate import build_corpus, generate
from bench.corpus.render import degrade, image_only_pdf, render_page_with_truth, render_pages
from bench.corpus.staff import STATUS_LABELS

SAMPLE = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    # NFD input on purpose: the page and its truth must come out NFC
    unicodedata.normalize("NFD", "Điều 1. Tuyển dụng ông Nguyễn Văn Đức, sinh ngày 12/05/1980, vào làm công "
                                 "chức, ngạch Chuyên viên (mã ngạch 01.003), bậc 1, hệ số lương 2,34."),
]


def test_same_seed_gives_same_staff_and_texts() -> None:
    a, b = build_corpus(7, 12), build_corpus(7, 12)
    assert a.staff == b.staff
    assert [d.text for d in a.documents] == [d.text for d in b.documents]
    assert [d.fields for d in a.documents] == [d.fields for d in b.documents]


def test_other_seed_gives_other_staff() -> None:
    assert [s.name for s in build_corpus(1, 12).staff] != [s.name for s in build_corpus(2, 12).staff]


def test_statuses_are_the_application_codes_and_all_occur() -> None:
    corpus = build_corpus(3, 300)
    seen = {s.status for s in corpus.staff}
    assert seen == set(STATUS_LABELS) == {"dang_cong_tac", "nghi_huu", "thoi_viec", "tu_tran", "chuyen_cong_tac"}


def test_units_form_a_three_level_tree_and_staff_sit_in_leaves() -> None:
    corpus = build_corpus(4, 50)
    levels = {u.level for u in corpus.tree.units}
    assert levels == {1, 2, 3}
    codes = {u.code for u in corpus.tree.units}
    assert all(u.parent_code in codes for u in corpus.tree.units if u.level > 1)
    assert all(s.unit.level == 3 for s in corpus.staff)


def test_dates_are_consistent() -> None:
    for s in build_corpus(5, 200).staff:
        assert s.birth_date < s.recruitment_date
        if s.status_date is not None:
            assert s.recruitment_date < s.status_date
        assert (s.status == "dang_cong_tac") == (s.status_date is None)


def test_every_generated_text_is_nfc() -> None:
    corpus = build_corpus(6, 40)
    for doc in corpus.documents:
        assert unicodedata.is_normalized("NFC", doc.text)
        assert all(unicodedata.is_normalized("NFC", v) for v in doc.fields.values())
    for s in corpus.staff:
        assert unicodedata.is_normalized("NFC", s.name.full)


def test_decisions_carry_the_national_motto_and_cv_its_labels() -> None:
    docs = build_corpus(8, 10).documents
    decisions = [d for d in docs if d.document_type.startswith("qd_")]
    cvs = [d for d in docs if d.document_type == "ly_lich_2c"]
    assert decisions and cvs
    assert all(QUOC_HIEU in d.text and TIEU_NGU in d.text for d in decisions)
    for cv in cvs:
        assert "SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC" in cv.text
        assert cv.fields["ho_ten"].upper() in cv.text
        assert cv.fields["ngay_tuyen_dung"] in cv.text


def test_page_truth_is_nfc_and_loses_no_words() -> None:
    _, truth = render_page_with_truth(SAMPLE, dpi=100)
    assert unicodedata.is_normalized("NFC", truth)
    expected = " ".join(unicodedata.normalize("NFC", " ".join(SAMPLE)).split())
    assert " ".join(truth.split()) == expected


def test_truth_is_exactly_what_was_drawn() -> None:
    """Drawing the truth's lines again (already wrapped) gives the very same pixels."""
    image, truth = render_page_with_truth(SAMPLE, dpi=100)
    again, again_truth = render_page_with_truth(truth.split("\n"), dpi=100)
    assert again_truth == truth
    assert again.tobytes() == image.tobytes()


def test_page_is_a4_grayscale_at_the_requested_dpi() -> None:
    image, _ = render_page_with_truth(SAMPLE, dpi=300)
    assert image.mode == "L"
    assert image.size == (2480, 3508)


def test_long_text_flows_over_several_pages() -> None:
    pages = render_pages([f"Dòng số {i}: Quyết định nâng bậc lương thường xuyên" for i in range(120)], dpi=100)
    assert len(pages) > 1
    assert "\n".join(t for _, t in pages).count("Dòng số") == 120


def test_degrade_is_deterministic_from_the_seed() -> None:
    image, _ = render_page_with_truth(SAMPLE, dpi=100)
    kwargs = {"skew_deg": 1.2, "blur": 0.7, "speckle": 0.002, "jpeg_quality": 60}
    a, b = degrade(image, seed=11, **kwargs), degrade(image, seed=11, **kwargs)
    c = degrade(image, seed=12, **kwargs)
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != c.tobytes()
    assert a.size == image.size


def test_pdf_has_one_image_per_page_and_no_text_layer() -> None:
    images = [render_page_with_truth(SAMPLE, dpi=100)[0]] * 2
    reader = pypdf.PdfReader(io.BytesIO(image_only_pdf(images, dpi=100)))
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert page.extract_text().strip() == ""
        resources = page["/Resources"]
        assert "/Font" not in resources
        assert len(page.images) == 1
    # A4 in points at the stated resolution
    assert round(float(reader.pages[0].mediabox.width)) == 595


def test_generated_corpus_is_byte_identical_for_the_same_seed(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", seed=3, staff_count=2, dpi=100, max_documents=3)
    second = generate(tmp_path / "b", seed=3, staff_count=2, dpi=100, max_documents=3)
    assert first == second
    on_disk = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == first
    for doc in first["documents"]:
        assert (tmp_path / "a" / doc["file"]).read_bytes() == (tmp_path / "b" / doc["file"]).read_bytes()


def test_manifest_truth_matches_the_document_text(tmp_path: Path) -> None:
    manifest = generate(tmp_path, seed=9, staff_count=2, dpi=100, max_documents=3)
    texts = {(d.staff_code, d.document_type): d.text for d in build_corpus(9, 2, max_documents=3).documents}
    for doc in manifest["documents"]:
        truth = " ".join(" ".join(p["truth"] for p in doc["pages"]).split())
        assert truth == " ".join(texts[(doc["staff_code"], doc["document_type"])].split())
        reader = pypdf.PdfReader(tmp_path / doc["file"])
        assert len(reader.pages) == len(doc["pages"])
        assert all(p.extract_text().strip() == "" for p in reader.pages)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr not installed")
def test_tesseract_reads_a_clean_page_close_to_its_truth(tmp_path: Path) -> None:
    image, truth = render_page_with_truth(SAMPLE, dpi=300)
    image.save(tmp_path / "page.png")
    out = subprocess.run(["tesseract", str(tmp_path / "page.png"), "-", "-l", "vie"],
                         capture_output=True, text=True, check=True).stdout
    assert cer(out, truth) < 0.02
