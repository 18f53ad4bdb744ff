"""Zip safety: traversal, absolute names, links, too many members and bombs refuse the whole zip,
before anything is staged or recorded."""

from __future__ import annotations

import zipfile

import pytest
from sqlalchemy import func, select

from archive.models import IntakeBatch, IntakeBatchFile, Job
from archive.services import batches
from archive.services.access import SYSTEM
from archive.services.zip_intake import ZipLimits, ZipRefused, check_zip
from tests.support.stacks import bomb_zip, make_zip, symlink_zip


def _check(data: bytes, tmp_path, **limits) -> None:
    path = tmp_path / "z.zip"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as z:
        check_zip(z, ZipLimits(**limits))


@pytest.mark.parametrize("name", ["../../etc/cron.d/x.pdf", "NV001/../../x.pdf", "/etc/passwd", "C:/Windows/x.pdf",
                                  "..\\..\\x.pdf", "a\nb.pdf"])
def test_a_member_name_that_could_escape_is_refused(tmp_path, name):
    with pytest.raises(ZipRefused, match="tên tệp không an toàn"):
        _check(make_zip({"ok.pdf": b"%PDF-1.4", name: b"x"}), tmp_path)


def test_a_symbolic_link_member_is_refused(tmp_path):
    with pytest.raises(ZipRefused, match="liên kết tượng trưng"):
        _check(symlink_zip(), tmp_path)


def test_too_many_members_are_refused(tmp_path):
    with pytest.raises(ZipRefused, match="quá nhiều tệp"):
        _check(make_zip({f"{i}.pdf": b"x" for i in range(11)}), tmp_path, max_members=10)


def test_a_declared_size_over_the_limit_is_refused(tmp_path):
    with pytest.raises(ZipRefused, match="vượt quá giới hạn dung lượng"):
        _check(make_zip({"a.pdf": b"x" * 600, "b.pdf": b"x" * 600}), tmp_path, max_bytes=1000)


def test_a_decompression_bomb_is_refused_by_its_ratio(tmp_path):
    with pytest.raises(ZipRefused, match="bom giải nén"):
        _check(bomb_zip(64 * 1024 * 1024), tmp_path)


def test_not_a_zip_is_refused_in_vietnamese(container, tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ZipRefused, match="không phải là tệp nén zip hợp lệ"):
        batches.create_batch(container, SYSTEM, path)


def _nothing_kept(c) -> None:
    with c.uow() as uow:
        s = uow.session
        for model in (IntakeBatch, IntakeBatchFile):
            assert s.scalar(select(func.count()).select_from(model)) == 0
        assert s.scalar(select(func.count()).select_from(Job).where(Job.kind == "batch")) == 0
    assert list(c.store.namespace(batches.INTAKE_NAMESPACE).list_keys()) == []


@pytest.mark.parametrize("data", [
    make_zip({"NV001/khac/a.pdf": b"%PDF-1.4 fine", "../../escape.pdf": b"%PDF-1.4"}),
    bomb_zip(64 * 1024 * 1024),
    symlink_zip(),
], ids=["traversal", "bomb", "symlink"])
def test_a_refused_zip_leaves_nothing_stored_or_recorded(container, tmp_path, data):
    path = tmp_path / "lo.zip"
    path.write_bytes(data)
    with pytest.raises(ZipRefused):
        batches.create_batch(container, SYSTEM, path)
    _nothing_kept(container)


def test_a_header_that_lies_about_its_size_is_caught_while_unpacking(container, tmp_path):
    path = tmp_path / "lo.zip"
    path.write_bytes(make_zip({"NV001/khac/a.pdf": b"%PDF-1.4 " + b"x" * 5000}))
    # rewrite the declared size (central directory and local header) to lie: 10 bytes
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.infolist()[0]
    import struct
    cd = raw.rfind(b"PK\x01\x02")
    struct.pack_into("<I", raw, cd + 24, 10)
    struct.pack_into("<I", raw, info.header_offset + 22, 10)
    path.write_bytes(bytes(raw))
    with pytest.raises(ZipRefused):
        batches.create_batch(container, SYSTEM, path)
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(IntakeBatch)) == 0
