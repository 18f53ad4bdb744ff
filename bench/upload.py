"""Upload benchmark: 1 GB through the API — server RSS growth and throughput vs a plain copy.

    python -m bench.upload [--size-mb 1024]

The file is a valid one-page PDF of about ``--size-mb`` MB (one uncompressed grayscale image
of incompressible bytes, written by streaming), so it passes the ingest validation.

Anchor: a plain streamed copy of the same file on the same file system (read 1 MiB, write,
fsync), in this process, with its RSS growth.

Measured: ``PUT /api/v1/staff/{code}/documents/{name}`` with the file as the raw request body,
streamed from disk by an httpx client, to a real API server process in embedded mode
(bench.api_server: SQLite, local object store under the same temporary directory as the
copy, ARCHIVE_MAX_UPLOAD_BYTES raised for this server only), after a staff record is created
and one small upload has warmed the server up. Throughput is the file's size over the time
from the first byte sent to the 201 response (receive, hash, fsync, validate, store, commit).
RSS growth is the server process's peak (VmHWM, reset just before the upload) minus its RSS
before; a sampler also records the server's RSS while the body is being sent and after, to
show which phase the memory goes to. Diagnostic: ``ingest.validate_file`` alone on the same
file in a fresh process (seconds, RSS growth).
Targets: RSS growth < 64 MB and ≥ 80 % of plain-copy throughput.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from bench.report import Summary, Target, emit, machine, rss_bytes, stopwatch

BENCH = "upload"
CHUNK = 1024 * 1024
MB = 1024 * 1024  # sizes and rates are in MiB, as the plain copy always reported them
TARGET_RSS_GROWTH_MB = 64.0
TARGET_THROUGHPUT_RATIO = 0.8
IMAGE_WIDTH = 4096  # pixels (= bytes) per row of the gray image


def write_large_pdf(path: Path, size: int) -> int:
    """A valid one-page PDF of about ``size`` bytes, written in 1 MiB blocks; returns its size.

    The page draws one uncompressed 8-bit gray image whose samples are random bytes (one
    random MiB repeated), so no layer can compress it and no PDF reader needs to inflate it.
    """
    rows = max(1, (size - 1024) // IMAGE_WIDTH)
    length = rows * IMAGE_WIDTH
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q\n"
    offsets: list[int] = []
    block = os.urandom(CHUNK)
    with open(path, "wb") as f:
        f.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

        def obj(body: bytes) -> None:
            offsets.append(f.tell())
            f.write(f"{len(offsets)} 0 obj\n".encode() + body + b"\nendobj\n")

        obj(b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        obj(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >> "
            b"/Contents 4 0 R >>")
        obj(b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream")
        offsets.append(f.tell())
        f.write(b"5 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (IMAGE_WIDTH, rows, length))
        left = length
        while left:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n
        f.write(b"\nendstream\nendobj\n")
        xref = f.tell()
        f.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
        for off in offsets:
            f.write(b"%010d 00000 n \n" % off)
        f.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref))
        return f.tell()


def plain_copy(src: Path, dst: Path) -> tuple[float, int, float]:
    """Seconds, RSS growth (bytes) and the fsync's share in seconds of a streamed copy — the anchor."""
    before = rss_bytes()
    peak = before
    with stopwatch() as elapsed, open(src, "rb") as r, open(dst, "wb") as w:
        while chunk := r.read(CHUNK):
            w.write(chunk)
            peak = max(peak, rss_bytes()) if w.tell() % (64 * CHUNK) == 0 else peak
        w.flush()
        with stopwatch() as syncing:
            os.fsync(w.fileno())
    return elapsed(), peak - before, syncing()


_VALIDATE_ALONE = """
import json, sys, time
from pathlib import Path
def status(field):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith(field + ":")) * 1024
from ingest import validate_file
before = status("VmRSS")
t = time.perf_counter()
v = validate_file(Path(sys.argv[1]), max_pages=500, max_image_pixels=120_000_000)
print(json.dumps({"seconds": time.perf_counter() - t, "rss_growth": status("VmHWM") - before, "pages": v.page_count}))
"""


