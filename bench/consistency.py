"""Paper-vs-record benchmark: fields per second of the consistency check, and its precision/recall.

    python -m bench.consistency [--pages 6]

Pages: rendered sơ yếu lý lịch (tests/support/form_2c_pages.py) of two people whose records differ
from the paper in three known fields each — both forms (Mẫu 2C-BNV/2008, TT 06/2023), three fonts,
every other page degraded (noise, blur, 2° skew). Each page is OCR'd once (ingest.ocr_image, as the
extract job does: words with boxes from the same run); the check itself — reading the fields from
the words (ingest.form_2c) and comparing them with the record (archive.services.consistency.compare)
— is timed apart, as fields compared per second. Precision and recall are of the `lệch` findings
against the known differing fields (a `đọc không chắc` on a differing field counts as missed).
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date

from bench.report import Summary, Target, emit

BENCH = "consistency"
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
PLAN = [("2c_bnv_2008", "termes", False), ("tt06_2023", "dejavu", True), ("tt06_2023", "noto", False),
        ("2c_bnv_2008", "dejavu", True), ("tt06_2023", "termes", True), ("2c_bnv_2008", "noto", False)]


def _values(record: dict) -> dict:
    values = {k: record[k] for k in ("full_name", "gender", "grade_code")}
    values["birth_date"] = date.fromisoformat(record["birth_date"])
    values.update({f"profile.{k}": v for k, v in record["profile"].items()})
    return values


def main(argv: list[str] | None = None) -> int:
    from archive.catalog_seed import SEED
    from archive.services.consistency import LECH, compare
    from ingest.form_2c import PageWordsIn, read_fields
    from ingest.ocr import ocr_image
    from tests.support.form_2c_pages import degrade, people, render_form

    parser = argparse.ArgumentParser(prog="python -m bench.consistency", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6)
    args = parser.parse_args(argv)
    grades = {i.code: i.name for i in SEED["ngach"]}
    persons = people()
    ocr_s = check_s = 0.0
    fields = tp = fp = fn = 0
    for i in range(min(args.pages, 12)):
        form, font, degraded = PLAN[i % len(PLAN)]
        person = persons[(i + i // len(PLAN)) % len(persons)]  # the second round swaps who is on which form
        img, _boxes = render_form(person, form, font)
        if degraded:
            img, _boxes = degrade(img, _boxes, seed=i)
        t0 = time.perf_counter()
        result = ocr_image(img, dpi=300)
        t1 = time.perf_counter()
        reading = read_fields([PageWordsIn(1, img.width, img.height, result.words)])
        outcomes = compare(_values(person.record()), reading, {1: img.size}, grades, min_confidence=60.0)
        t2 = time.perf_counter()
        ocr_s += t1 - t0
        check_s += t2 - t1
        fields += len(outcomes)
        flagged = {o.key for o in outcomes if o.state == LECH}
        tp += len(flagged & person.differs)
        fp += len(flagged - person.differs)
        fn += len(person.differs - flagged)
    n = max(1, min(args.pages, 12))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    rate = fields / check_s if check_s else float("inf")
    emit(BENCH, "fields_per_second", round(rate), "fields/s", pages=n, fields=fields)
    emit(BENCH, "check_ms_per_page", round(check_s / n * 1000, 2), "ms")
    emit(BENCH, "ocr_s_per_page", round(ocr_s / n, 3), "s")
    emit(BENCH, "precision", round(precision, 4), "", tp=tp, fp=fp)
    emit(BENCH, "recall", round(recall, 4), "", fn=fn)
    emit(BENCH, "false_lech_per_20_fields", round(fp / max(1, fields) * 20, 3), "")
    Summary(BENCH, f"{rate:,.0f} fields/s ({check_s / n * 1000:.1f} ms/page after OCR {ocr_s / n:.2f} s); "
                   f"lệch precision {precision:.1%}, recall {recall:.1%} on {n} pages, {fields} fields",
            [Target("recall of differing fields", round(recall, 4), 1.0, ">="),
             Target("false lệch per 20 fields", round(fp / max(1, fields) * 20, 3), 1.0, "<=")]).print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
