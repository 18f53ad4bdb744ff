"""Which backup sets are kept, and the sealed form of object copies: pure logic, no target."""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from archive.errors import InvalidInput
from archive.services.backup_cipher import (
    SEGMENT, BackupKey, BackupKeyError, SealBroken, SealingReader, new_key_spec, open_sealed, plain_size, sealed_size,
)
from archive.services.backup_policy import FLOORS, SetSummary, floor_for, keep_policy

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 15, 0, 0, tzinfo=timezone.utc)


def _nightly(days: int) -> list[SetSummary]:
    """One set a night at 01:30 Hà Nội time going back `days` nights; the first of each month full."""
    out = []
    for n in range(days):
        local = datetime(2026, 12, 15, 1, 30, tzinfo=VN) - timedelta(days=n)
        out.append(SetSummary(f"s{n:04d}", local.astimezone(timezone.utc), "full" if local.day == 1 else "incremental"))
    return out


def test_keeps_the_last_35_nights_and_the_full_set_of_each_of_the_last_12_months():
    sets = _nightly(500)
    keep = keep_policy(sets, now=NOW, tz=VN, daily=35, monthly=12, floor=FLOORS["national"])
    nightly = {s.set_id for s in sets[:35]}
    monthly = [s for s in sets if s.kind == "full"][:12]
    assert keep == nightly | {s.set_id for s in monthly}
    assert min(s.created for s in monthly).astimezone(VN).date().isoformat() == "2026-01-01"


def test_the_newest_set_and_the_newest_verified_one_are_never_let_go():
    sets = _nightly(60)
    old_verified = sets[50].set_id
    keep = keep_policy(sets, now=NOW, tz=VN, daily=1, monthly=1, floor=FLOORS["national"],
                       protected={old_verified, sets[55].set_id})
    assert sets[0].set_id in keep and old_verified in keep and sets[55].set_id not in keep


def test_tp_hcm_keeps_a_monthly_set_three_months_after_a_newer_one_whatever_the_setting():
    sets = _nightly(200)
    fulls = [s for s in sets if s.kind == "full"]  # 1 Dec, 1 Nov, 1 Oct, 1 Sep, 1 Aug, 1 Jul …
    national = keep_policy(sets, now=NOW, tz=VN, daily=1, monthly=1, floor=FLOORS["national"])
    hcm = keep_policy(sets, now=NOW, tz=VN, daily=1, monthly=1, floor=floor_for("tp-hcm"))
    assert {s.set_id for s in fulls} & national == {fulls[0].set_id}
    # Sep's set stays while Oct's (its newer one) is younger than three months; Aug's may go (Sep is 3.5 months old)
    assert {s.set_id for s in fulls} & hcm == {f.set_id for f in fulls[:4]}
    with pytest.raises(InvalidInput, match="ARCHIVE_BACKUP_JURISDICTION"):
        floor_for("atlantis")


@pytest.mark.parametrize("size", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 7])
def test_a_sealed_copy_opens_to_the_same_bytes_and_its_size_is_known_from_the_plain_size(size):
    key = BackupKey.from_spec(new_key_spec())
    data = os.urandom(size)
    reader = SealingReader(io.BytesIO(data), key, "originals/abc")
    sealed = b"".join(iter(lambda: reader.read(65_536), b""))
    assert len(sealed) == sealed_size(size) and plain_size(len(sealed)) == size
    assert b"".join(open_sealed(io.BytesIO(sealed), key, "originals/abc")) == data
    if size >= 64:
        assert data[:64] not in sealed  # sealed, not stored in clear


def test_a_changed_truncated_renamed_or_foreign_copy_does_not_open():
    key = BackupKey.from_spec(new_key_spec())
    data = os.urandom(2 * SEGMENT + 100)
    reader = SealingReader(io.BytesIO(data), key, "originals/abc")
    sealed = reader.read()
    flipped = bytearray(sealed)
    flipped[len(flipped) // 2] ^= 1
    for stream, name, k in ((bytes(flipped), "originals/abc", key),
                            (sealed[:-(100 + 16)], "originals/abc", key),  # the last segment cut off
                            (sealed, "derivatives/abc", key),
                            (sealed, "originals/abc", BackupKey.from_spec(new_key_spec()))):
        with pytest.raises(SealBroken):
            b"".join(open_sealed(io.BytesIO(stream), k, name))
    with pytest.raises(BackupKeyError):
        BackupKey.from_spec("c2hvcnQ=")


def test_the_floor_follows_the_profile_unless_set_apart():
    from archive.services.backup_policy import jurisdiction_of

    assert jurisdiction_of("", "tp-hcm") == "tp-hcm" and floor_for(jurisdiction_of("", "tp-hcm")).months_after_newer == 3
    assert jurisdiction_of("", "binh-tan") == "national"  # a profile without a floor of its own
    assert jurisdiction_of("", "neutral") == "national"
    assert jurisdiction_of("ha-noi", "tp-hcm") == "ha-noi"  # ARCHIVE_BACKUP_JURISDICTION wins
