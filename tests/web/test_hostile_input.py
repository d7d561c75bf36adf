"""Hostile input over every endpoint: never a 500, and what cannot be stored is a 400.

The HTML routes come from the Flask URL map, the API operations from the OpenAPI document, so a
new endpoint is swept without touching this file. Each request is made by a user holding every
role in every territory (pages: a session; API: a token), with real ids in the path (a running
case, its open task, a draft, a process), so it passes the role gate and reaches the view and the
engine. What is sent:

- NUL characters and integers of 5,000 digits in the path, the query string, every form field,
  and every JSON property; NUL in a header and a multipart file name; lone surrogates and numbers
  that overflow in JSON: 400 (problem+json under the API, an Italian page elsewhere);
- integers of 30 digits (beyond 64 bits) in the query, the form fields and every JSON property,
  and a file whose content holds a NUL: anything but a server error.

Runs on SQLite and on PostgreSQL (which refuses NUL and surrogates in text and JSON).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR
from engine.roles import ROLES
from tests.web.conftest import login_as, make_app, open_task, start_case

NUL = "a\x00b"
SURROGATE = "\ud800"
HUGE = "1" * 5000  # Python 3.11 refuses to read integers over 4,300 digits
WIDE = "9" * 30  # beyond 64 bits: reaches integer columns and LIMIT clauses if not bounded
# JSON can only carry these as raw text: placeholders replaced after json.dumps
RAW = {"@HUGE@": HUGE, "@OVERFLOW@": "1e999", "@WIDE@": WIDE}
SOURCE_NAMES = re.compile(r"""(?:args|form|values)\.get(?:list)?\(\s*["']([A-Za-z_]+)["']""")
INPUT_NAMES = re.compile(r"""\bname="([A-Za-z_][\w.]*)\"""")
SKIP_RULES = {"/static/<path:filename>"}


@dataclass
class World:
    app: Flask
    headers: dict[str, str]
    path_values: dict[str, str]
    field_names: set[str] = field(default_factory=set)


@pytest.fixture
def world(demo: Engine) -> World:
    demo.users.add("tutto", "Tutti i ruoli", [(role, "") for role in ROLES], actor=CLI_OPERATOR)
    everyone = demo.users.get("tutto", actor=CLI_OPERATOR)
    _, token = demo.accounts.create_token("sweep", actor=everyone)
    spare_token, _ = demo.accounts.create_token("revocable", actor=everyone)
    case = start_case(demo)
    task = open_task(demo, case.id)
    draft = demo.design.new_draft("prova_sweep", "Prova", actor=everyone)
    filter_id = demo.accounts.save_filter("mine", {"tab": "mine"}, actor=everyone)
    app = make_app(demo, PROPAGATE_EXCEPTIONS=False)  # a server error is a 500 to list, not an exception
    world = World(
        app,
        {"Authorization": f"Bearer {token}"},
        {
            "case_id": str(case.id),
            "task_id": task.id,
            "draft_id": str(draft.id),
            "token_id": str(spare_token),
            "filter_id": str(filter_id),
            "process_id": "percorso_beneficiario",
            "action": "suspend",
            "code": "ORG-SWEEP",
            "protocol_id": "999",
            "document_id": "999",
            "enterprise_id": "999",
            "link_id": "999",
            "kind": "funnel",
            "scenario_id": "999",
            "test_id": "T_x",
        },
    )
    world.field_names = _field_names(world)
    return world


def _field_names(world: World) -> set[str]:
    """Every parameter the views read by name, plus every input of every page the sweep opens."""
    names: set[str] = set()
    for source in (Path(__file__).resolve().parents[2] / "web").rglob("*.py"):
        names.update(SOURCE_NAMES.findall(source.read_text()))
    for rule, methods in _html_rules(world.app):
        if "GET" in methods:
            response = _session(world).get(_fill(rule, world.path_values))
            if response.mimetype == "text/html":
                names.update(INPUT_NAMES.findall(response.get_data(as_text=True)))
    names.discard("csrf_token")
    return names


def _html_rules(app: Flask) -> Iterator[tuple[str, set[str]]]:
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule in SKIP_RULES:
            continue
        yield rule.rule, set(rule.methods or ()) - {"HEAD", "OPTIONS"}


def _fill(rule: str, values: dict[str, str], override: dict[str, str] | None = None) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return (override or {}).get(name, values[name])

    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", value, rule)


def _session(world: World) -> FlaskClient:
    return login_as(world.app.test_client(), "tutto")


def _raw_json(body: Any) -> bytes:
    text = json.dumps(body)  # ensure_ascii: a lone surrogate travels as the escape \ud800
    for marker, literal in RAW.items():
        text = text.replace(f'"{marker}"', literal)
    return text.encode()


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    requests: int = 0


@dataclass
class Probe:
    """One endpoint (a method on a URL) probed as ``client()``; ``problem``: a problem document
    is due (the API and the pages' ``….json`` resources), else an Italian page."""

    outcome: Outcome
    client: Callable[[], FlaskClient]
    method: str
    url: str
    problem: bool

    def send(self, what: str, *, refused: bool, missing: bool = False, url: str = "", **kwargs: Any) -> None:
        """``refused``: the guard must answer 400 (``missing``: or 404, a path that names nothing);
        otherwise anything below 500 will do."""
        response = self.client().open(url or self.url, method=self.method, **kwargs)
        self.outcome.requests += 1
        status, where = response.status_code, f"{self.method} {self.url} {what}"
        if status >= 500:
            self.outcome.problems.append(f"{where}: {status}")
        elif not refused or (missing and status == 404):
            return
        elif status != 400:
            self.outcome.problems.append(f"{where}: {status}, expected 400")
        elif self.problem and response.mimetype != "application/problem+json":
            self.outcome.problems.append(f"{where}: {response.mimetype}, expected a problem document")
        elif not self.problem and "non ammessi" not in response.get_data(as_text=True):
            self.outcome.problems.append(f"{where}: the page does not say what was refused, in Italian")

    def text_vectors(self, names: Sequence[str], path_values: dict[str, str], rule: str) -> None:
        """Query string, a header and every path parameter."""
        self.send("NUL in query", query_string={n: NUL for n in names}, refused=True)
        self.send("long numbers in query", query_string={n: HUGE for n in names}, refused=True)
        self.send("wide numbers in query", query_string={n: WIDE for n in names}, refused=False)
        self.send("NUL in a header", headers={"X-Note": NUL}, refused=True)
        for kind, name in re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", rule):
            for bad in (HUGE, NUL) if kind != "int" else (HUGE,):
                url = _fill(rule, path_values, {name: bad})
                self.send(f"{bad[:3]!r}… in path {name}", url=url, refused=True, missing=bad == HUGE)
            self.send(f"wide number in path {name}", url=_fill(rule, path_values, {name: WIDE}), refused=False)

    def upload_vectors(self) -> None:
        multipart = "multipart/form-data"
        named = {"file": (io.BytesIO(b"<x/>"), "a\x00.bpmn"), "name": "x"}
        self.send("NUL in a file name", data=named, content_type=multipart, refused=True)
        field_nul = {"file": (io.BytesIO(b"<definitions>\x00</definitions>"), "nul.bpmn"), "note": NUL}
        self.send("NUL in a multipart field", data=field_nul, content_type=multipart, refused=True)
        content_nul = {"file": (io.BytesIO(b"<definitions>\x00</definitions>"), "nul.bpmn"), "note": "x"}
        self.send("NUL in file content", data=content_nul, content_type=multipart, refused=False)

    def json_vectors(self, body: Callable[[str], dict[str, Any]]) -> None:
        for marker in (NUL, SURROGATE, "@HUGE@", "@OVERFLOW@"):
            self.send(
                f"{marker!r} in JSON", data=_raw_json(body(marker)), content_type="application/json", refused=True
            )
        self.send(
            "wide integers in JSON", data=_raw_json(body("@WIDE@")), content_type="application/json", refused=False
        )


def test_hostile_input_on_every_page_gives_400_and_never_500(world: World) -> None:
    outcome = Outcome()
    names = sorted(world.field_names)
    for rule, methods in _html_rules(world.app):
        for method in sorted(methods, key=lambda m: m == "POST"):  # reads first: a POST may change the page
            probe = Probe(
                outcome, lambda: _session(world), method, _fill(rule, world.path_values), rule.endswith(".json")
            )
            probe.text_vectors(names, world.path_values, rule)
            if method != "POST":
                continue
            probe.send("NUL in every form field", data={n: NUL for n in names}, refused=True)
            probe.send("long numbers in every form field", data={n: HUGE for n in names}, refused=True)
            probe.send("wide numbers in every form field", data={n: WIDE for n in names}, refused=False)
            probe.upload_vectors()
            probe.json_vectors(lambda marker: {"xml": marker, "note": marker, "data": {"x": marker}})
    assert not outcome.problems, "\n".join(outcome.problems)
    assert outcome.requests > 400


def _operations(world: World) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    spec = world.app.test_client().get("/api/v1/openapi.json").get_json()
    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                found.append((method.upper(), path, op, spec))
    # deleting and revoking last, so the other operations still find what they name
    yield from sorted(found, key=lambda f: f[0] == "DELETE")


def _schema(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _body(spec: dict[str, Any], op: dict[str, Any], marker: Any) -> dict[str, Any]:
    """Every property of the operation's JSON body set to ``marker`` (inside objects and lists too)."""
    content = (op.get("requestBody") or {}).get("content", {}).get("application/json")
    body: dict[str, Any] = {"extra": marker}
    if content:
        for name, prop in _schema(spec, content["schema"]).get("properties", {}).items():
            prop = _schema(spec, prop)
            kind = prop.get("type")
            body[name] = {"x": marker} if kind == "object" or kind is None else [marker] if kind == "array" else marker
    return body


def test_hostile_input_on_every_api_operation_gives_400_and_never_500(world: World) -> None:
    outcome = Outcome()

    def client() -> FlaskClient:
        api = world.app.test_client()
        api.environ_base["HTTP_AUTHORIZATION"] = world.headers["Authorization"]
        return api

    for method, path, op, spec in _operations(world):
        rule = path.replace("{", "<").replace("}", ">")
        params = op.get("parameters", []) + spec["paths"][path].get("parameters", [])
        probe = Probe(outcome, client, method, _fill(rule, world.path_values), True)
        probe.text_vectors([p["name"] for p in params if p["in"] == "query"] or ["q"], world.path_values, rule)
        content = (op.get("requestBody") or {}).get("content", {})
        if "multipart/form-data" in content:
            probe.upload_vectors()
        if method not in ("GET", "DELETE") or content:
            probe.json_vectors(lambda marker, op=op, spec=spec: _body(spec, op, marker))
    assert not outcome.problems, "\n".join(outcome.problems)
    assert outcome.requests > 250


def test_json_read_by_a_form_field_reports_the_field(world: World, demo: Engine) -> None:
    """A textarea that takes JSON (dry-run data) names its field for a surrogate, in Italian."""
    client = _session(world)
    response = client.post(
        f"/design/drafts/{world.path_values['draft_id']}/dry-run",
        data={"process_id": "prova_sweep", "data": '{"territorio": "\\ud800"}', "answers": "{}"},
    )
    assert response.status_code == 422
    assert "non ammessi" in response.get_data(as_text=True)
    assert demo.cases.list(territory=TERRITORY, actor=CLI_OPERATOR)  # nothing else was touched
