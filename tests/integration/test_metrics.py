"""Prometheus metrics: scraped after a few commands, the counters and the deployment's figures
are there and right, for one process and summed over the production server's workers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient

from engine import Actor, CaseStatus, Engine
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR, SCHEDULER
from tests.support.served import served
from web import create_app

pytestmark = pytest.mark.integration
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALL = Actor("tutti", frozenset({"assistente_sociale", "referente_ente_partner", "coordinatore", "tutor_aziendale"}))
SAMPLE = re.compile(r"^([a-z_]+)(\{[^}]*\})? ([0-9.e+\-]+|NaN)$", re.M)


def samples(text: str) -> dict[str, float]:
    """``name{labels}`` → value, from the text exposition format."""
    return {name + (labels or ""): float(value) for name, labels, value in SAMPLE.findall(text)}


def token_of(engine: Engine, username: str, role: str) -> str:
    engine.users.add(username, username, [(role, "")], actor=CLI_OPERATOR)
    return engine.accounts.create_token("scrape", actor=engine.users.get(username, actor=CLI_OPERATOR))[1]


@pytest.fixture
def client(engine: Engine) -> FlaskClient:
    return create_app(engine, {"SECRET_KEY": "t", "WTF_CSRF_ENABLED": False}).test_client()


def test_the_metrics_show_commands_requests_and_the_deployments_figures(
    engine: Engine, client: FlaskClient, deploy: Callable[..., None], clock: FixedClock
) -> None:
    deploy(("branching.bpmn", (FIXTURES / "branching.bpmn").read_bytes()))
    admin = {"Authorization": f"Bearer {token_of(engine, 'ops', 'amministratore')}"}
    before = samples(client.get("/api/v1/metrics", headers=admin).get_data(as_text=True))

    cases = [engine.cases.start("branching", {"partner": []}, actor=ALL) for _ in range(3)]
    clock.advance(hours=1)
    engine.tasks.complete(cases[0].open_tasks[0].id, {"conferma": True, "note": "ok"}, actor=ALL)
    assert client.get("/health/live").status_code == 200

    response = client.get("/api/v1/metrics", headers=admin)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    found = samples(response.get_data(as_text=True))
    committed = 'impresa_commands_total{outcome="committed"}'
    assert found[committed] - before.get(committed, 0) >= 4  # three starts and a completion
    assert found["impresa_command_seconds_count"] >= found[committed]
    live = 'impresa_http_requests_total{method="GET",route="/health/live",status="200"}'
    assert found[live] - before.get(live, 0) == 1  # the counters are the process's: compare
    scrapes = 'impresa_http_request_seconds_count{method="GET",route="/api/v1/metrics"}'
    assert found[scrapes] - before.get(scrapes, 0) == 1
    now = [engine.cases.get(c.id, actor=CLI_OPERATOR) for c in cases]
    assert found["impresa_open_tasks"] == sum(len(c.open_tasks) for c in now)
    assert found["impresa_running_cases"] == sum(c.status is CaseStatus.RUNNING for c in now)
    assert found["impresa_oldest_open_task_seconds"] == 3600
    assert found["impresa_timers_due"] == 0 and found["impresa_timer_incidents"] == 0


def test_what_the_clock_did_is_counted(engine: Engine, client: FlaskClient, deploy: Callable[..., None]) -> None:
    deploy(("branching.bpmn", (FIXTURES / "branching.bpmn").read_bytes()))
    engine.cases.start("branching", {"partner": []}, actor=ALL)
    admin = {"Authorization": f"Bearer {token_of(engine, 'ops', 'amministratore')}"}
    before = samples(client.get("/api/v1/metrics", headers=admin).get_data(as_text=True))
    assert engine.tick(actor=SCHEDULER).anchors_taken == 1
    after = samples(client.get("/api/v1/metrics", headers=admin).get_data(as_text=True))
    key = 'impresa_tick_work_total{kind="anchors_taken"}'
    assert after[key] - before.get(key, 0) == 1


def test_only_operators_scrape(engine: Engine, client: FlaskClient) -> None:
    assert client.get("/api/v1/metrics").status_code == 401
    coordinator = {"Authorization": f"Bearer {token_of(engine, 'coord', 'coordinatore')}"}
    assert client.get("/api/v1/metrics", headers=coordinator).status_code == 403


@pytest.mark.slow
def test_the_workers_counts_add_up_on_the_production_server(engine: Engine, db_url: str, tmp_path: Path) -> None:
    """Four gunicorn workers answer 40 requests between them; every scrape, whichever worker
    answers it, counts all 40."""
    admin = {"Authorization": f"Bearer {token_of(engine, 'ops', 'amministratore')}"}
    with served(db_url, tmp_path / "server", workers=4) as server:
        session = requests.Session()
        for _ in range(40):
            assert session.get(f"{server.url}/health/live", timeout=30).status_code == 200
        key = 'impresa_http_requests_total{method="GET",route="/health/live",status="200"}'
        counted = []
        for _ in range(8):  # several scrapes, answered by whichever workers take them
            answer = requests.get(f"{server.url}/api/v1/metrics", headers=admin, timeout=30)
            if answer.status_code == 200:
                counted.append(samples(answer.text).get(key))
            else:
                time.sleep(0.5)  # a worker still starting: the server is judged by its answers
        assert counted.count(40) >= 4, (counted, server.log_tail())
