"""Auditors' guarantees: tamper evidence, faithful replay, verifiable dossiers, privacy with integrity."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import Actor, CaseStatus, Engine, errors
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR, SCHEDULER
from tests.conftest import ROOT
from tests.fixtures import clock_diagrams as d

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALL = Actor("tutti", frozenset({"assistente_sociale", "referente_ente_partner", "coordinatore", "tutor_aziendale"}))
# Who answers the partners' tasks of the fixture cases: no partner organisation is in their teams,
# so only the console operator (a system actor the policy grants every task) may.
DRIVER = CLI_OPERATOR
AUDITOR = Actor("aldo", frozenset({"auditor"}))
ADMIN = Actor("root", frozenset({"amministratore"}))


@pytest.fixture
def finished_case(engine: Engine, deploy: Callable[..., None], clock: FixedClock) -> int:
    deploy(("branching.bpmn", (FIXTURES / "branching.bpmn").read_bytes()))
    case = engine.cases.start("branching", {"partner": ["Comune", "ASL"]}, actor=ALL)
    while case.open_tasks:
        clock.advance(hours=5)
        case = engine.tasks.complete(
            case.open_tasks[0].id, {"conferma": True, "note": "situazione complessa"}, actor=DRIVER
        )
    assert case.status is CaseStatus.COMPLETED
    return case.id


def sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.db.begin() as conn:
        conn.execute(text(statement), params)


def first_break(engine: Engine) -> tuple[int, int] | None:
    report = engine.audit.verify(actor=CLI_OPERATOR)
    return (report.breaks[0].case_id, report.breaks[0].seq) if report.breaks else None


def test_intact_chains_verify(engine: Engine, finished_case: int) -> None:
    report = engine.audit.verify(actor=CLI_OPERATOR)
    assert report.ok and report.cases == 1 and report.events == 6


def test_a_tampered_event_is_found(engine: Engine, finished_case: int) -> None:
    sql(engine, "UPDATE case_event SET actor = 'mallory' WHERE case_id = :c AND seq = 3", c=finished_case)
    assert first_break(engine) == (finished_case, 3)


def test_tampered_data_is_found(engine: Engine, finished_case: int) -> None:
    with engine.db.begin() as conn:
        data = conn.execute(
            text("SELECT data FROM case_event WHERE case_id = :c AND seq = 2"), {"c": finished_case}
        ).scalar_one()
        data = json.loads(data) if isinstance(data, str) else data
        data["note"] = "nessuna criticità"
        conn.execute(
            text("UPDATE case_event SET data = :d WHERE case_id = :c AND seq = 2"),
            {"d": json.dumps(data), "c": finished_case},
        )
    assert first_break(engine) == (finished_case, 2)


def test_a_deleted_event_is_found(engine: Engine, finished_case: int) -> None:
    sql(engine, "DELETE FROM case_event WHERE case_id = :c AND seq = 4", c=finished_case)
    assert first_break(engine) == (finished_case, 4)


def test_reordered_events_are_found(engine: Engine, finished_case: int) -> None:
    sql(engine, "UPDATE case_event SET seq = -3 WHERE case_id = :c AND seq = 3", c=finished_case)
    sql(engine, "UPDATE case_event SET seq = 3 WHERE case_id = :c AND seq = 4", c=finished_case)
    sql(engine, "UPDATE case_event SET seq = 4 WHERE case_id = :c AND seq = -3", c=finished_case)
    assert first_break(engine) == (finished_case, 3)


def test_a_truncated_history_is_found_by_the_anchor_even_if_the_case_row_is_edited(
    engine: Engine, finished_case: int
) -> None:
    engine.audit.anchor(actor=ADMIN)
    with engine.db.begin() as conn:
        head = conn.execute(
            text("SELECT hash FROM case_event WHERE case_id = :c AND seq = 5"), {"c": finished_case}
        ).scalar_one()
        conn.execute(text("DELETE FROM case_event WHERE case_id = :c AND seq = 6"), {"c": finished_case})
        conn.execute(
            text("UPDATE cases SET event_seq = 5, event_head = :h WHERE id = :c"), {"h": head, "c": finished_case}
        )
    report = engine.audit.verify(actor=CLI_OPERATOR)
    assert [(b.case_id, b.seq) for b in report.breaks] == [(finished_case, 6)]
    assert "anchor" in str(report.breaks[0])


def test_cli_reports_the_first_broken_link(engine: Engine, finished_case: int, db_url: str) -> None:
    sql(engine, "UPDATE case_event SET kind = 'cancelled' WHERE case_id = :c AND seq = 2", c=finished_case)
    result = subprocess.run(
        [sys.executable, "-m", "engine.cli", "audit", "verify"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": db_url},
        timeout=120,
    )
    assert result.returncode == 1
    assert f"case {finished_case}, event 2" in result.stderr


def test_replay_of_the_whole_case_equals_the_stored_state(engine: Engine, finished_case: int) -> None:
    result = engine.audit.replay(finished_case, actor=AUDITOR)
    assert result.faithful and all(step.matches for step in result.steps)
    assert result.final == engine.cases.get(finished_case, actor=CLI_OPERATOR).data


def test_replay_at_an_intermediate_event_matches_the_state_saved_then(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock
) -> None:
    deploy(("branching.bpmn", (FIXTURES / "branching.bpmn").read_bytes()))
    case = engine.cases.start("branching", {"partner": ["Comune"]}, actor=ALL)
    case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True, "note": "situazione complessa"}, actor=ALL)
    saved_then = engine.cases.get(case.id, actor=CLI_OPERATOR)
    clock.advance(days=2)
    engine.tasks.complete(case.open_tasks[0].id, {"conferma": True, "note": "visto"}, actor=DRIVER)

    partial = engine.audit.replay(case.id, actor=AUDITOR, upto=2, with_elements=True)

    assert [s.seqs for s in partial.steps] == [[1], [2]]
    assert partial.final == saved_then.data
    assert partial.steps[-1].ready == [t.name for t in saved_then.open_tasks]
    assert "Task_intake" in partial.steps[-1].elements["branching"]["completed"]
    assert partial.steps[-1].changes["added"]["punteggio"] == 30


def test_replay_covers_timers_messages_and_administrative_actions(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock
) -> None:
    deploy(("attesa_documenti.bpmn", d.missing_documents()), ("attesa_messaggio.bpmn", d.wait_for_message()))
    timed = engine.cases.start("attesa_documenti", {"territorio": "T1"}, actor=ALL)
    engine.tasks.claim(timed.open_tasks[0].id, actor=ALL)
    clock.advance(days=31)
    engine.timers.fire_due(actor=SCHEDULER)
    msg = engine.cases.start("attesa_messaggio", {"territorio": "T1"}, actor=ALL)
    engine.messages.send(msg.id, "documenti_pervenuti", {"protocollo": "P-1"}, actor=ALL)
    engine.audit.correct_data(msg.id, {"note": "corretto"}, actor=ALL, reason="refuso nel protocollo")
    msg = engine.tasks.complete(msg.open_tasks[0].id, {"conferma": True}, actor=ALL)
    engine.audit.reset_to_task(msg.id, "Task_first", actor=ALL, reason="documenti da richiedere di nuovo")

    for case_id in (timed.id, msg.id):
        result = engine.audit.replay(case_id, actor=AUDITOR)
        assert result.faithful, (case_id, result.first_mismatch)
    kinds = [e.kind for e in engine.cases.history(msg.id, actor=CLI_OPERATOR)]
    assert {"data_corrected", "case_reset", "message_received"} <= set(kinds)
    assert engine.cases.history(msg.id, actor=CLI_OPERATOR)[-1].data["reason"] == "documenti da richiedere di nuovo"


def test_auditor_cannot_change_anything(engine: Engine, finished_case: int, deploy: Callable[..., None]) -> None:
    deploy(("attesa_messaggio.bpmn", d.wait_for_message()))
    case = engine.cases.start("attesa_messaggio", {}, actor=ALL)
    attempts: list[Callable[[], object]] = [
        lambda: engine.cases.start("attesa_messaggio", {}, actor=AUDITOR),
        lambda: engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=AUDITOR),
        lambda: engine.tasks.claim(case.open_tasks[0].id, actor=AUDITOR),
        lambda: engine.cases.cancel(case.id, actor=AUDITOR, reason="x"),
        lambda: engine.messages.send(case.id, "documenti_pervenuti", {}, actor=AUDITOR),
        lambda: engine.audit.correct_data(case.id, {"x": 1}, actor=AUDITOR, reason="x"),
        lambda: engine.audit.reset_to_task(case.id, "Task_first", actor=AUDITOR, reason="x"),
        lambda: engine.audit.erase_personal_data(finished_case, actor=AUDITOR, reason="x"),
        lambda: engine.design.deploy([], actor=AUDITOR),
        lambda: engine.tasks.save_draft(case.open_tasks[0].id, {"x": 1}, actor=AUDITOR),
    ]
    for attempt in attempts:
        with pytest.raises(errors.Forbidden):
            attempt()
    assert engine.cases.get(case.id, actor=CLI_OPERATOR).version == case.version


def test_pdf_dossier_renders_a_non_blank_first_page(engine: Engine, finished_case: int, tmp_path: Path) -> None:
    import pypdfium2

    pdf = engine.audit.dossier_pdf(finished_case, actor=AUDITOR)
    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=1).to_pil().convert("L")
    image.save(tmp_path / "page1.png")
    dark = sum(image.histogram()[:128])
    assert len(document) >= 1 and dark > 2000  # text and table lines, not a white page
    assert pdf.startswith(b"%PDF")


def test_signed_bundle_verifies_offline_and_fails_after_a_one_byte_change(
    engine: Engine, finished_case: int, tmp_path: Path
) -> None:
    bundle = engine.audit.dossier_bundle(finished_case, actor=AUDITOR)
    good = tmp_path / "dossier.json"
    good.write_text(json.dumps(bundle), encoding="utf-8")
    raw = good.read_bytes()
    index = raw.index(b"situazione complessa")
    bad = tmp_path / "dossier-bad.json"
    bad.write_bytes(raw[:index] + b"S" + raw[index + 1 :])

    def verify(path: Path) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
        env["DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"  # offline: no database is reachable
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "engine.cli",
                "audit",
                "verify",
                "--bundle",
                str(path),
                "--public-key",
                bundle["signature"]["public_key"],
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    ok, broken = verify(good), verify(bad)
    assert ok.returncode == 0, ok.stderr
    assert "bundle intact" in ok.stdout
    assert broken.returncode == 1
    assert "BROKEN" in broken.stderr


def test_erasure_after_retention_keeps_the_chain_verifiable(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine import privacy

    monkeypatch.setattr(privacy, "classified_fields", lambda: {"note": "C2"})
    deploy(("branching.bpmn", (FIXTURES / "branching.bpmn").read_bytes()))
    case = engine.cases.start("branching", {"partner": []}, actor=ALL)
    case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True, "note": "diagnosi riservata"}, actor=ALL)
    case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True, "note": "altro dato"}, actor=ALL)
    assert case.status is CaseStatus.COMPLETED

    with pytest.raises(errors.Conflict):  # still within the retention period
        engine.audit.erase_personal_data(case.id, actor=ADMIN, reason="fine conservazione")
    clock.advance(days=366 * 5)
    fields = engine.audit.erase_personal_data(case.id, actor=ADMIN, reason="fine conservazione")

    assert fields == ["note"]
    history = engine.cases.history(case.id, actor=CLI_OPERATOR)
    assert "diagnosi riservata" not in json.dumps([e.data for e in history])
    assert engine.cases.get(case.id, actor=CLI_OPERATOR).data["note"] == "[cancellato]"
    assert engine.audit.verify(actor=CLI_OPERATOR).ok
    assert history[-1].kind == "data_erased" and history[-1].data["reason"] == "fine conservazione"


def test_pseudonymised_export_hides_identity_and_generalises_categories(
    engine: Engine, deploy: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine import privacy

    monkeypatch.setattr(privacy, "classified_fields", lambda: {"cat_381": "C2", "misura": "C3"})
    deploy(("attesa_messaggio.bpmn", d.wait_for_message()))
    engine.cases.start(
        "attesa_messaggio",
        {"beneficiario_pseudonimo": "Mario R.", "cat_381": ["TOSSICODIPENDENTE"], "misura": "", "eta": 41},
        actor=ALL,
    )
    valutatore = Actor("vale", frozenset({"valutatore"}))

    first = engine.audit.export_pseudonymised(actor=valutatore)
    again = engine.audit.export_pseudonymised(actor=valutatore)

    [row] = first
    assert row == again[0]  # stable pseudonym
    assert "Mario" not in json.dumps(row) and "TOSSICODIPENDENTE" not in json.dumps(row)
    assert row["categorie"] == ["svantaggio_area_sanitaria"] and row["dati"]["eta"] == 41
    with pytest.raises(errors.Forbidden):
        engine.audit.export_pseudonymised(actor=AUDITOR)


def test_replay_is_faithful_on_the_real_clock(db_url: str, tmp_path: Path, deploy: Callable[..., None]) -> None:
    """Scripts reading the time see the command's single instant, which replay re-creates."""
    from engine import Settings, build_engine
    from engine.bpmn.loader import SourceFile
    from tests.conftest import DESIGNER
    from tests.fixtures.diagrams import linear

    real = build_engine(Settings(database_url=db_url, processes_dir=ROOT / "processes", instance_dir=tmp_path))
    try:
        script = "istanti = [fn_now(), fn_now()]\ngiorno = fn_today()"
        real.design.deploy(
            [SourceFile("orologio.bpmn", linear("orologio", 3, ("assistente_sociale",), script=script))], actor=DESIGNER
        )
        case = real.cases.start("orologio", {}, actor=ALL)
        while case.open_tasks:
            case = real.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=ALL)
        [stamp, _] = case.data["istanti"]
        assert stamp == real.cases.history(case.id, actor=CLI_OPERATOR)[-2].at.isoformat()
        result = real.audit.replay(case.id, actor=AUDITOR)
        assert result.faithful and all(step.matches for step in result.steps)
    finally:
        real.close()


def test_pseudonymised_export_generalises_values_from_both_areas(
    engine: Engine, deploy: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine import privacy

    monkeypatch.setattr(privacy, "classified_fields", lambda: {"categorie_svantaggio": "C23", "esito": "C2"})
    deploy(("attesa_messaggio.bpmn", d.wait_for_message()))
    engine.cases.start(
        "attesa_messaggio",
        {"categorie_svantaggio": ["TOSSICODIPENDENTE"], "requisiti": [{"esito": "INV_FIS_PSI_SENS"}]},
        actor=ALL,
    )
    [row] = engine.audit.export_pseudonymised(actor=Actor("vale", frozenset({"valutatore"})))
    text = json.dumps(row)
    assert "TOSSICODIPENDENTE" not in text and "INV_FIS_PSI_SENS" not in text
    assert row["categorie"] == ["svantaggio_area_giustizia", "svantaggio_area_sanitaria"]
