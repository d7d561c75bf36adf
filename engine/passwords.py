"""Password hashes with the standard library (``hashlib.scrypt``), readable in the format the
earlier hashes were written in (``scrypt:n:r:p$salt$hex`` and ``pbkdf2:sha256:iterations$salt$hex``),
so existing accounts keep logging in; new hashes are scrypt with a fresh random salt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

N, R, P = 2**15, 8, 1  # scrypt's cost: N is what ``Settings.password_hash_n`` defaults to
SALT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def hash_password(password: str, *, n: int = N) -> str:
    """A new scrypt hash; ``n`` (a power of two) is the work factor, written into the hash so that
    ``check_password`` verifies it at the cost it was made with."""
    if n < 2 or n & (n - 1):
        raise ValueError(f"scrypt's N must be a power of two, not {n}")
    salt = "".join(secrets.choice(SALT_CHARS) for _ in range(16))
    return f"scrypt:{n}:{R}:{P}${salt}${_scrypt(password, salt, n, R, P)}"


def check_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches ``stored``; an unknown or malformed hash never matches."""
    try:
        method, salt, expected = stored.split("$", 2)
        parts = method.split(":")
        if parts[0] == "scrypt":
            n, r, p = (int(x) for x in parts[1:4]) if len(parts) == 4 else (N, R, P)
            actual = _scrypt(password, salt, n, r, p)
        elif parts[0] == "pbkdf2" and len(parts) == 3:
            actual = hashlib.pbkdf2_hmac(parts[1], password.encode(), salt.encode(), int(parts[2])).hex()
        else:
            return False
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: str, n: int, r: int, p: int) -> str:
    # OpenSSL needs about 128·r·(n + p) bytes and more for a small n: a megabyte at least
    maxmem = max(132 * n * r * p, 1 << 20)
    return hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=maxmem).hex()
