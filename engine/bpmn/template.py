"""The starting point of a new process: start → one task in the coordinator's lane → end, with DI."""

from __future__ import annotations

import re
from pathlib import Path

_ID = re.compile(r"^[a-z][a-z0-9_]{1,60}$")

TEMPLATE = (Path(__file__).with_name("new_process.bpmn.tmpl")).read_text(encoding="utf-8")


def valid_process_id(process_id: str) -> bool:
    return bool(_ID.match(process_id))


def new_process(process_id: str, name: str) -> bytes:
    safe = name.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return TEMPLATE.format(pid=process_id, name=safe).encode()
