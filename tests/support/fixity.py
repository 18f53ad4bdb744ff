"""Fixity test helpers: a small dossier corpus in an archive, a backup target holding its objects, damage."""

from __future__ import annotations

import io
from pathlib import Path

from archive.bootstrap import Container
from archive.services.access import SYSTEM
from archive.services.backup_cipher import BackupKey, new_key_spec
from archive.services.backup_objects import copy_missing
from archive.services.backup_targets import open_target
from archive.services.documents import ingest_upload, page_image
from archive.services.fixity import stores
from archive.services.staff import add_staff
from archive.services.units import add_unit
from archive.work import run_job, start_kind
from tests.support.documents import born_digital_pdf


def corpus(c: Container, documents: int = 3, *, anchor: bool = True) -> list[int]:
    """Units TINH › Q1, Q2; staff NV001 (Q1), NV002 (Q2); born-digital documents, a page image, an audit anchor
    (anchor=False on a store without object lock: an anchor is written under COMPLIANCE retention)."""
    add_unit(c, SYSTEM, code="Q1", name="UBND Quận 1", parent_code="TINH")
    add_unit(c, SYSTEM, code="Q2", name="UBND Quận 2", parent_code="TINH")
    add_staff(c, SYSTEM, code="NV001", full_name="Nguyễn Văn An", unit_code="Q1")
    add_staff(c, SYSTEM, code="NV002", full_name="Trần Thị Bích", unit_code="Q2")
    ids = []
    for i in range(documents):
        code = "NV001" if i % 2 == 0 else "NV002"
        pdf = born_digital_pdf([f"QUYẾT ĐỊNH số {i + 1}/QĐ-UBND", f"Về việc nâng bậc lương lần {i + 1}."])
        ids.append(ingest_upload(c, SYSTEM, staff_code=code, stream=io.BytesIO(pdf), file_name=f"qd-{i}.pdf",
                                 document_type="khac").document.id)
    c.queue.drain()
    page_image(c, SYSTEM, ids[0], 1, width=160)  # a derivative
    if anchor:
        assert run_job(c, c.registry, start_kind(c, c.registry, "audit_anchor"), "test") == "done"
    return ids


def back_up_objects(c: Container, target_dir: Path) -> None:
    """Configure one directory target and the backup key, and copy every object into it (what a backup set does)."""
    c.settings.backup_key = new_key_spec()
    c.settings.backup_targets = f"file://{target_dir}"
    target = open_target(c.settings.backup_targets, retention_days=1)
    target.open_checked()
    sources = stores(c)
    keys = {ns: list(store.list_keys()) for ns, store in sources.items()}
    copy_missing(sources, keys, target, BackupKey.from_spec(c.settings.backup_key), full=False,
                 keep_alive=lambda: None)
    target.sync()


def local_object_path(c: Container, namespace: str, key: str) -> Path:
    root = Path(c.settings.storage_url.removeprefix("file://"))
    if namespace != "originals":
        root = root / "ns" / namespace
    return root / "objects" / key[:2] / key[2:4] / key


def flip_a_byte(path: Path, at: int = 100) -> None:
    """Damage behind the store's back, as a failing disk would: one byte changed in place."""
    path.chmod(0o644)  # stored objects are read-only
    with open(path, "r+b") as fh:
        fh.seek(at)
        b = fh.read(1)
        fh.seek(at)
        fh.write(bytes([b[0] ^ 0x01]))
    path.chmod(0o444)
