"""Keys kept outside the database: field encryption of person records and the keyed pseudonym.

Each personal field is sealed on its own with AES-256-GCM (``cryptography``'s AEAD), bound to
its row and field name as associated data, and stored as ``<key id>:<base64 nonce+ciphertext>``:
a value copied to another row or field fails to open, and a row says which key sealed it, so a
rotation can run while old rows still open. The keyring comes from ``IMPRESA_DATA_KEYS`` (its
JSON) or the file ``IMPRESA_DATA_KEY_FILE`` (default ``instance/data-keys.json``)::

    {"active": "k2", "keys": {"k1": "<base64 of 32 bytes>", "k2": "..."}}

The pseudonym is an HMAC-SHA256 of the normalised codice fiscale under a separate key
(``instance/pseudonym.key``) that is never rotated: rotating it would unlink the same person
across cases. Losing a key is never silent: ``KeyringError`` names what is missing or wrong.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from engine.errors import EngineError
from engine.secret_files import create_once

NONCE_BYTES = 12


class KeyringError(EngineError):
    """The encryption keys are missing, malformed or do not open the stored data."""

    code = "keyring_error"


@dataclass(frozen=True)
class Keyring:
    active: str
    keys: dict[str, bytes]

    def seal(self, plaintext: str, context: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active]).encrypt(nonce, plaintext.encode(), context.encode())
        return f"{self.active}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, token: str, context: str) -> str:
        key_id, _, body = token.partition(":")
        if key_id not in self.keys:
            raise KeyringError(
                f"la chiave di cifratura «{key_id}» non è nel portachiavi: ripristinare il file delle chiavi "
                "(IMPRESA_DATA_KEY_FILE) che la contiene"
            )
        try:
            raw = base64.b64decode(body, validate=True)
            return AESGCM(self.keys[key_id]).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()
        except (InvalidTag, binascii.Error, ValueError) as err:
            raise KeyringError(
                f"la chiave di cifratura «{key_id}» non apre i dati cifrati: chiave errata o dati alterati"
            ) from err

    def key_id_of(self, token: str) -> str:
        return token.partition(":")[0]

    def with_new_key(self) -> tuple[Keyring, str]:
        """A keyring with a fresh active key (the old ones stay, to open rows not yet resealed)."""
        number = 1 + max((int(k[1:]) for k in self.keys if k[1:].isdigit()), default=0)
        key_id = f"k{number}"
        return Keyring(key_id, {**self.keys, key_id: AESGCM.generate_key(bit_length=256)}), key_id

    def only_active(self) -> Keyring:
        return Keyring(self.active, {self.active: self.keys[self.active]})

    def to_json(self) -> str:
        keys = {k: base64.b64encode(v).decode() for k, v in self.keys.items()}
        return json.dumps({"active": self.active, "keys": keys}, indent=1)


def keyring_path(instance_dir: Path) -> Path:
    return Path(os.environ.get("IMPRESA_DATA_KEY_FILE") or instance_dir / "data-keys.json")


def load_keyring(instance_dir: Path, *, create: bool = False) -> Keyring:
    """The keyring from the environment or its file; a new one only when ``create`` (first run)."""
    inline = os.environ.get("IMPRESA_DATA_KEYS")
    if inline:
        return parse_keyring(inline, "IMPRESA_DATA_KEYS")
    path = keyring_path(instance_dir)
    if path.exists():
        return parse_keyring(path.read_text(), str(path))
    if not create:
        raise KeyringError(
            f"chiave di cifratura mancante: né IMPRESA_DATA_KEYS né il file {path} (IMPRESA_DATA_KEY_FILE); "
            "senza la chiave i dati anagrafici cifrati non si possono leggere"
        )
    # several workers of a fresh server come here at once: all must end with the same keyring
    first = create_once(path, lambda: Keyring("k1", {"k1": AESGCM.generate_key(bit_length=256)}).to_json().encode())
    return parse_keyring(first.decode(), str(path))


def save_keyring(keyring: Keyring, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(keyring.to_json())
    temporary.chmod(0o600)
    temporary.replace(path)


def parse_keyring(text: str, source: str) -> Keyring:
    try:
        raw = json.loads(text)
        keys = {str(k): base64.b64decode(v, validate=True) for k, v in raw["keys"].items()}
        active = str(raw["active"])
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as err:
        raise KeyringError(
            f"portachiavi illeggibile ({source}): atteso {{'active': id, 'keys': {{id: base64}}}}"
        ) from err
    if active not in keys:
        raise KeyringError(f"portachiavi {source}: la chiave attiva «{active}» non è tra le chiavi")
    if any(len(v) != 32 for v in keys.values()):
        raise KeyringError(f"portachiavi {source}: ogni chiave deve essere di 32 byte (AES-256)")
    return Keyring(active, keys)


def pseudonym_key(instance_dir: Path) -> bytes:
    """The pseudonymisation key: created once, then kept (it links a person across cases)."""
    return bytes.fromhex(
        create_once(instance_dir / "pseudonym.key", lambda: secrets.token_hex(32).encode()).decode().strip()
    )


def keyed_hash(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
