"""The server's Ed25519 key that signs dossier bundles, so they can be checked offline elsewhere.

The private key lives in the instance directory (created on first use, mode 600); the public key
travels in every bundle and its fingerprint is what a verifier pins (``--public-key``).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from engine.secret_files import create_once


def load_or_create(path: Path) -> Ed25519PrivateKey:
    """The key in ``path``, made on first use (by one process, whoever else starts with it)."""

    def new_pem() -> bytes:
        return Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    key = serialization.load_pem_private_key(create_once(path, new_pem), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    return key


def public_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def fingerprint(public_key_b64: str) -> str:
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:32]


def sign(key: Ed25519PrivateKey, payload: bytes) -> str:
    return base64.b64encode(key.sign(payload)).decode()


def verify(public_key_b64: str, signature_b64: str, payload: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64)).verify(
            base64.b64decode(signature_b64), payload
        )
    except (InvalidSignature, ValueError):
        return False
    return True
