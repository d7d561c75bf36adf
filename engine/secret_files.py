"""Key files made once in the instance directory, safe when several processes start together.

A fresh server starts its workers at the same moment, and each may find a key file missing (the
data keyring, the pseudonym key, the audit signing key). Were each to write its own, the
workers would seal and sign with different keys and a later start would refuse the data. So a
key file is written whole under a private temporary name and then hard-linked into place: the
link either creates the file, complete, or fails because another process got there first, and
then everybody reads the first one's key. A reader never sees a half-written file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path


def create_once(path: Path, make: Callable[[], bytes]) -> bytes:
    """The content of ``path``; when it is missing, ``make()``'s, unless another process's
    first (mode 600)."""
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(make())
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: its key is the one
            os.link(draft, path)
    finally:
        draft.unlink()
    return path.read_bytes()
