"""Team visibility through the Flask test client: the company tutor of firm A is never shown,
offered or counted anything of firm B's trainee, on the HTML pages (case list, case page, diagram,
inbox and its counts, task page, audit pages, dossier, export) and in the API."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from engine import Engine
from engine.bpmn.loader import SourceFile
from engine.demo import OPERATOR, TERRITORY
from engine.model import TaskFilter
from engine.policy import CLI_OPERATOR
from tests.fixtures.diagrams import linear
from tests.web.conftest import login_as, make_app


@dataclass
class Firms:
    app: Flask
    case_a: int
    case_b: int
    task_a: str
    task_b: str
    token_a: str


@pytest.fixture
def firms(demo: Engine) -> Firms:
    """The demo tutor works for firm A; another tutor for firm B; one trainee each."""
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    demo.design.deploy([SourceFile("tirocinio.bpmn", linear("tirocinio", 1, ("tutor_aziendale",)))], actor=OPERATOR)
    demo.users.add("tutor_b", "Tobia Tutor", [("tutor_aziendale", TERRITORY)], actor=CLI_OPERATOR)
    for code, tutor in (("FIRMA_A", "tutor"), ("FIRMA_B", "tutor_b")):
        demo.registry.add_organisation(code, f"Impresa {code[-1]}", "impresa_mentor", TERRITORY, actor=coordinator)
        demo.registry.add_member(code, tutor, actor=coordinator)
    ids, tasks = [], []
    for code, title in (("FIRMA_A", "TIROCINANTE-ALFA"), ("FIRMA_B", "TIROCINANTE-BETA")):
        case = demo.cases.start("tirocinio", {"territorio": TERRITORY, "titolo": title}, actor=coordinator)
        demo.teams.add(case.id, "ospitante", organisation=code, actor=coordinator)
        ids.append(case.id)
        tasks.append(case.open_tasks[0].id)
    token = demo.accounts.create_token("test", actor=demo.users.get("tutor", actor=CLI_OPERATOR))[1]
    return Firms(make_app(demo), ids[0], ids[1], tasks[0], tasks[1], token)


def test_the_pages_show_the_tutor_only_their_firms_trainee(firms: Firms, demo: Engine) -> None:
    client = login_as(firms.app.test_client(), "tutor")

    cases = client.get("/cases").get_data(as_text=True)
    assert "TIROCINANTE-ALFA" in cases and "TIROCINANTE-BETA" not in cases
    assert "TIROCINANTE-BETA" not in client.get("/cases?title=TIROCINANTE").get_data(as_text=True)
    inbox = client.get("/inbox?tab=role").get_data(as_text=True)
    assert firms.task_a in inbox and firms.task_b not in inbox
    assert 'data-testid="count-role">1<' in inbox
    assert client.get(f"/cases/{firms.case_a}").status_code == 200
    for path in (
        f"/cases/{firms.case_b}",
        f"/cases/{firms.case_b}/diagram.json",
        f"/tasks/{firms.task_b}",
        f"/cases/{firms.case_b}/timeline",
        f"/cases/{firms.case_b}/replay",
        f"/cases/{firms.case_b}/dossier.pdf",
        "/exports/pseudonymised.json",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/tasks/{firms.task_b}", data={"conferma": "y"}).status_code == 403
    # the inbox's claim button answers with a message on the inbox; the task stays nobody's
    client.post(f"/tasks/{firms.task_b}/claim")
    assert demo.tasks.get(firms.task_b, actor=demo.users.get("tutor_b", actor=CLI_OPERATOR)).assignee is None


def test_the_api_shows_the_tutor_only_their_firms_trainee(firms: Firms) -> None:
    client = firms.app.test_client()
    headers = {"Authorization": f"Bearer {firms.token_a}"}

    assert [c["id"] for c in client.get("/api/v1/cases", headers=headers).get_json()] == [firms.case_a]
    page = client.get("/api/v1/tasks", headers=headers).get_json()
    assert ([t["id"] for t in page["items"]], page["total"]) == ([firms.task_a], 1)
    for method, path, body in (
        ("GET", f"/api/v1/cases/{firms.case_b}", None),
        ("GET", f"/api/v1/cases/{firms.case_b}/history", None),
        ("GET", f"/api/v1/tasks/{firms.task_b}", None),
        ("POST", f"/api/v1/tasks/{firms.task_b}/claim", None),
        ("PUT", f"/api/v1/tasks/{firms.task_b}/draft", {"data": {}}),
        ("POST", f"/api/v1/tasks/{firms.task_b}/complete", {"data": {"conferma": True}}),
        ("GET", f"/api/v1/cases/{firms.case_b}/replay", None),
        ("GET", f"/api/v1/cases/{firms.case_b}/dossier.pdf", None),
        ("GET", "/api/v1/exports/pseudonymised", None),
    ):
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 403, (method, path, response.status_code)
        assert "TIROCINANTE-BETA" not in response.get_data(as_text=True)


def test_the_other_tutor_sees_the_mirror_image(firms: Firms, demo: Engine) -> None:
    other = demo.users.get("tutor_b", actor=CLI_OPERATOR)
    assert [t.id for t in demo.tasks.list(actor=other)] == [firms.task_b]
    assert demo.tasks.count(TaskFilter(), actor=other) == 1
    client = login_as(firms.app.test_client(), "tutor_b")
    assert client.get(f"/cases/{firms.case_a}").status_code == 403
    assert client.get(f"/cases/{firms.case_b}").status_code == 200


def tab_counts(page: str) -> dict[str, int]:
    return {
        tab: int(page.split(f'data-testid="count-{tab}">', 1)[1].split("<", 1)[0])
        for tab in ("mine", "role", "done")
        if f'data-testid="count-{tab}">' in page
    }


def test_each_tutors_inbox_counts_only_their_firms_trainee(firms: Firms, demo: Engine) -> None:
    """The badges of every tab (mine, to take, done) follow the same audience as the list: as
    tutor A claims and then completes firm A's task, tutor B's counts never move."""
    tutor_a, tutor_b = (login_as(firms.app.test_client(), name) for name in ("tutor", "tutor_b"))

    assert tab_counts(tutor_a.get("/inbox").get_data(as_text=True)) == {"mine": 0, "role": 1, "done": 0}
    assert tab_counts(tutor_b.get("/inbox").get_data(as_text=True)) == {"mine": 0, "role": 1, "done": 0}
    demo.tasks.claim(firms.task_a, actor=demo.users.get("tutor", actor=CLI_OPERATOR))
    assert tab_counts(tutor_a.get("/inbox").get_data(as_text=True)) == {"mine": 1, "role": 0, "done": 0}
    assert tab_counts(tutor_b.get("/inbox").get_data(as_text=True)) == {"mine": 0, "role": 1, "done": 0}
    demo.tasks.complete(firms.task_a, {"conferma": True}, actor=demo.users.get("tutor", actor=CLI_OPERATOR))
    assert tab_counts(tutor_a.get("/inbox").get_data(as_text=True)) == {"mine": 0, "role": 0, "done": 1}
    page_b = tutor_b.get("/inbox?tab=done").get_data(as_text=True)
    assert tab_counts(page_b) == {"mine": 0, "role": 1, "done": 0}
    assert "TIROCINANTE-ALFA" not in page_b