def validate_alone(path: Path) -> dict:
    """``ingest.validate_file`` on ``path`` in a fresh process: seconds, RSS growth, pages."""
    r = subprocess.run([sys.executable, "-c", _VALIDATE_ALONE, str(path)], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


class RssSampler:
    """Samples a process's VmRSS every ``interval`` s in a thread; ``peak(since, until)`` in KiB."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        from bench.api_server import proc_status_kib

        self._read = lambda: proc_status_kib(pid, "VmRSS")
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), self._read()))
            time.sleep(interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, since: float, until: float) -> int:
        return max((kib for t, kib in self.samples if since <= t <= until), default=0)


def upload_through_api(src: Path, size: int, workdir: Path) -> dict:
    """PUT ``src`` to a fresh embedded server; seconds, RSS figures (bytes) and the response."""
    import httpx

    from bench.api_server import api_server, proc_status_kib, reset_peak_rss

    limit = size + 64 * MB
    with api_server(workdir / "api-data", max_upload_bytes=limit) as server, \
            httpx.Client(base_url=server.base_url, headers=server.headers, timeout=3600) as client:
        r = client.post("/staff", json={"code": "BENCH001", "full_name": "Nguyễn Thị Thu Hà", "unit_code": "TINH"})
        if r.status_code != 201:
            raise RuntimeError(f"POST /staff: {r.status_code} {r.text[:500]}")
        warm = workdir / "warm.pdf"  # imports, DB pool, first-request paths: off the clock
        write_large_pdf(warm, 256 * 1024)
        r = client.put("/staff/BENCH001/documents/warm.pdf", content=warm.read_bytes(),
                       headers={"Content-Type": "application/pdf"})
        if r.status_code != 201:
            raise RuntimeError(f"warm-up PUT: {r.status_code} {r.text[:500]}")
        time.sleep(0.5)  # let the allocator settle before the baseline
        hwm_reset = reset_peak_rss(server.pid)
        before = proc_status_kib(server.pid, "VmRSS") * 1024
        body_sent: list[float] = []

        def body() -> Iterator[bytes]:
            with open(src, "rb") as f:
                while chunk := f.read(CHUNK):
                    yield chunk
            body_sent.append(time.perf_counter())

        with RssSampler(server.pid) as sampler, stopwatch() as elapsed:
            start = time.perf_counter()
            r = client.put("/staff/BENCH001/documents/scan.pdf", content=body(),
                           headers={"Content-Type": "application/pdf", "Content-Length": str(size)})
            done = time.perf_counter()
        if r.status_code != 201:
            raise RuntimeError(f"PUT 1 GB: {r.status_code} {r.text[:500]}\n"
                               f"{server.log.read_text(errors='replace')[-2000:]}")
        hwm = proc_status_kib(server.pid, "VmHWM") * 1024
        sent = body_sent[0] if body_sent else done
        return {
            "seconds": elapsed(), "rss_before": before, "peak": hwm, "hwm_reset": hwm_reset,
            "seconds_body_sent": sent - start, "seconds_after_body": done - sent,
            "rss_peak_while_sending": sampler.peak(start, sent) * 1024,
            "rss_peak_after_body": sampler.peak(sent, done) * 1024,
            "document": r.json(),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.upload", description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--no-validate-alone", action="store_true", help="skip the validate_file diagnostic")
    args = parser.parse_args(argv)
    emit(BENCH, "machine", None, **machine())
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        src, dst = Path(tmp) / "scan.pdf", Path(tmp) / "copy.pdf"
        size = write_large_pdf(src, args.size_mb * MB)
        emit(BENCH, "file", round(size / MB, 1), "MB", kind="one-page PDF, uncompressed random gray image")
        seconds, growth, fsync_seconds = plain_copy(src, dst)
        dst.unlink()  # room for the upload's copy; the anchor's number is taken
        copy_rate = size / MB / seconds
        emit(BENCH, "plain_copy_mb_per_s", round(copy_rate, 1), "MB/s", size_mb=round(size / MB),
             seconds=round(seconds, 2), fsync_seconds=round(fsync_seconds, 2), rss_growth_mb=round(growth / MB, 1))
        if not args.no_validate_alone:
            v = validate_alone(src)
            emit(BENCH, "validate_file_alone", round(v["seconds"], 2), "s",
                 rss_growth_mb=round(v["rss_growth"] / MB, 1), pages=v["pages"], note="ingest.validate_file on the same file, fresh process")
        up = upload_through_api(src, size, Path(tmp))
    api_rate = size / MB / up["seconds"]
    ratio = api_rate / copy_rate
    rss_growth = (up["peak"] - up["rss_before"]) / MB
    emit(BENCH, "api_upload_mb_per_s", round(api_rate, 1), "MB/s", seconds=round(up["seconds"], 2),
         ratio_to_plain_copy=round(ratio, 3), document_state=up["document"].get("state"))
    emit(BENCH, "api_upload_phases", None, "s", body_sent=round(up["seconds_body_sent"], 2),
         after_body_until_201=round(up["seconds_after_body"], 2))
    emit(BENCH, "server_rss_growth_mb", round(rss_growth, 1), "MB", rss_before_mb=round(up["rss_before"] / MB, 1),
         peak_mb=round(up["peak"] / MB, 1), peak_is="VmHWM reset before the upload" if up["hwm_reset"]
         else "VmHWM since server start (reset not possible)",
         sampled_peak_while_sending_mb=round(up["rss_peak_while_sending"] / MB, 1),
         sampled_peak_after_body_mb=round(up["rss_peak_after_body"] / MB, 1))
    Summary(
        BENCH,
        f"API upload {api_rate:,.0f} MB/s = {ratio:.2f}× the plain copy's {copy_rate:,.0f} MB/s "
        f"({size / MB:,.0f} MB, raw-body PUT, embedded), server RSS growth {rss_growth:,.0f} MB",
        [Target("server RSS growth", rss_growth, TARGET_RSS_GROWTH_MB, "<=", " MB"),
         Target("throughput vs plain copy", ratio, TARGET_THROUGHPUT_RATIO, ">=", "×")],
    ).print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
