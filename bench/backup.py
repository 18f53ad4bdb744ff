"""Backup benchmark slot: export (sao lưu) and restore of the archive — not yet measured.

    python -m bench.backup

The backup format and its CLI are not written yet; when they are, this module should time
``archive backup`` / restore of a corpus from bench.corpus (pages/s and MB/s against a plain
``tar`` of the same object store and database) and check that the restored archive passes
the sanity checker. Until then it prints a labelled "not yet measured" line.
"""

from __future__ import annotations

from bench.report import not_yet_measured

BENCH = "backup"


def main(argv: list[str] | None = None) -> int:
    not_yet_measured(BENCH, "no backup/export command exists yet; the lead wires it here "
                            "(anchor: plain tar of the same object store and database)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
