"""Password hashes on the standard library, still reading the hashes written before the move."""

from __future__ import annotations

import pytest

from engine.config import Settings
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


def test_the_work_factor_is_written_into_the_hash_and_verified_at_that_cost() -> None:
    cheap = hash_password("segreto", n=2**4)
    assert cheap.startswith("scrypt:16:8:1$")
    assert check_password(cheap, "segreto") and not check_password(cheap, "Segreto")


@pytest.mark.parametrize("n", [0, 1, 3, 1000])
def test_a_work_factor_that_is_not_a_power_of_two_is_refused(n: int) -> None:
    with pytest.raises(ValueError):
        hash_password("segreto", n=n)


def test_servers_hash_at_full_cost_whatever_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests' cheap work factor is a setting no server can be given: ``from_env`` ignores it."""
    for name in ("IMPRESA_PASSWORD_HASH_N", "PASSWORD_HASH_N", "IMPRESA_SCRYPT_N"):
        monkeypatch.setenv(name, "16")
    assert Settings.from_env().password_hash_n == Settings().password_hash_n == 2**15
