"""OCR on hard scans, per degradation kind: the pipeline against raw ``tesseract -l vie``, same image, same run.

    python -m bench.ocr_kinds [--pages 2] [--seed 7] [--kinds a,b] [--kinds-200 a,b] [--texts DIR] [--keep DIR]

Pages are Vietnamese regulations (/work/shared/regulations, text the pipeline was never tuned on)
and Mẫu 2C-like ruled tables, in fonts the synthetic corpus does not use, rendered at 300 dpi
(and 200 dpi for ``--kinds-200``), degraded by bench.degrade and saved as PNG with their DPI. For
each page the pipeline (``ingest.extract_pages`` on the PNG: orientation check, per-page
preparation, tesseract) and the tesseract CLI read the very same file, one after the other; CPU
seconds (this process and its tesseract children) are counted per page for both. CER is
bench.cer's (NFC, whitespace-collapsed Levenshtein / truth length), pooled per kind.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.cer import corpus_cer
from bench.degrade import KINDS, NOISE_KINDS, degrade_page
from bench.hard_pages import REGULATIONS, HardPage, form_2c_page, pages as hard_pages
from bench.report import Summary, Target, emit, machine

BENCH = "ocr_kinds"
os.environ["OMP_THREAD_LIMIT"] = "1"


@dataclass(frozen=True)
class KindPage:
    png: Path
    truth: str
    kind: str  # "speckle_dense" or "speckle_dense@200"
    dpi: int


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def prepare(workdir: Path, *, kinds: list[str], kinds_200: list[str], per_kind: int, seed: int,
            texts: Path = REGULATIONS) -> list[KindPage]:
    import random

    out: list[KindPage] = []
    for dpi, names in ((300, kinds), (200, kinds_200)):
        drawn = hard_pages(per_kind * len(names), seed=seed, dpi=dpi, folder=texts)
        rng = random.Random(f"2c:{seed}:{dpi}")
        for k, kind in enumerate(names):
            for i in range(per_kind):
                base: HardPage = drawn[k * per_kind + i]
                if kind == "table_2c":
                    base = form_2c_page(rng, dpi=dpi, font=base.font)
                image = degrade_page(base.image, kind, seed=seed * 10_000 + dpi * 10 + k * 100 + i, dpi=dpi)
                label = kind if dpi == 300 else f"{kind}@{dpi}"
                png = workdir / f"{label}-{i}.png"
                image.save(png, dpi=(dpi, dpi))
                out.append(KindPage(png, base.truth, label, dpi))
    return out


def raw_tesseract(page: KindPage) -> str:
    return subprocess.run(["tesseract", str(page.png), "-", "-l", "vie"], capture_output=True, text=True,
                          check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout


def pipeline(page: KindPage) -> str:
    from ingest import extract_pages

    return "\n".join(p.text for p in extract_pages(page.png, "image"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ocr_kinds", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2, help="pages per kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kinds", default=",".join(KINDS), help="kinds at 300 dpi")
    parser.add_argument("--kinds-200", default="clean,speckle_dense,photocopy,table_2c", help="kinds at 200 dpi")
    parser.add_argument("--keep", type=Path, help="keep the pages and both OCR outputs in this directory")
    parser.add_argument("--texts", type=Path, default=REGULATIONS, help="folder of UTF-8 .txt files to lay out")
    args = parser.parse_args(argv)
    kinds = [k for k in args.kinds.split(",") if k]
    kinds_200 = [k for k in args.kinds_200.split(",") if k]
    for k in kinds + kinds_200:
        if k not in KINDS:
            parser.error(f"unknown kind {k!r}; known: {', '.join(KINDS)}")

    emit(BENCH, "machine", None, **machine())
    with tempfile.TemporaryDirectory(prefix="bench-ocr-kinds-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        pages = prepare(workdir, kinds=kinds, kinds_200=kinds_200, per_kind=args.pages, seed=args.seed,
                        texts=args.texts)
        emit(BENCH, "pages", len(pages), "pages", per_kind=args.pages)
        subprocess.run(["tesseract", str(pages[0].png), "-", "-l", "vie", "--psm", "0"], capture_output=True)
        import ingest  # noqa: F401  (imports off the clock)
        results: list[tuple[KindPage, str, str, float, float]] = []
        for page in pages:
            t0 = _cpu()
            raw = raw_tesseract(page)
            t1 = _cpu()
            ours = pipeline(page)
            t2 = _cpu()
            results.append((page, raw, ours, t1 - t0, t2 - t1))
            if args.keep:
                page.png.with_suffix(".raw.txt").write_text(raw, encoding="utf-8")
                page.png.with_suffix(".pipeline.txt").write_text(ours, encoding="utf-8")
                page.png.with_suffix(".truth.txt").write_text(page.truth, encoding="utf-8")

    labels = list(dict.fromkeys(p.kind for p, *_ in results))
    rows = []
    for label in labels:
        chosen = [r for r in results if r[0].kind == label]
        raw_cer = corpus_cer((r[1], r[0].truth) for r in chosen)
        our_cer = corpus_cer((r[2], r[0].truth) for r in chosen)
        raw_s = sum(r[3] for r in chosen) / len(chosen)
        our_s = sum(r[4] for r in chosen) / len(chosen)
        rows.append((label, raw_cer, our_cer, raw_s, our_s))
        emit(BENCH, "cer", round(our_cer, 5), "ratio", kind=label, raw_tesseract=round(raw_cer, 5),
             pages=len(chosen), pipeline_cpu_s=round(our_s, 2), raw_cpu_s=round(raw_s, 2))
    raw_total = sum(r[3] for r in results)
    our_total = sum(r[4] for r in results)
    speed = raw_total / our_total if our_total else None

    print(f"\n{'kind':<24}{'pipeline CER':>13}{'raw CER':>10}{'Δ pts':>8}{'pipe s/p':>10}{'raw s/p':>9}")
    for label, raw_cer, our_cer, raw_s, our_s in rows:
        print(f"{label:<24}{our_cer:>12.2%}{raw_cer:>10.2%}{(our_cer - raw_cer) * 100:>+8.2f}{our_s:>10.2f}{raw_s:>9.2f}")
    print(f"{'all':<24}{corpus_cer((r[2], r[0].truth) for r in results):>12.2%}"
          f"{corpus_cer((r[1], r[0].truth) for r in results):>10.2%}{'':>8}"
          f"{our_total / len(results):>10.2f}{raw_total / len(results):>9.2f}\n", flush=True)

    worst_gap = max((our - raw) * 100 for _, raw, our, *_ in rows)
    noise = [our * 100 for label, _, our, *_ in rows if label.split("@")[0] in NOISE_KINDS]
    emit(BENCH, "ratio_pipeline_vs_raw_pages_per_cpu_second", round(speed or 0, 3), "x",
         load_average_1m=round(os.getloadavg()[0], 2))
    Summary(
        BENCH,
        f"pipeline {speed or 0:.2f}× raw tesseract pages per CPU-second; worst kind {worst_gap:+.2f} pts vs raw; "
        f"worst noise kind {max(noise, default=0):.2f} % CER ({len(results)} pages, {len(rows)} kinds)",
        [
            Target("pipeline − raw CER, worst kind", worst_gap, 0.05, "<=", " pts"),
            Target("CER, worst noise kind", max(noise, default=None), 0.5, "<=", " %"),
            Target("pipeline/raw pages per CPU-second", speed, 0.9, ">=", "×"),
        ],
    ).print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
