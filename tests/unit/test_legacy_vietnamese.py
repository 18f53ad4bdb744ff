"""TCVN3 (.VnTime) and VNI text to Unicode NFC: known strings, chart bytes, round trips, detection."""

from __future__ import annotations

import unicodedata

import pytest

from ingest.legacy_vietnamese import (
    decode_by_font,
    decode_tcvn3,
    decode_vni,
    detect_and_decode,
    encoding_for_font,
)
from tests.support.staff_sheets import encode_tcvn3, encode_vni

NAMES = ["Nguyễn Thị Hương", "Đặng Văn Ước", "Hà Nội", "Trần Quốc Tuấn", "Lê Hoàng Yến", "Vũ Đức Thắng",
         "Bùi Thị Thuỷ", "Ngô Quang Khải", "Huỳnh Tấn Phát", "Lưu Thị Bích Ngọc", "Thừa Thiên Huế",
         "Phòng Tổ chức cán bộ", "Chuyên viên chính", "Kiên Giang", "Bà Rịa Vũng Tàu"]


def _cp(*codes: int) -> str:
    """Bytes from a chart, as the cp1252 characters an Excel cell shows them as."""
    return bytes(codes).decode("cp1252")


def test_tcvn3_bytes_from_the_published_chart() -> None:
    # TCVN 5712:1993 VN3: 0xB5 à, 0xE9 ộ, 0xAD ư, 0xAC ơ, 0xA7 Đ, 0xC6 ặ, 0xA8 ă, 0xA6 Ư, 0xED ớ, 0xD4 ễ, 0xDE ị
    assert decode_tcvn3(_cp(0x48, 0xB5, 0x20, 0x4E, 0xE9, 0x69)) == "Hà Nội"
    assert decode_tcvn3("Nguy" + _cp(0xD4) + "n Th" + _cp(0xDE) + " H" + _cp(0xAD, 0xAC) + "ng") == "Nguyễn Thị Hương"
    assert decode_tcvn3(_cp(0xA7, 0xC6) + "ng V" + _cp(0xA8) + "n " + _cp(0xA6, 0xED) + "c") == "Đặng Văn Ước"
    assert decode_tcvn3("B¶o Th¾ng") == "Bảo Thắng"


def test_tcvn3_u_horn_is_the_soft_hyphen_byte_and_is_kept() -> None:
    text = "M\u00adêng Kh\u00ad¬ng"  # 0xAD is a soft hyphen to cp1252; cleaners drop it, we must not
    assert decode_tcvn3(text) == "Mường Khương"


def test_tcvn3_is_not_glibc_tcvn5712_1() -> None:
    # glibc iconv's TCVN5712-1 is VN1: byte 0x80 is "À" there; in a .VnTime (VN3) cell the
    # character for 0x80 ("€" in cp1252) is no Vietnamese letter and stays as it is
    import shutil
    import subprocess

    assert decode_tcvn3("€") == "€"
    if shutil.which("iconv"):
        glibc = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=b"\x80",
                               capture_output=True, check=True).stdout.decode()
        assert glibc == "À" != decode_tcvn3(b"\x80".decode("cp1252"))


def test_vnitimes_h_fonts_hold_capitals() -> None:
    assert decode_tcvn3(encode_tcvn3("Nguyễn Thị Hương"), upper=True) == "NGUYỄN THỊ HƯƠNG"
    assert decode_by_font(encode_tcvn3("đặng văn ước"), ".VnTimeH") == "ĐẶNG VĂN ƯỚC"


def test_vni_bytes_from_the_published_chart() -> None:
    # VNI Windows: 0xE3 circumflex+tilde, 0xF2 ị, 0xF6 ư, 0xF4 ơ, 0xD1 Đ, 0xEB breve+dot, 0xEA breve, 0xD6 Ư, 0xF9 acute
    assert decode_vni("Nguye" + _cp(0xE3) + "n Th" + _cp(0xF2) + " H" + _cp(0xF6, 0xF4) + "ng") == "Nguyễn Thị Hương"
    assert decode_vni(_cp(0xD1) + "a" + _cp(0xEB) + "ng Va" + _cp(0xEA) + "n " + _cp(0xD6, 0xF4, 0xF9) + "c") \
        == "Đặng Văn Ước"
    assert decode_vni("Haø Noäi") == "Hà Nội"
    assert decode_vni("NguyeÃn") == "Nguyễn"  # a capitals' mark (0xC3) after a small letter


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_through_our_own_encoders(name: str) -> None:
    assert decode_vni(encode_vni(name)) == name
    assert decode_vni(encode_vni(name.upper())) == name.upper()
    # TCVN3 has no capitals with tones: those come back small, as a .VnTime cell shows them
    got = decode_tcvn3(encode_tcvn3(name))
    assert got.lower() == name.lower()
    assert unicodedata.is_normalized("NFC", got)


@pytest.mark.parametrize("name", NAMES)
def test_detection_without_a_font_picks_the_right_decoding(name: str) -> None:
    assert detect_and_decode(encode_vni(name)) == name
    assert detect_and_decode(encode_tcvn3(name)).lower() == name.lower()
    assert detect_and_decode(name) == name


def test_unicode_and_plain_text_stay_as_they_are() -> None:
    for text in ("Café Müller", "Nguyen Van A", "Hà Nội", "01.003", ""):
        assert detect_and_decode(text) == text
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hương")  # cp1258 text decodes to NFD
    assert detect_and_decode(nfd) == "Nguyễn Thị Hương"


def test_font_names_tell_the_encoding() -> None:
    assert encoding_for_font(".VnTime") == "tcvn3"
    assert encoding_for_font(".VnArial") == "tcvn3"
    assert encoding_for_font(".VnTimeH") == "tcvn3h"
    assert encoding_for_font("VNI-Times") == "vni"
    assert encoding_for_font("Times New Roman") is None
    assert encoding_for_font(None) is None
