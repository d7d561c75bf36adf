"""Password hashes on the standard library, still reading the hashes written before the move."""

from __future__ import annotations

import pytest

from engine.passwords import check_password, hash_password


def test_a_new_hash_matches_its_password_only() -> None:
    stored = hash_password("segreto")
    assert stored.startswith("scrypt:32768:8:1$")
    assert check_password(stored, "segreto") and not check_password(stored, "Segreto")


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256", "pbkdf2:sha256:1000"])
def test_hashes_in_the_earlier_format_still_verify(method: str) -> None:
    from hashlib import pbkdf2_hmac, scrypt

    salt = "abcdEFGH12345678"
    if method == "scrypt":
        digest = scrypt(b"segreto", salt=salt.encode(), n=2**15, r=8, p=1, maxmem=132 * 2**15 * 8).hex()
        stored = f"scrypt:32768:8:1${salt}${digest}"
    else:
        rounds = int(method.split(":")[2]) if method.count(":") == 2 else 600000
        stored = f"pbkdf2:sha256:{rounds}${salt}${pbkdf2_hmac('sha256', b'segreto', salt.encode(), rounds).hex()}"
    assert check_password(stored, "segreto") and not check_password(stored, "altro")


@pytest.mark.parametrize("stored", ["", "garbage", "md5$x$y", "scrypt:a:b:c$s$h", "pbkdf2:sha256$s$h"])
def test_a_malformed_hash_never_matches(stored: str) -> None:
    assert not check_password(stored, "segreto")
