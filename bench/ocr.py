"""OCR benchmark: the ingest pipeline against raw ``tesseract -l vie`` on the same scanned pages.

    python -m bench.ocr [--per-profile 4] [--workers 1,2] [--seed 1] [--keep DIR]

Pages are synthetic scans (bench.corpus) — clean, lightly and heavily degraded — saved as
image-only PDFs. The pipeline runs ``ingest.extract_pages`` on each PDF (rasterise with
pdfium, preprocess, tesseract through pytesseract). The anchor runs the tesseract CLI with
OMP_THREAD_LIMIT=1 on a PNG of the same page as pdfium rasterises it (written before the
clock starts). Throughput is pages/s with 1 and 2 worker processes; accuracy is the
character error rate (bench.cer) of each against the ground truth, per degradation profile.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.cer import corpus_cer
from bench.corpus.generate import PROFILES, build_corpus
from bench.corpus.render import degrade, image_only_pdf, render_pages
from bench.report import Summary, Target, emit, machine, stopwatch

BENCH = "ocr"
os.environ["OMP_THREAD_LIMIT"] = "1"  # for the anchor and the pipeline alike, inherited by workers


@dataclass(frozen=True)
class BenchPage:
    pdf: Path
    png: Path  # the page as pdfium rasterises it: the anchor's input
    truth: str
    profile: str


def prepare_pages(workdir: Path, *, seed: int, per_profile: int, dpi: int = 300) -> list[BenchPage]:
    """``per_profile`` one-page PDFs for each of clean/light/heavy, interleaved by profile."""
    import pypdfium2 as pdfium

    corpus = build_corpus(seed, max(4, per_profile))
    # alternate CVs and decisions so each profile sees both layouts
    cvs = [d for d in corpus.documents if d.document_type == "ly_lich_2c"]
    decisions = [d for d in corpus.documents if d.document_type != "ly_lich_2c"]
    documents = [doc for pair in zip(cvs, decisions) for doc in pair]
    pages: list[BenchPage] = []
    fonts = [("texgyre", True), ("noto", True), ("noto", False)]
    for i in range(per_profile):
        for profile_name in ("clean", "light", "heavy"):
            n = len(pages)
            doc = documents[n % len(documents)]
            family, serif = fonts[n % len(fonts)]
            try:
                image, truth = render_pages(doc.lines, dpi=dpi, serif=serif, family=family)[0]
            except RuntimeError:  # fonts-texgyre missing
                image, truth = render_pages(doc.lines, dpi=dpi, serif=serif)[0]
            p = PROFILES[profile_name]
            scanned = degrade(image, seed=seed * 1000 + n, skew_deg=p.skew_deg if n % 2 else -p.skew_deg,
                              blur=p.blur, speckle=p.speckle, jpeg_quality=p.jpeg_quality)
            pdf = workdir / f"page{n:03d}_{profile_name}.pdf"
            pdf.write_bytes(image_only_pdf([scanned], dpi=dpi))
            document = pdfium.PdfDocument(str(pdf))
            try:
                raster = document[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            finally:
                document.close()
            png = pdf.with_suffix(".png")
            raster.save(png)
            pages.append(BenchPage(pdf, png, truth, profile_name))
    return pages


def raw_tesseract(page: BenchPage) -> str:
    """The anchor: the tesseract CLI, Vietnamese model, one thread."""
    out = subprocess.run(["tesseract", str(page.png), "-", "-l", "vie"], capture_output=True, text=True,
                         check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return out.stdout


def pipeline(page: BenchPage) -> str:
    """The service's own extraction stage on the image-only PDF."""
    from ingest import extract_pages

    return "\n".join(p.text for p in extract_pages(page.pdf, "pdf"))


