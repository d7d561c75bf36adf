"""Cases started on the earlier F2 migrate to the version whose assessment runs inside the embedded
sub-process ``Sub_valutazione`` (processes/README.md, docs/migrations.md).

SpiffWorkflow cannot move a task into an embedded sub-process, so the migration rebuilds the
called F2 on the new version (``engine.bpmn.rebuild``): the old run's completed steps are done
again with the data they had, the open tasks open again under their own ids. A case is migrated
at each user task the earlier F2 had, then carried to its end; the scenario conftest then replays
every case from its events (the digest must match at every command, across the migration) and
verifies the audit chains.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from engine.bpmn.loader import SourceFile
from engine.clock import FixedClock
from engine.model import CaseStatus, EventKind, MigrationBlock
from engine.policy import CLI_OPERATOR
from engine.services.processes import read_directory
from tests.processes.scenario_data import (
    DESIGNER,
    DOCUMENTI_MANCANTI,
    INTEGRAZIONE,
    NESSUN_REQUISITO,
    Scenario,
    scenario,
)

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock) as sc:
        sc.open_partnership()
        library = [f for f in read_directory(PROCESSES) if f.name != "valutazione_bisogno.bpmn"]
        earlier = SourceFile("valutazione_bisogno.bpmn", (FIXTURES / "valutazione_bisogno_v1.bpmn").read_bytes())
        sc.engine.design.deploy([*library, earlier], actor=DESIGNER, note="earlier F2")
        yield sc


def _deploy_current(s: Scenario) -> int:
    s.engine.design.deploy(read_directory(PROCESSES), actor=DESIGNER, note="F2 in Sub_valutazione")
    return max(
        p.version for p in s.engine.design.processes(actor=CLI_OPERATOR) if p.process_id == "percorso_beneficiario"
    )


def _migrate(s: Scenario, case_id: int, version: int) -> None:
    before = {t.bpmn_id: t.id for t in s.case(case_id).open_tasks}
    result = s.engine.cases.migrate(case_id, version, actor=s.coordinatore, reason="F2 nel sotto-processo")
    assert result.migrated, result.reasons
    after = {t.bpmn_id: t.id for t in s.case(case_id).open_tasks}
    assert {k: v for k, v in after.items() if k in before} == before, "the open tasks keep their ids"
    migrated = [e for e in s.history(case_id) if e.kind == EventKind.MIGRATED]
    assert migrated[-1].data["rebuilt"] == ["valutazione_bisogno"]


def test_a_dry_run_tries_the_rebuild_and_leaves_the_case_where_it_is(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-MIG-DRY")
    s.intake(case_id)
    s.do(case_id, "UT_analisi_preliminare")
    pinned = s.case(case_id).process_version
    version = _deploy_current(s)
    dry = s.engine.cases.migrate(case_id, version, actor=s.coordinatore, dry_run=True)
    assert dry.can_migrate and not dry.migrated, dry.reasons
    assert [r.process for r in dry.rebuilt] == ["valutazione_bisogno"]  # the dry run says what it rebuilds
    assert "UT_did_psp" in dry.active
    assert s.case(case_id).process_version == pinned
    assert [e.kind for e in s.history(case_id)].count(EventKind.MIGRATED) == 0
    s.do(case_id, "UT_did_psp")  # still the earlier F2: no Sub_valutazione around it
    assert s.ready(case_id) == ["UT_conferma_esito"]


Step = tuple[str, dict[str, Any]]
# The earlier F2 walked along its longest route: every certification asked for, a complex case.
FULL: list[Step] = [
    ("UT_segnalazione", {}),
    ("UT_informativa", {}),
    ("UT_verifica_documenti", {"certificazione_sanitaria_necessaria": True, "attestazione_giustizia_necessaria": True}),
    ("UT_analisi_preliminare", {"caso_complesso": True, "in_carico_servizi": True}),
    ("UT_did_psp", {}),
    ("UT_certificazione_sanitaria", {}),
    ("UT_attestazione_giustizia", {}),
    ("UT_quadro_approfondito", {}),
    ("UT_conferma_esito", {}),
    ("UT_comunicazione_esito", {}),
    ("Task_scheda_ingresso", {}),  # past F2: the called process is complete
]


def _walk(s: Scenario, case_id: int, steps: list[Step]) -> None:
    for bpmn_id, overrides in steps:
        s.do(case_id, bpmn_id, **overrides)


@pytest.mark.parametrize("at", range(len(FULL)), ids=[bpmn_id for bpmn_id, _ in FULL])
def test_a_case_waiting_at_each_task_of_the_earlier_f2_migrates_and_goes_on(s: Scenario, at: int) -> None:
    case_id = s.start_percorso(f"BEN-MIG-{at}")
    _walk(s, case_id, FULL[:at])
    before = s.ready(case_id)
    assert FULL[at][0] in before
    version = _deploy_current(s)
    _migrate(s, case_id, version)
    assert s.ready(case_id) == before
    data = s.data(case_id)
    if 0 < at < len(FULL) - 1:
        # what only the new version computes is there: the outcome's deadline from the referral
        assert data["scadenza_esito_valutazione"]
        assert s.in_phase(case_id, "valutazione_bisogno")
    _walk(s, case_id, FULL[at:])
    assert s.ready(case_id) == ["Task_progetto"]
    assert s.data(case_id)["esito"] == "IDONEO_LAVORO"


def _fired(s: Scenario, case_id: int, bpmn_id: str) -> int:
    return sum(1 for e in s.history(case_id) if e.kind == EventKind.TIMER_FIRED and e.bpmn_id == bpmn_id)


def test_the_documents_deadline_keeps_its_date_and_a_fired_one_is_carried_over(s: Scenario) -> None:
    archived = s.start_percorso("BEN-MIG-DOC-1")
    s.intake(archived, DOCUMENTI_MANCANTI)
    s.do(archived, "UT_richiesta_integrazione")
    s.advance(10)
    waiting = s.start_percorso("BEN-MIG-DOC-2")
    s.intake(waiting, DOCUMENTI_MANCANTI)
    s.do(waiting, "UT_richiesta_integrazione")
    due = s.case(waiting).next_timer_due
    s.advance(INTEGRAZIONE - 10, minutes=1)
    assert s.ready(archived) == ["UT_archiviazione"], "the earlier F2's deadline fired"
    assert s.ready(waiting) == ["UT_ricezione_integrazione"]
    version = _deploy_current(s)
    _migrate(s, archived, version)
    _migrate(s, waiting, version)
    assert s.ready(archived) == ["UT_archiviazione"]
    assert s.case(waiting).next_timer_due == due, "counted from the request, not from the migration"
    view = s.do(archived, "UT_archiviazione")
    assert view.status is CaseStatus.COMPLETED and view.data["esito"] == "ARCHIVIATO"
    assert _fired(s, archived, "Timer_termine_integrazione") == 1
    s.advance(10, hours=-1)
    assert s.ready(waiting) == ["UT_ricezione_integrazione"]
    s.advance(hours=1, minutes=1)
    assert s.ready(waiting) == ["UT_archiviazione"]
    assert s.do(waiting, "UT_archiviazione").data["esito"] == "ARCHIVIATO"


NOT_READY = {"compatibilita_sanitaria": "NON_COMPATIBILE"}


def _not_ready_round(s: Scenario, case_id: int) -> None:
    s.do(case_id, "UT_did_psp")
    s.do(case_id, "UT_certificazione_sanitaria", **NOT_READY)
    s.do(case_id, "UT_analisi_preliminare")
    assert s.data(case_id)["esito_proposto"] == "NON_PRONTO"
    s.do(case_id, "UT_conferma_esito")
    s.do(case_id, "UT_comunicazione_esito")


def test_a_case_not_ready_migrates_before_and_while_waiting_for_its_reassessment(s: Scenario) -> None:
    at_referral, waiting = s.start_percorso("BEN-MIG-NP-1"), s.start_percorso("BEN-MIG-NP-2")
    for case_id in (at_referral, waiting):
        s.intake(case_id, {"certificazione_sanitaria_necessaria": True})
        _not_ready_round(s, case_id)
    assert s.ready(at_referral) == ["UT_non_pronto"]
    s.do(waiting, "UT_non_pronto")
    assert s.ready(waiting) == []
    due = s.case(waiting).next_timer_due
    version = _deploy_current(s)
    _migrate(s, at_referral, version)
    _migrate(s, waiting, version)
    assert s.ready(at_referral) == ["UT_non_pronto"]
    assert s.case(waiting).next_timer_due == due, "the re-assessment keeps its date"
    s.do(at_referral, "UT_non_pronto")
    s.advance(100)
    for case_id in (at_referral, waiting):
        # the second round runs in a new instance of Sub_valutazione, past the intake
        assert s.ready(case_id) == ["UT_analisi_preliminare", "UT_certificazione_sanitaria", "UT_did_psp"]
        assert s.data(case_id)["round_rivalutazione"] == 1
        s.do(case_id, "UT_did_psp")
        s.do(case_id, "UT_certificazione_sanitaria")
        s.do(case_id, "UT_analisi_preliminare")
        s.do(case_id, "UT_conferma_esito")
        s.do(case_id, "UT_comunicazione_esito")
        assert s.data(case_id)["esito"] == "IDONEO_LAVORO"
        assert "Task_scheda_ingresso" in s.ready(case_id)


def test_a_case_not_eligible_migrates_at_the_referral_to_other_services(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-MIG-NI")
    s.intake(case_id)
    s.assessment(case_id, did=NESSUN_REQUISITO)
    s.do(case_id, "UT_conferma_esito")
    s.do(case_id, "UT_comunicazione_esito")
    assert s.ready(case_id) == ["UT_invio_altri_servizi"]
    _migrate(s, case_id, _deploy_current(s))
    view = s.do(case_id, "UT_invio_altri_servizi", servizio_destinatario="CSM_DSM")
    assert view.status is CaseStatus.COMPLETED and view.data["esito"] == "NON_IDONEO_REQUISITI"


def test_a_pending_reminder_of_the_earlier_outcome_timer_is_carried_over_once(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-MIG-SOLL")
    s.intake(case_id)
    s.assessment(case_id)
    assert s.ready(case_id) == ["UT_conferma_esito"]
    s.advance(60, minutes=1)  # the earlier F2: 60 days after the assessment started, on the outcome's task
    assert s.ready(case_id) == ["UT_conferma_esito", "UT_sollecito_esito"]
    _migrate(s, case_id, _deploy_current(s))
    assert s.ready(case_id) == ["UT_conferma_esito", "UT_sollecito_esito"]
    s.do(case_id, "UT_sollecito_esito", data_sollecito_esito=s.clock.now().date().isoformat())
    s.advance(30)  # the new timer (60 days from the referral, over the whole assessment) already fired
    assert s.ready(case_id) == ["UT_conferma_esito"]
    assert _fired(s, case_id, "Timer_sollecito_esito") == 1
    s.do(case_id, "UT_conferma_esito")
    s.do(case_id, "UT_comunicazione_esito")
    assert s.ready(case_id) == ["Task_scheda_ingresso"]


def test_a_case_whose_pact_was_already_signed_is_refused_at_the_job_centre_step(s: Scenario) -> None:
    """The earlier F2 gave the job centre its step whatever the referral said; the new one skips
    it for a pact already signed. The rebuild cannot reach that open task: refused, the case
    stays on the earlier F2 and goes on there."""
    case_id = s.start_percorso("BEN-MIG-PSP")
    s.do(
        case_id,
        "UT_segnalazione",
        situazione_did_psp="PSP_ATTIVO",
        riferimento_psp_esistente="SIISL-2025-881",
        data_psp_esistente="2025-11-20",
    )
    s.do(case_id, "UT_informativa")
    s.do(case_id, "UT_verifica_documenti")
    s.do(case_id, "UT_analisi_preliminare")
    assert s.ready(case_id) == ["UT_did_psp"]
    pinned = s.case(case_id).process_version
    refused = s.engine.cases.migrate(case_id, _deploy_current(s), actor=s.coordinatore, reason="F2")
    assert not refused.migrated
    assert any("'UT_did_psp'" in reason.message for reason in refused.reasons), refused.reasons
    assert {r.code for r in refused.reasons} == {MigrationBlock.REBUILD_FAILED}
    assert s.case(case_id).process_version == pinned
    s.do(case_id, "UT_did_psp")
    assert s.ready(case_id) == ["UT_conferma_esito"]
