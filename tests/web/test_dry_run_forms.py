"""The dry run answered from the forms: the page proposes each user task's answer from its form
(types, options, defaults, what the form's own checks ask for); the designer changes a value or
leaves a task out, and the run follows. The beneficiary path reaches the design phase with no
JSON typed: one box ticked (a category of L. 381/1991 in the health certification)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from engine import Engine
from engine.policy import CLI_OPERATOR
from tests.web.confirm_steps import confirm_step, refused_unconfirmed
from tests.web.conftest import login_as
from web.dry_run_form import propose, propose_checked


class PostedForm(HTMLParser):
    """What a browser would post from the page's dry-run form, as it was rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("data-testid") == "dry-run-form":
            self._inside = True
        if not self._inside:
            return
        if tag == "input" and a.get("name") and a.get("name") != "csrf_token":
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields.append((a["name"], a.get("value", "on")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text))
            self._textarea = None


def posted(page_html: str) -> list[tuple[str, str]]:
    form = PostedForm()
    form.feed(page_html)
    return form.fields


@pytest.fixture
def page(app: Flask) -> FlaskClient:
    return login_as(app.test_client(), "progettista")


def outcome(response_html: str) -> tuple[list[str], dict[str, Any], str]:
    path = re.findall(r'<li data-element="(.*?)">', response_html)
    data = json.loads(html.unescape(re.search(r'data-testid="dry-run-data">(.*?)</pre>', response_html, re.S).group(1)))
    stopped = re.search(r'data-testid="dry-run-(?:stopped|completed|error)">(.*?)</p>', response_html, re.S)
    return path, data, html.unescape(stopped.group(1)) if stopped else ""


def test_the_beneficiary_path_reaches_the_design_phase_from_the_forms(page: FlaskClient, demo: Engine) -> None:
    draft = demo.design.open_draft(
        "percorso_beneficiario.bpmn", actor=demo.users.get("progettista", actor=CLI_OPERATOR)
    )
    url = f"/design/drafts/{draft.id}/dry-run"
    shown = page.get(url).get_data(as_text=True)
    assert 'data-testid="task-forms"' in shown and 'data-task="UT_segnalazione"' in shown
    # the proposal: the first option of a choice, the run's day for a date
    fields = dict(posted(shown))
    assert fields["dr__UT_segnalazione__servizio_inviante"] == "SERVIZIO_SOCIALE"
    assert fields["dr__UT_segnalazione__data_segnalazione"] == demo.now().date().isoformat()
    assert fields["dr__UT_segnalazione__referente_inviante"]  # asked for by the form's own check
    assert fields["answers"].strip() == "{}"

    form = MultiDict(posted(shown))
    form["data"] = '{"territorio": "ATS-Demo"}'
    form["dr__UT_certificazione_sanitaria__ex_degente_psichiatrico"] = "true"  # the designer's pick
    path, data, _ = outcome(page.post(url, data=form).get_data(as_text=True))

    assert data["esito"] == "IDONEO_LAVORO" and data["cat_381"] == ["EX_DEGENTE_OP_OPG"]
    assert {"UT_conferma_esito", "Task_scheda_ingresso", "Start_progettazione", "Task_progetto"} <= set(path)


def test_the_dry_run_shows_the_data_each_step_changed(page: FlaskClient, demo: Engine) -> None:
    draft = demo.design.open_draft(
        "percorso_beneficiario.bpmn", actor=demo.users.get("progettista", actor=CLI_OPERATOR)
    )
    url = f"/design/drafts/{draft.id}/dry-run"
    form = MultiDict(posted(page.get(url).get_data(as_text=True)))
    form["data"] = '{"territorio": "ATS-Demo"}'
    form["dr__UT_certificazione_sanitaria__ex_degente_psichiatrico"] = "true"
    result = demo.design.dry_run(
        draft.id,
        "percorso_beneficiario",
        {"territorio": "ATS-Demo"},
        {},
        actor=demo.users.get("progettista", actor=CLI_OPERATOR),
    )
    assert result.steps and result.steps[0]["type"] == "start"  # the opening scripts' data
    shown = page.post(url, data=form).get_data(as_text=True)
    steps = re.findall(r'<li data-step="([^"]*)"[^>]*>(.*?)</li>', shown, re.S)
    names = [name for name, _ in steps]
    assert names[:2] == ["start", "UT_segnalazione"] and "Task_progetto" in names
    # the health certification's answer (merged when the parallel checks join), then what the
    # eligibility tables made of it, in a later step
    cert = next(i for i, (_, body) in enumerate(steps) if "<code>ex_degente_psichiatrico</code>" in body)
    tables = next(i for i, (_, body) in enumerate(steps) if "<code>cat_381</code>" in body)
    assert cert <= tables and '"EX_DEGENTE_OP_OPG"' in html.unescape(steps[tables][1])
    # each step says how far along the path it got, the elements it went through in Italian, and
    # all the data after it
    lengths = [int(n) for n in re.findall(r'data-path-length="(\d+)"', shown)]
    assert lengths == sorted(lengths) and lengths[-1] > lengths[0]
    assert "Attraversa:" in shown and "Tutti i dati dopo questo passo" in shown
    assert "UserTask" not in shown and "StartEvent" not in shown and "(attività utente" in shown