def _warm(page: BenchPage) -> None:
    """Import everything and load the tesseract model once per worker, off the clock."""
    import pytesseract
    from PIL import Image

    import ingest  # noqa: F401

    with Image.open(page.png) as img:
        pytesseract.image_to_string(img.crop((0, 0, 600, 300)), lang="vie")


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(
    fn: Callable[[BenchPage], str], pages: Sequence[BenchPage], workers: int
) -> tuple[list[str], float, float]:
    """Texts in page order, wall seconds, and CPU seconds, with ``workers`` warmed-up processes.

    CPU seconds (of the workers and their tesseract children, reaped when the pool closes)
    include the small warm-up; unlike wall time they barely move when the machine is busy.
    """
    cpu_before = _children_cpu_seconds()
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_warm, [pages[0]] * workers))
        with stopwatch() as elapsed:
            texts = list(pool.map(fn, pages))
    return texts, elapsed(), _children_cpu_seconds() - cpu_before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ocr", description=__doc__.splitlines()[0])
    parser.add_argument("--per-profile", type=int, default=4, help="pages per degradation profile")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="keep the pages and OCR output in this directory")
    args = parser.parse_args(argv)
    worker_counts = sorted({int(w) for w in args.workers.split(",")})

    emit(BENCH, "machine", None, **machine())
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        pages = prepare_pages(workdir, seed=args.seed, per_profile=args.per_profile, dpi=args.dpi)
        emit(BENCH, "pages", len(pages), "pages", profiles={p: args.per_profile for p in PROFILES})

        rates: dict[tuple[str, int], float] = {}
        cpu_per_page: dict[str, float] = {}
        texts: dict[str, list[str]] = {}
        for workers in worker_counts:
            for name, fn in (("raw_tesseract", raw_tesseract), ("pipeline", pipeline)):
                out, seconds, cpu = timed_run(fn, pages, workers)
                rates[(name, workers)] = len(pages) / seconds
                texts.setdefault(name, out)
                cpu_per_page.setdefault(name, cpu / len(pages))
                emit(BENCH, f"{name}_pages_per_s", round(rates[(name, workers)], 3), "pages/s",
                     workers=workers, seconds=round(seconds, 2), cpu_seconds_per_page=round(cpu / len(pages), 2),
                     load_average_1m=round(os.getloadavg()[0], 2))
        if args.keep:
            for name, outs in texts.items():
                for page, text in zip(pages, outs):
                    page.pdf.with_suffix(f".{name}.txt").write_text(text, encoding="utf-8")

        cers: dict[tuple[str, str], float] = {}
        for name, outs in texts.items():
            for profile in ("clean", "light", "heavy", "degraded"):
                chosen = [(o, p.truth) for o, p in zip(outs, pages)
                          if p.profile == profile or (profile == "degraded" and p.profile != "clean")]
                cers[(name, profile)] = corpus_cer(chosen)
                emit(BENCH, f"{name}_cer", round(cers[(name, profile)], 5), "ratio", profile=profile,
                     pages=len(chosen))

    base = rates[("raw_tesseract", 1)] if ("raw_tesseract", 1) in rates else None
    per_core = rates.get(("pipeline", 1), 0) / base if base else None
    two = rates.get(("pipeline", 2), 0) / base if base and ("pipeline", 2) in rates else None
    cpu_ratio = cpu_per_page["raw_tesseract"] / cpu_per_page["pipeline"]
    emit(BENCH, "ratio_pipeline_vs_raw_pages_per_cpu_second", round(cpu_ratio, 3), "x")
    if per_core is not None:
        emit(BENCH, "ratio_pipeline_vs_raw_1_worker", round(per_core, 3), "x")
    if two is not None:
        emit(BENCH, "ratio_pipeline_2_workers_vs_raw_1_worker", round(two, 3), "x")
    degraded, raw_degraded = cers[("pipeline", "degraded")], cers[("raw_tesseract", "degraded")]
    summary = Summary(
        BENCH,
        f"pipeline {per_core or 0:.2f}× raw tesseract pages/s on 1 worker ({cpu_ratio:.2f}× per CPU-second), "
        + (f"{two:.2f}× with 2 workers; " if two is not None else "2 workers not run; ")
        + f"CER clean {cers[('pipeline', 'clean')]:.2%} (raw {cers[('raw_tesseract', 'clean')]:.2%}), "
        f"degraded {degraded:.2%} (raw {raw_degraded:.2%})",
        [
            Target("pipeline/raw pages/s, 1 worker", per_core, 0.9, ">=", "×"),
            Target("pipeline 2 workers/raw 1 worker", two, 1.8, ">=", "×"),
            Target("CER on degraded pages", degraded * 100, 0.5, "<=", " %"),
        ],
    )
    summary.print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
