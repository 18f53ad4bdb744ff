"""`archive ingest --wait` when no worker runs: the person is told the file is stored and why
nothing happens, instead of a bare "time is up" (embedded mode processes only under `archive serve`)."""

from __future__ import annotations

from archive.services.access import SYSTEM
from archive.services.staff import add_staff
from tests.support.documents import born_digital_pdf
from tests.support.processes import cli, cli_json, service_env


def test_wait_without_a_worker_says_the_file_is_stored_and_names_archive_serve(container, tmp_path):
    add_staff(container, SYSTEM, code="NV001", full_name="Nguyễn Văn An", unit_code="TINH")
    env = service_env(container.settings.data_dir)
    pdf = tmp_path / "quyet-dinh.pdf"
    pdf.write_bytes(born_digital_pdf(["Quyết định tuyển dụng"]))

    r = cli(env, "ingest", str(pdf), "--staff", "NV001", "--wait", "--timeout", "1", timeout=120)

    assert r.returncode == 4, r.stdout + r.stderr
    [line] = r.stderr.strip().splitlines()
    doc_id = r.stdout.split()[0].lstrip("#")  # "#1 quyet-dinh.pdf: queued, 1 trang"
    assert f"#{doc_id}" in line and "đã lưu" in line and "`archive serve`" in line, line
    shown = cli_json(env, "doc", "show", doc_id)
    assert shown["state"] == "queued" and shown["file_name"] == "quyet-dinh.pdf", shown