def test_a_task_left_out_stops_the_run_there(page: FlaskClient, demo: Engine) -> None:
    draft = demo.design.open_draft(
        "percorso_beneficiario.bpmn", actor=demo.users.get("progettista", actor=CLI_OPERATOR)
    )
    url = f"/design/drafts/{draft.id}/dry-run"
    form = MultiDict(posted(page.get(url).get_data(as_text=True)))
    form["data"] = '{"territorio": "ATS-Demo"}'
    form.poplist("use__UT_informativa")
    path, _, stopped = outcome(page.post(url, data=form).get_data(as_text=True))
    assert "UT_segnalazione" in path and "UT_informativa" not in path and "UT_informativa" in stopped


def test_proposals_follow_types_options_defaults_and_the_form_checks() -> None:
    today = dt.date(2026, 3, 1)
    schema = {
        "properties": {
            "scelta": {"type": "string", "enum": ["A", "B"]},
            "ok": {"type": "boolean"},
            "n": {"type": "integer", "minimum": 3},
            "giorno": {"type": "string", "format": "date"},
            "codice": {"type": "string", "pattern": "^\\d{6}$"},
            "membri": {"type": "array", "items": {"type": "string", "enum": ["x", "y", "z"]}, "minItems": 2},
            "nota": {"type": ["string", "null"]},
            "livello": {"type": "integer", "default": 2},
            "dopo": {"type": "string", "format": "date"},
        },
        "required": ["scelta", "ok", "n", "giorno", "codice", "membri"],
    }
    assert propose(schema, today) == {
        "scelta": "A",
        "ok": True,
        "n": 3,
        "giorno": "2026-03-01",
        "codice": "111111",
        "membri": ["x", "y"],
        "livello": 2,
    }

    def check(data: dict[str, Any]) -> dict[str, list[str]]:  # "dopo" is needed, after "giorno"
        if "dopo" not in data or data["dopo"] <= data["giorno"]:
            return {"dopo": ["Serve una data successiva."]}
        return {}

    assert propose_checked(schema, today, check)["dopo"] == "2026-03-31"


def test_a_run_kept_as_a_scenario_is_run_again_after_a_change(page: FlaskClient, demo: Engine) -> None:
    designer = demo.users.get("progettista", actor=CLI_OPERATOR)
    draft = demo.design.open_draft("percorso_beneficiario.bpmn", actor=designer)
    url = f"/design/drafts/{draft.id}/dry-run"
    form = MultiDict(posted(page.get(url).get_data(as_text=True)))
    form["data"] = '{"territorio": "ATS-Demo"}'
    form["dr__UT_certificazione_sanitaria__ex_degente_psichiatrico"] = "true"
    form["action"] = "save"
    refused = page.post(url, data=form)  # no name
    assert refused.status_code == 422 and "Dai un nome allo scenario." in refused.get_data(as_text=True)
    form["scenario_name"] = "Ex degente idoneo"
    saved = page.post(url, data=form).get_data(as_text=True)
    assert "Scenario «Ex degente idoneo» salvato." in saved
    [scenario] = demo.design.scenarios("percorso_beneficiario", actor=designer)
    version = demo.design.versions("percorso_beneficiario", actor=CLI_OPERATOR)[0].version
    assert (scenario.process_version, scenario.draft_id, scenario.draft_revision) == (version, draft.id, draft.revision)
    shown = re.search(rf'data-testid="scenario-version-{scenario.id}">(.*?)</td>', saved, re.S).group(1)
    assert f"versione {version} pubblicata, questa bozza alla revisione {draft.revision}" in html.unescape(shown)
    assert scenario.answers["UT_certificazione_sanitaria"]["ex_degente_psichiatrico"] is True
    assert scenario.data == {"territorio": "ATS-Demo"}

    # run again as kept: exactly its data and answers
    again = page.post(
        url, data={"process_id": "percorso_beneficiario", "action": "scenario", "scenario_id": scenario.id}
    )
    path, data, _ = outcome(again.get_data(as_text=True))
    assert data["esito"] == "IDONEO_LAVORO" and "Task_progetto" in path

    # the draft changes (the ESF+ entry form's task gets a new id): the scenario now stops there
    changed = draft.content.replace("Task_scheda_ingresso", "Task_scheda_ingresso_nuova")
    demo.design.save_draft(draft.file_name, changed.encode(), actor=designer, draft_id=draft.id)
    summary = page.post(url, data={"process_id": "percorso_beneficiario", "action": "all"}).get_data(as_text=True)
    cell = re.search(rf'data-testid="outcome-{scenario.id}">(.*?)</td>', summary, re.S).group(1)
    assert "fermo a:" in html.unescape(cell) and "Task_scheda_ingresso_nuova" in cell
    against = re.search(rf'data-testid="scenario-version-{scenario.id}">(.*?)</td>', summary, re.S).group(1)
    assert f"(ora alla revisione {draft.revision + 1})" in html.unescape(against)

    # a kept scenario's delete cannot be undone: without the box it stays, the step drawn open again
    delete = f"/design/drafts/{draft.id}/scenarios/{scenario.id}/delete?process_id=percorso_beneficiario"
    step = confirm_step(summary, f"scenario-{scenario.id}")
    assert f'action="{html.escape(delete)}"' in step and "non si può annullare" in html.unescape(step)
    again = refused_unconfirmed(page.post(delete), f"scenario-{scenario.id}")
    assert "Ex degente idoneo" in again and 'data-testid="outcome-' not in again  # shown, nothing run
    assert [s.id for s in demo.design.scenarios("percorso_beneficiario", actor=designer)] == [scenario.id]
    assert page.post(delete, data={"confirm": "1"}).status_code == 302
    assert demo.design.scenarios("percorso_beneficiario", actor=designer) == []
