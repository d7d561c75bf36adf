"""Key files made once: whoever links first wins, the others read the winner's key, nobody ever
reads a half-written file, and no draft is left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from engine import keyring
from engine.audit import signing
from engine.secret_files import create_once


def test_a_missing_file_is_made_whole_private_and_without_drafts(tmp_path: Path) -> None:
    path = tmp_path / "instance" / "k.key"
    assert create_once(path, lambda: b"first") == b"first"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert create_once(path, lambda: b"second") == b"first"
    assert os.listdir(path.parent) == ["k.key"]


def test_when_another_process_makes_it_meanwhile_its_content_is_the_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file was missing when looked at, then another process linked its own before this one."""
    path = tmp_path / "k.key"
    real_link = os.link

    def overtaken(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        Path(dst).write_bytes(b"the other process's key")
        real_link(src, dst)

    monkeypatch.setattr(os, "link", overtaken)
    assert create_once(path, lambda: b"mine") == b"the other process's key"
    assert os.listdir(tmp_path) == ["k.key"]


def test_every_key_file_of_the_instance_is_made_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMPRESA_DATA_KEYS", raising=False)
    monkeypatch.delenv("IMPRESA_DATA_KEY_FILE", raising=False)
    assert keyring.load_keyring(tmp_path, create=True) == keyring.load_keyring(tmp_path, create=True)
    assert keyring.pseudonym_key(tmp_path) == keyring.pseudonym_key(tmp_path)
    assert len(keyring.pseudonym_key(tmp_path)) == 32
    first = signing.public_b64(signing.load_or_create(tmp_path / "audit_signing_key.pem"))
    assert signing.public_b64(signing.load_or_create(tmp_path / "audit_signing_key.pem")) == first
    assert sorted(os.listdir(tmp_path)) == ["audit_signing_key.pem", "data-keys.json", "pseudonym.key"]
