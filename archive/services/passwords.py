"""Password hashing (argon2id) and the password rules shown to users."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from archive.errors import InvalidInput

_hasher = PasswordHasher()
MIN_LENGTH = 10


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.")
    if password.isdigit() or password.isalpha():
        raise InvalidInput("Mật khẩu phải có cả chữ và số hoặc ký tự đặc biệt.")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
