"""``make run``'s demo data (``engine.demo.seed``) on a real database: the demo territory's
partnership is made active by walking F1, and beneficiary cases wait at referral intake, in F2
assessment, in F3 design and in F4 implementation. A second seed changes nothing; an
interrupted seed resumes.
"""

from __future__ import annotations

import copy

import pytest

from engine import Engine, errors
from engine.demo import TERRITORY, _f1_steps, seed
from engine.model import CaseStatus, EventKind
from engine.policy import CLI_OPERATOR


def demo_case(engine: Engine, pseudonym: str) -> int:
    [case] = [
        c
        for c in engine.cases.list(process_id="percorso_beneficiario", territory=TERRITORY, actor=CLI_OPERATOR)
        if engine.cases.get(c.id, actor=CLI_OPERATOR).data.get("beneficiario_pseudonimo") == pseudonym
    ]
    return case.id


def open_tasks(engine: Engine, case_id: int) -> list[tuple[str, str | None]]:
    return sorted((t.bpmn_id, t.role) for t in engine.cases.get(case_id, actor=CLI_OPERATOR).open_tasks)


def in_phase(engine: Engine, case_id: int, phase: str) -> bool:
    return case_id in {c.id for c in engine.cases.list(phase=phase, actor=CLI_OPERATOR)}


def test_seed_creates_the_partnership_and_cases_at_each_phase(engine: Engine) -> None:
    created = seed(engine)
    assert not [line for line in created if "not seeded" in line or "not deployed" in line], created

    [f1] = engine.cases.list(process_id="accordo_partenariato", territory=TERRITORY, actor=CLI_OPERATOR)
    partnership = engine.cases.get(f1.id, actor=CLI_OPERATOR)
    assert partnership.status is CaseStatus.COMPLETED
    assert partnership.data["partenariato_attivo"] is True
    changed = [e for e in engine.cases.history(f1.id, actor=CLI_OPERATOR) if e.kind == EventKind.PARTNERSHIP_CHANGED]
    assert [e.data for e in changed] == [{"territory": TERRITORY, "active": True}]
    answers = [e for e in engine.cases.history(f1.id, actor=CLI_OPERATOR) if e.bpmn_id == "UT_risposta_partner"]
    assert len(answers) == 3 and {e.actor for e in answers} == {"partner"}, "done by the demo users"

    intake = demo_case(engine, "DEMO-001")
    assert open_tasks(engine, intake) == [("UT_segnalazione", "coordinatore")]
    assessment = demo_case(engine, "DEMO-002")
    assert open_tasks(engine, assessment) == [
        ("UT_analisi_preliminare", "assistente_sociale"),
        ("UT_certificazione_sanitaria", "referente_sanitario"),
        ("UT_did_psp", "operatore_cpi"),
    ]
    design = demo_case(engine, "DEMO-003")
    assert open_tasks(engine, design) == [("Task_strumento", "equipe_multidisciplinare")]
    assert in_phase(engine, design, "progettazione")
    implementation = demo_case(engine, "DEMO-004")
    assert open_tasks(engine, implementation) == [("Task_convenzione", "coordinatore")]
    assert in_phase(engine, implementation, "attuazione_tirocinio")
    assert engine.cases.get(implementation, actor=CLI_OPERATOR).data["stato_caso"] == "IN_ATTUAZIONE"
    for case_id in (intake, assessment):
        assert in_phase(engine, case_id, "valutazione_bisogno")

    # The demo users see their work in the demo territory's inbox.
    assert [t.case_id for t in engine.tasks.list(actor=engine.users.get("sanitario", actor=CLI_OPERATOR))] == [
        assessment
    ]
    [enterprise] = engine.enterprises.list(actor=engine.users.get("coordinatore", actor=CLI_OPERATOR))
    links = engine.enterprises.get(enterprise.id, actor=engine.users.get("coordinatore", actor=CLI_OPERATOR)).links
    assert enterprise.denominazione == "Borgo Vivo Cooperativa Sociale" and len(links) == 6
    assert {t.case_id for t in engine.tasks.list(actor=engine.users.get("coordinatore", actor=CLI_OPERATOR))} == {
        intake,
        implementation,
        enterprise.case_id,
    }


