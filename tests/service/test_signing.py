"""PAdES signatures on a declaration PDF/A-2b, validated with pyHanko's validator against the test root:
three incremental signatures all valid; one flipped byte breaks them; an upload signed by an unknown
CA, or over other bytes, is refused in Vietnamese; the three-times-signed file still passes veraPDF."""

from __future__ import annotations

import pytest

from archive.services import signing
from archive.services.declaration_pdf import DeclarationSheet, FieldChange, render
from tests.support.test_pki import PASSWORD, test_pki


@pytest.fixture(scope="module")
def pki():
    return test_pki()


@pytest.fixture(scope="module")
def issued() -> bytes:
    return render(DeclarationSheet(kind="initial", number=7, staff_code="NV001", full_name="Nguyễn Văn An",
                                   unit_name="Sở Giáo dục và Đào tạo", regulation="Quyết định số 51/2024/QĐ-UBND",
                                   fields=[FieldChange("hometown", "Quê quán", "Hà Nội", "Đà Nẵng"),
                                           FieldChange("informatics", "Tin học", "", "Ứng dụng CNTT cơ bản")]))


@pytest.fixture(scope="module")
def three(pki, issued) -> bytes:
    one = signing.sign(issued, pki.person.p12, PASSWORD, field_name="KeKhai", reason="Kê khai")
    two = signing.sign(one, pki.hr_head.p12, PASSWORD, field_name="XacThuc", reason="Xác thực")
    return signing.sign(two, pki.unit_head.p12, PASSWORD, field_name="PheDuyet", reason="Phê duyệt")


def _roots(pki):
    return signing.load_certificates(pki.root_pem)


def test_three_signatures_each_validate_against_the_test_root(pki, issued, three) -> None:
    checks = signing.validate(three, _roots(pki))
    assert [c.signer_subject for c in checks] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    assert all(c.intact and c.valid and c.trusted and c.modifications_ok for c in checks)
    assert [c.covers_whole_file for c in checks] == [False, False, True]
    assert three.startswith(issued)  # incremental: the issued revision is kept byte for byte
    assert [c.signer_fingerprint for c in checks] == [pki.person.fingerprint, pki.hr_head.fingerprint,
                                                      pki.unit_head.fingerprint]


def test_a_flipped_byte_fails_validation(pki, issued, three) -> None:
    tampered = bytearray(three)
    at = three.index(b"stream", len(issued) // 3) + 20  # inside the first revision's page content
    tampered[at] ^= 0x01
    checks = signing.validate(bytes(tampered), _roots(pki))
    assert checks and not any(c.ok for c in checks)


def test_without_the_root_nothing_is_trusted(pki, three) -> None:
    checks = signing.validate(three, signing.load_certificates(pki.stranger_root_pem))
    assert [c.intact for c in checks] == [True, True, True] and not any(c.trusted for c in checks)


def test_an_upload_signed_by_an_unknown_certificate_is_refused(pki, issued) -> None:
    foreign = signing.sign(issued, pki.stranger.p12, PASSWORD, field_name="KeKhai", reason="Kê khai")
    with pytest.raises(signing.SignatureRefused, match="tổ chức chứng thực được tin cậy"):
        signing.check_upload(issued, foreign, _roots(pki))


def test_an_upload_over_other_bytes_or_without_a_signature_is_refused(pki, issued) -> None:
    other = render(DeclarationSheet(kind="initial", number=8, staff_code="NV002", full_name="Khác", unit_name="B",
                                    regulation="", fields=[]))
    signed_other = signing.sign(other, pki.person.p12, PASSWORD, field_name="KeKhai", reason="Kê khai")
    with pytest.raises(signing.SignatureRefused, match="đã bị thay đổi"):
        signing.check_upload(issued, signed_other, _roots(pki))
    with pytest.raises(signing.SignatureRefused, match="đã bị thay đổi"):
        signing.check_upload(issued, issued, _roots(pki))
    with pytest.raises(signing.SignatureRefused, match="đúng một chữ ký"):
        signing.check_upload(issued, issued + b"\n% appended\n", _roots(pki))


def test_an_upload_signed_elsewhere_over_our_bytes_is_accepted(pki, issued) -> None:
    signed = signing.sign(issued, pki.person.p12, PASSWORD, field_name="KeKhai", reason="Kê khai")
    check = signing.check_upload(issued, signed, _roots(pki))
    assert check.ok and check.signer_fingerprint == pki.person.fingerprint


def test_a_wrong_pkcs12_password_is_one_vietnamese_sentence(pki, issued) -> None:
    from archive.errors import InvalidInput

    with pytest.raises(InvalidInput, match="sai mật khẩu"):
        signing.sign(issued, pki.person.p12, "khong-dung", field_name="KeKhai", reason="Kê khai")


def test_the_signed_declaration_is_still_pdfa_2b(tmp_path, three) -> None:
    from tests.support.verapdf import find_jar, validate

    jar = find_jar()
    path = tmp_path / "ke-khai.pdf"
    path.write_bytes(three)
    verdict = validate(jar, [path])[path]
    assert verdict.compliant, verdict.failed_rules
