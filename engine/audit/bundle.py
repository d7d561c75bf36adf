"""The case dossier as a signed JSON bundle: events with their hashes, the process files, a
signature over all of it. ``verify_bundle`` needs nothing but the file (and, to pin the signer,
the public key): it works offline on any machine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from engine.audit import signing
from engine.audit.chain import canonical, verify_case
from engine.audit.codec import event_from_fields, event_to_json
from engine.model import CaseEvent

FORMAT = "impresa-dossier/1"


def build(
    case: dict[str, Any], events: Sequence[CaseEvent], files: dict[str, bytes], key: Any, generated_at: dt.datetime
) -> dict[str, Any]:
    body = {
        "format": FORMAT,
        "generated_at": generated_at.isoformat(),
        "case": case,
        "head": {"seq": events[-1].seq if events else 0, "hash": events[-1].hash if events else None},
        "process_files": {
            name: {"sha256": hashlib.sha256(content).hexdigest(), "xml": content.decode()}
            for name, content in sorted(files.items())
        },
        "events": [event_to_json(e) for e in events],
    }
    public = signing.public_b64(key)
    return {
        **body,
        "signature": {
            "alg": "Ed25519",
            "public_key": public,
            "fingerprint": signing.fingerprint(public),
            "value": signing.sign(key, canonical(body)),
        },
    }


def verify_bundle(bundle: Any, trusted_public_key: str | None = None) -> list[str]:
    """Every problem found in a bundle (empty when it is intact and signed by the expected key)."""
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        return [f"not a {FORMAT} bundle"]
    problems: list[str] = []
    signature = bundle.get("signature") or {}
    body = {k: v for k, v in bundle.items() if k != "signature"}
    public = str(signature.get("public_key") or "")
    if trusted_public_key is not None and public != trusted_public_key.strip():
        problems.append("signed by a different key than the trusted one")
    if not public or not signing.verify(public, str(signature.get("value") or ""), canonical(body)):
        problems.append("signature does not match the content (the bundle was changed)")
    for name, entry in (bundle.get("process_files") or {}).items():
        if hashlib.sha256(str(entry.get("xml", "")).encode()).hexdigest() != entry.get("sha256"):
            problems.append(f"process file {name} does not match its hash")
    try:
        events = [event_from_fields(e) for e in bundle.get("events") or []]
    except (KeyError, TypeError, ValueError) as err:
        return [*problems, f"malformed event: {err}"]
    head = bundle.get("head") or {}
    case_id = int((bundle.get("case") or {}).get("id", events[0].case_id if events else 0))
    broken = verify_case(case_id, events, (int(head.get("seq") or 0), str(head.get("hash") or "")), masked=True)
    if broken is not None:
        problems.append(str(broken))
    return problems
