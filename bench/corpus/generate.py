"""Generate a synthetic corpus of scanned dossiers: image-only PDFs plus a ground-truth manifest.

    python -m bench.corpus.generate --seed 1 --staff 20 --out DIR [--degrade mixed] [--workers 2]

writes ``DIR/<staff code>/<nn>_<document type>.pdf`` and ``DIR/manifest.json`` holding the
units, the staff records, and per document its fields, font, degradation, per-page ground
truth and the PDF's sha256. The same seed gives the same manifest and PDF bytes (on the same
Pillow/FreeType and installed fonts). ``build_corpus`` gives the same staff and texts
without rendering, for index-only benchmarks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from bench.corpus.documents import DOCUMENT_TYPES, SyntheticDocument, dossier
from bench.corpus.render import FontFamily, FontNotFound, degrade, font_path, image_only_pdf, render_pages
from bench.corpus.staff import Staff, build_staff
from bench.corpus.units import UnitTree, build_unit_tree

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Degradation:
    """How badly a page was scanned (chất lượng bản quét)."""

    name: str
    skew_deg: float = 0.0
    blur: float = 0.0
    speckle: float = 0.0
    jpeg_quality: int | None = None


# Speckle dominates OCR errors (see bench/README.md): at 300 dpi an A4 page has 8.7 M pixels,
# so 2e-5 is ~175 dust specks (an office scanner glass), 1e-4 ~870 (an old photocopy).
PROFILES: dict[str, Degradation] = {
    "clean": Degradation("clean"),
    "light": Degradation("light", skew_deg=0.5, blur=0.5, speckle=2e-5, jpeg_quality=75),
    "heavy": Degradation("heavy", skew_deg=1.5, blur=1.0, speckle=1e-4, jpeg_quality=50),
}
DegradeChoice = Literal["clean", "light", "heavy", "mixed"]
MIXED_WEIGHTS = {"clean": 2, "light": 2, "heavy": 1}

# (family, serif): Times-like (TeX Gyre Termes) is what most offices print with.
FONTS: tuple[tuple[FontFamily, bool], ...] = (("texgyre", True), ("noto", True), ("noto", False))
FONT_WEIGHTS = (3, 2, 1)


@dataclass(frozen=True)
class Corpus:
    """Units, staff and their documents' text — everything but the pixels."""

    seed: int
    tree: UnitTree
    staff: tuple[Staff, ...]
    documents: tuple[SyntheticDocument, ...]


def build_corpus(seed: int, staff_count: int, *, max_documents: int = 6) -> Corpus:
    """Deterministic from ``seed``: each staff member draws from their own derived RNG."""
    rng = random.Random(seed)
    tree = build_unit_tree(rng)
    staff = tuple(build_staff(rng, tree, staff_count))
    documents: list[SyntheticDocument] = []
    for person in staff:
        documents += dossier(person, random.Random(f"{seed}:{person.code}"), max_documents=max_documents)
    return Corpus(seed, tree, staff, tuple(documents))


def _font_for(rng: random.Random) -> tuple[FontFamily, bool]:
    family, serif = rng.choices(FONTS, weights=FONT_WEIGHTS)[0]
    try:
        font_path(serif=serif, family=family)
    except FontNotFound:  # fonts-texgyre missing: same layout role, Noto instead
        family = "noto"
    return family, serif


@dataclass(frozen=True)
class _RenderJob:
    document: SyntheticDocument
    path: Path
    seed: int
    profile: Degradation
    family: FontFamily
    serif: bool
    dpi: int


def _render(job: _RenderJob) -> dict[str, Any]:
    pages = render_pages(job.document.lines, dpi=job.dpi, serif=job.serif, family=job.family)
    images = []
    for number, (image, _) in enumerate(pages, 1):
        p = job.profile
        images.append(degrade(image, seed=job.seed + number, skew_deg=p.skew_deg, blur=p.blur,
                              speckle=p.speckle, jpeg_quality=p.jpeg_quality))
    pdf = image_only_pdf(images, dpi=job.dpi)
    job.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = job.path.with_suffix(".pdf.tmp")
    tmp.write_bytes(pdf)
    os.replace(tmp, job.path)
    return {"sha256": hashlib.sha256(pdf).hexdigest(), "size": len(pdf),
            "pages": [{"number": i, "truth": truth} for i, (_, truth) in enumerate(pages, 1)]}


def _staff_record(s: Staff) -> dict[str, Any]:
    return {
        "code": s.code, "full_name": s.name.full, "ho": s.name.ho, "ten_dem": s.name.ten_dem,
        "ten": s.name.ten, "gender": s.name.gender, "birth_date": s.birth_date.isoformat(),
        "status": s.status, "status_label": s.status_label,
        "status_date": s.status_date.isoformat() if s.status_date else None,
        "recruitment_date": s.recruitment_date.isoformat(), "unit_code": s.unit.code,
        "unit_name": s.unit_name, "department": s.department.name, "position": s.position,
        "rank": s.rank.title, "rank_code": s.rank.code, "salary_step": s.salary_step,
        "id_number": s.id_number,
    }


def generate(
    out: Path,
    *,
    seed: int,
    staff_count: int,
    degrade_choice: DegradeChoice = "mixed",
    dpi: int = 300,
    max_documents: int = 6,
    workers: int = 1,
) -> dict[str, Any]:
    """Render the corpus into ``out`` and write ``out/manifest.json``; return the manifest."""
    corpus = build_corpus(seed, staff_count, max_documents=max_documents)
    rng = random.Random(f"{seed}:render")
    jobs: list[_RenderJob] = []
    per_staff: dict[str, int] = {}
    for doc in corpus.documents:
        per_staff[doc.staff_code] = per_staff.get(doc.staff_code, 0) + 1
        name = degrade_choice if degrade_choice != "mixed" else rng.choices(
            list(MIXED_WEIGHTS), weights=list(MIXED_WEIGHTS.values()))[0]
        family, serif = _font_for(rng)
        path = out / doc.staff_code / f"{per_staff[doc.staff_code]:02d}_{doc.document_type}.pdf"
        jobs.append(_RenderJob(doc, path, rng.randrange(2**31), PROFILES[name], family, serif, dpi))
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            rendered = list(pool.map(_render, jobs, chunksize=4))
    else:
        rendered = [_render(job) for job in jobs]
    manifest = {
        "version": MANIFEST_VERSION,
        "seed": seed,
        "dpi": dpi,
        "degrade": degrade_choice,
        "units": [asdict(u) for u in corpus.tree.units],
        "staff": [_staff_record(s) for s in corpus.staff],
        "documents": [
            {
                "file": job.path.relative_to(out).as_posix(),
                "staff_code": job.document.staff_code,
                "document_type": job.document.document_type,
                "title": DOCUMENT_TYPES[job.document.document_type],
                "fields": job.document.fields,
                "font": font_path(serif=job.serif, family=job.family).name,
                "degradation": asdict(job.profile),
                **result,
            }
            for job, result in zip(jobs, rendered)
        ],
    }
    tmp = out / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, out / "manifest.json")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--staff", type=int, default=20, help="number of staff members (cán bộ)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--degrade", choices=["clean", "light", "heavy", "mixed"], default="mixed")
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--max-documents", type=int, default=6, help="per staff member")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = generate(args.out, seed=args.seed, staff_count=args.staff, degrade_choice=args.degrade,
                        dpi=args.dpi, max_documents=args.max_documents, workers=args.workers)
    pages = sum(len(d["pages"]) for d in manifest["documents"])
    print(f"wrote {len(manifest['documents'])} PDFs ({pages} pages) for {args.staff} staff to {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
