"""Run every benchmark, quick by default (``make bench``: a few minutes on 2 cores) or ``--large``.

    python -m bench.run [--large] [--only ocr,search]

Each benchmark runs in its own process (clean memory, its own worker pools) and its JSON
lines pass straight through; the summary lines are repeated together at the end. The exit
status is non-zero only if a benchmark crashed — a missed target is reported, not failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

QUICK: dict[str, list[str]] = {
    "ocr": ["--per-profile", "2"],
    "search": ["--pages", "100000", "--queries", "300"],
    "reindex": ["--pages", "20000"],
    "upload": ["--size-mb", "1024"],
    "backup": [],
    "fixity": ["--size-mb", "512"],
    "archival": ["--pages", "6"],  # PDF/A-2b copy CPU vs OCR CPU (issue 14)
    "consistency": ["--pages", "6"],  # paper vs record: fields/s, lệch precision/recall (issue 15)
    "staff_import": ["--rows", "20000"],  # Excel import rows/s, TCVN3/VNI names (issue 16)
    "batch_intake": ["--files", "60"],  # batch vs single uploads per file, cover detection per page (issue 16)
    "ocr_kinds": ["--pages", "2"],  # hard scans: CER per degradation kind, pipeline vs raw tesseract (issue 19)
}
LARGE: dict[str, list[str]] = {
    "ocr": ["--per-profile", "10"],
    "search": ["--large", "--queries", "1000"],
    "reindex": ["--large"],
    "upload": ["--size-mb", "1024"],
    "backup": [],
    "fixity": ["--size-mb", "4096"],
    "archival": ["--pages", "30"],  # PDF/A-2b copy CPU vs OCR CPU (issue 14)
    "consistency": ["--pages", "12"],  # paper vs record: fields/s, lệch precision/recall (issue 15)
    "staff_import": ["--rows", "20000"],  # Excel import rows/s, TCVN3/VNI names (issue 16)
    "batch_intake": ["--files", "200"],  # batch vs single uploads per file, cover detection per page (issue 16)
    "ocr_kinds": ["--pages", "6"],  # hard scans: CER per degradation kind, pipeline vs raw tesseract (issue 19)
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="1M-page search, 1M-page reindex, 30 OCR pages")
    parser.add_argument("--only", help="comma-separated subset of: " + ",".join(QUICK))
    args = parser.parse_args(argv)
    plan = LARGE if args.large else QUICK
    names = args.only.split(",") if args.only else list(plan)
    summaries: list[str] = []
    crashed: list[str] = []
    for name in names:
        if name not in plan:
            parser.error(f"unknown benchmark {name!r}")
        proc = subprocess.Popen([sys.executable, "-m", f"bench.{name}", *plan[name]],
                                stdout=subprocess.PIPE, text=True, encoding="utf-8")
        for line in proc.stdout or ():
            print(line, end="", flush=True)
            if line.startswith("SUMMARY "):
                summaries.append(line.rstrip("\n"))
        if proc.wait() != 0:
            crashed.append(name)
            summaries.append(f"SUMMARY {name}: CRASHED (exit {proc.returncode}) — see its output above")
    print("\n".join(["", "=" * 30 + " summaries " + "=" * 30, *summaries]), flush=True)
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
