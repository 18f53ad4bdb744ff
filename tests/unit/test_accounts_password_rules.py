"""New passwords (NIST SP 800-63B): long enough, not common or breached, not the username, not one run."""

import pytest

from archive.errors import InvalidInput
from archive.services.passwords import MIN_LENGTH, check_strength


@pytest.mark.parametrize("password, reason", [
    ("123456789a", f"ít nhất {MIN_LENGTH} ký tự"),
    ("mat-khau-1", f"ít nhất {MIN_LENGTH} ký tự"),
    ("aaaaaaaaaaaa", "lặp lại hoặc liên tiếp"),
    ("abcabcabcabcab", "lặp lại hoặc liên tiếp"),
    ("abcdefghijklm", "lặp lại hoặc liên tiếp"),
    ("987654321098", "lặp lại hoặc liên tiếp"),
    ("qwertyuiopasdf", "lặp lại hoặc liên tiếp"),
    ("1qaz2wsx3edc", "lặp lại hoặc liên tiếp"),
    ("finalfantasy", "phổ biến"),
    ("LeaveMeAlone", "phổ biến"),
    ("password1234", "phổ biến"),
    ("Password2026!", "dễ đoán"),
    ("iloveyou2026", "dễ đoán"),
    ("anhyeuem1234", "dễ đoán"),
    ("Nguyen.Hung-quan-tri", "tên đăng nhập"),
])
def test_weak_new_passwords_are_refused_with_the_reason(password, reason):
    with pytest.raises(InvalidInput, match=reason):
        check_strength(password, username="nguyen.hung")


@pytest.mark.parametrize("password", ["mat-khau-2026", "toi yeu ha noi lam", "Sông Hương núi Ngự 1945",
                                      "xxxy7#Qk2lmn-Vz"])
def test_long_uncommon_passwords_pass(password):
    check_strength(password, username="nguyen.hung")


def test_very_long_passphrases_are_accepted_and_estimated_on_their_start():
    sentence = "Người xưa có câu: uống nước nhớ nguồn, ăn quả nhớ kẻ trồng cây, đi xa vẫn nhớ quê hương mình"
    assert len(sentence) > 72  # zxcvbn refuses longer input: the estimate covers the first 72 characters
    check_strength(sentence, username="nguyen.hung")