def test_a_second_seed_changes_nothing(engine: Engine) -> None:
    seed(engine)
    cases = {c.id: c.version for c in engine.cases.list(actor=CLI_OPERATOR)}
    events = {case_id: len(engine.cases.history(case_id, actor=CLI_OPERATOR)) for case_id in cases}

    assert seed(engine) == []
    assert {c.id: c.version for c in engine.cases.list(actor=CLI_OPERATOR)} == cases
    assert {case_id: len(engine.cases.history(case_id, actor=CLI_OPERATOR)) for case_id in cases} == events


def test_an_interrupted_seed_resumes(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("engine.demo.MAX_STEPS", 4)  # the first seed stops in the middle of F1
    first = seed(engine)
    [f1] = engine.cases.list(process_id="accordo_partenariato", actor=CLI_OPERATOR)
    assert engine.cases.get(f1.id, actor=CLI_OPERATOR).status is CaseStatus.RUNNING
    assert len([line for line in first if "not seeded" in line and "no active partnership" in line]) == 4
    assert engine.cases.list(process_id="percorso_beneficiario", actor=CLI_OPERATOR) == []

    monkeypatch.undo()
    resumed = seed(engine)
    assert resumed[0].startswith(f"case {f1.id} accordo_partenariato Partenariato {TERRITORY}: 9 step(s) resumed")
    assert engine.cases.get(f1.id, actor=CLI_OPERATOR).data["partenariato_attivo"] is True
    assert len(engine.cases.list(process_id="percorso_beneficiario", actor=CLI_OPERATOR)) == 4
    assert seed(engine) == []


def test_seeded_territory_accepts_new_cases_and_others_do_not(engine: Engine) -> None:
    seed(engine)
    coordinator = engine.users.get("coordinatore", actor=CLI_OPERATOR)
    case = engine.cases.start(
        "percorso_beneficiario", {"territorio": TERRITORY, "beneficiario_pseudonimo": "NUOVO"}, actor=coordinator
    )
    assert [t.bpmn_id for t in case.open_tasks] == ["UT_segnalazione"]
    with pytest.raises(errors.Conflict):
        engine.cases.start(
            "percorso_beneficiario", {"territorio": "Altrove", "beneficiario_pseudonimo": "X"}, actor=coordinator
        )


def test_the_signed_agreement_becomes_a_protocol_among_the_registered_partners(engine: Engine) -> None:
    seed(engine)
    [f1] = engine.cases.list(process_id="accordo_partenariato", territory=TERRITORY, actor=CLI_OPERATOR)
    coordinator = engine.users.get("coordinatore", actor=CLI_OPERATOR)
    [agreement] = [p for p in engine.registry.protocols(actor=coordinator) if p.origin_case_id == f1.id]
    assert (agreement.status, agreement.number, agreement.kind) == ("firmato", "DEMO-PG-2026-1", "protocollo_intesa")
    assert {p.code for p in agreement.parties} == {"ATS_DEMO", "CPI_DEMO", "COOP_PONTE"}
    assert agreement.organisation_code == "ATS_DEMO"  # the social district leads
    assert agreement.expires_on == engine.cases.get(f1.id, actor=CLI_OPERATOR).data["data_scadenza"]
    active = engine.registry.activate_protocol(agreement.id, actor=coordinator)
    assert active.status == "attivo" and active.lifecycle_case_id is not None


def test_f1_partners_are_picked_from_the_registry(engine: Engine) -> None:
    seed(engine)
    coordinator = engine.users.get("coordinatore", actor=CLI_OPERATOR)
    again = engine.cases.start("accordo_partenariato", {"territorio": TERRITORY}, actor=coordinator)
    [task] = [t for t in again.open_tasks if t.bpmn_id == "UT_analisi_contesto"]
    day = engine.now().date().isoformat
    steps = _f1_steps(lambda n: day())
    answer = copy.deepcopy(steps["UT_analisi_contesto"])
    answer["partner"][2]["codice"] = "COOP_IGNOTA"
    with pytest.raises(errors.InvalidData) as exc:
        engine.tasks.complete(task.id, answer, actor=coordinator)
    assert exc.value.messages == {
        "partner": {2: {"codice": ["«COOP_IGNOTA» non è un'organizzazione del registro che serve il territorio."]}}
    }
    engine.tasks.complete(task.id, steps["UT_analisi_contesto"], actor=coordinator)
