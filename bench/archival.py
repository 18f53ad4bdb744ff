"""Archival-copy benchmark: CPU per page of making the PDF/A-2b copy, against the OCR's own CPU.

    python -m bench.archival [--pages 6] [--seed 1]

Pages are synthetic Vietnamese scans (bench.corpus), half skewed by ~3°, saved as 300-dpi JPEGs.
Each page is OCR'd once as the extract job does (ingest.ocr_image with the text layer: one
tesseract run giving text, word table and the text-only PDF); its CPU is ours plus tesseract's
(RUSAGE_CHILDREN). The archival step (ingest.pdfa.build_archival_pdf: img2pdf wrap, layer
overlay with the deskew matrix, pikepdf PDF/A-2b prepare, check and save, tt05 XMP) is then
timed on the same pages. The target (issue 14) is archival CPU ≤ 5 % of the OCR's per page.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import tempfile
from pathlib import Path

from bench.corpus.generate import build_corpus
from bench.corpus.render import degrade, render_pages
from bench.report import Summary, Target, emit

BENCH = "archival"
TARGET_SHARE = 0.05
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    from PIL import Image

    from ingest.ocr import ocr_image
    from ingest.pdfa import ArchivalMetadata, TextLayer, build_archival_pdf

    parser = argparse.ArgumentParser(prog="python -m bench.archival", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    corpus = build_corpus(args.seed, max(2, args.pages))
    meta = ArchivalMetadata(title="Tài liệu hồ sơ", fields={"ma_ho_so": "HS-1", "so_ky_hieu": "12/QĐ-UBND",
                                                           "trich_yeu": "Quyết định nâng bậc lương"})
    ocr_cpu = archival_cpu = 0.0
    sizes = 0
    with tempfile.TemporaryDirectory(prefix="bench-archival-") as tmp:
        work = Path(tmp)
        scans: list[Path] = []
        for i in range(args.pages):
            doc = corpus.documents[i % len(corpus.documents)]
            image, _truth = render_pages(doc.lines, dpi=300)[0]
            if i % 2:
                image = degrade(image, seed=args.seed + i, skew_deg=3.0)
            path = work / f"p{i}.jpg"
            image.save(path, format="JPEG", quality=90, dpi=(300, 300))
            scans.append(path)
        layers: list[TextLayer] = []
        for path in scans:
            with Image.open(path) as img:
                img.load()
                before = _cpu()
                result = ocr_image(img, text_layer=True, dpi=300, tmp_dir=work)
                ocr_cpu += _cpu() - before
            layers.append(TextLayer(1, result.layer_pdf or b"", result.geometry))  # type: ignore[arg-type]
        for path, layer in zip(scans, layers):
            out = io.BytesIO()
            before = _cpu()
            build_archival_pdf(path, "jpeg", {1: layer}, meta, out)
            archival_cpu += _cpu() - before
            sizes += len(out.getvalue())
    n = max(1, args.pages)
    share = archival_cpu / ocr_cpu if ocr_cpu else float("nan")
    emit(BENCH, "ocr_cpu_s_per_page", round(ocr_cpu / n, 4), "s", pages=n)
    emit(BENCH, "archival_cpu_s_per_page", round(archival_cpu / n, 4), "s", pages=n)
    emit(BENCH, "archival_share_of_ocr_cpu", round(share, 4), "", target=TARGET_SHARE)
    emit(BENCH, "archival_bytes_per_page", sizes // n, "B")
    Summary(BENCH, f"archival copy {archival_cpu / n * 1000:.0f} ms CPU/page = {share:.1%} of the OCR's "
                   f"{ocr_cpu / n:.2f} s", [Target("share of OCR CPU", round(share, 4), TARGET_SHARE, "<=")]).print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
