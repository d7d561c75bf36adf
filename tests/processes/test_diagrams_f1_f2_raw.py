"""F1 and F2 diagrams walked with raw SpiffWorkflow (no database, no engine).

The diagrams are parsed with XSD validation and run with our sandbox. Every READY user task is
completed through its form: the task must sit in a role lane and its ``formKey`` must resolve to
a registered form, whose validated and dumped data (dates as ISO strings) goes into the task, as
the engine does. Timers are driven with ``time_machine`` and ``wf.refresh_timers()``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import time_machine
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from time_machine import Traveller

from engine.bpmn.scripting import build_script_engine
from engine.roles import LANE_ROLES
from forms import FORMS
from forms.f2_valutazione import CAMPI_RAMI_VALUTAZIONE
from tests.unit.test_forms_f1_f2 import VALID

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
F1, F2 = "accordo_partenariato", "valutazione_bisogno"
DECISIONS = [
    "dt1_l381_svantaggio",
    "dt2_reg651_svantaggio",
    "dt3_dlgs112_inserimento",
    "dt4_l68_collocamento_mirato",
    "esito_valutazione",
]
BPMN_NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
}
START = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
# the facts the engine derives from the person record when a form names them (engine_data)
PERSON_FACTS: dict[str, Any] = {"eta": 35}
PARAMS: dict[str, Any] = json.loads((PROCESSES / "parametri_f1_f2.json").read_text())
PARAMS_PROTOCOLLI: dict[str, Any] = json.loads((PROCESSES / "parametri_protocolli.json").read_text())["default"]


@cache
def parser() -> SpiffBpmnParser:
    p = SpiffBpmnParser(validator=VALIDATOR)
    p.add_bpmn_files([str(PROCESSES / f"{F1}.bpmn"), str(PROCESSES / f"{F2}.bpmn")])
    p.add_dmn_files([str(PROCESSES / f"{d}.dmn") for d in DECISIONS])
    return p


class Case:
    """One running workflow plus helpers that complete tasks the way the engine does."""

    def __init__(self, process_id: str, **start_data: Any) -> None:
        spec = parser().get_spec(process_id)
        engine = build_script_engine(
            now=lambda: dt.datetime.now(dt.UTC),
            parameters={**PARAMS, "default": {**PARAMS["default"], **PARAMS_PROTOCOLLI}},
        )
        self.wf = BpmnWorkflow(spec, parser().get_subprocess_specs(process_id), script_engine=engine)
        self.wf.get_next_task(spec_name="Start").data.update(start_data)
        self.wf.do_engine_steps()
        self.completed: list[str] = []

    def ready(self, bpmn_id: str | None = None) -> list[Task]:
        tasks = self.wf.get_tasks(state=TaskState.READY, manual=True)
        return [t for t in tasks if bpmn_id is None or t.task_spec.bpmn_id == bpmn_id]

    def ready_ids(self) -> list[str]:
        return sorted(t.task_spec.bpmn_id for t in self.ready())

    def do(
        self,
        bpmn_id: str,
        changes: dict[str, Any] | None = None,
        pick: Callable[[Task], bool] = lambda t: True,
    ) -> Task:
        """Complete one READY task with its form's valid sample updated by ``changes``."""
        candidates = [t for t in self.ready(bpmn_id) if pick(t)]
        assert candidates, f"{bpmn_id} is not READY; READY: {self.ready_ids()}"
        task = candidates[0]
        assert task.task_spec.lane in LANE_ROLES, (bpmn_id, task.task_spec.lane)
        key = task.task_spec.extensions["properties"]["formKey"]
        schema = FORMS[key]()
        # what the engine adds from the person record (the assessment's age) is not typed
        derived = {name: (changes or {}).get(name, PERSON_FACTS[name]) for name in schema.derived}
        typed = {k: v for k, v in (changes or {}).items() if k not in derived}
        data = schema.dump(schema.load(copy.deepcopy(VALID[key]) | typed)) | derived
        out_item = getattr(task.parent.task_spec, "output_item", None)
        if out_item is not None:
            task.data[out_item.bpmn_id] = data  # multi-instance: the form is the output item
        else:
            task.set_data(**data)
        task.run()
        self.wf.do_engine_steps()
        self.completed.append(bpmn_id)
        return task

    def tick(self) -> None:
        self.wf.refresh_timers()
        self.wf.do_engine_steps()

    @property
    def data(self) -> dict[str, Any]:
        if self.wf.is_completed():
            return dict(self.wf.data)
        # what the open tasks see, wherever they are (F2's assessment runs in an embedded sub-process)
        ready = self.wf.get_tasks(state=TaskState.READY)
        if ready:
            return {k: v for t in ready for k, v in t.data.items()}
        return dict(self.wf.last_task.data)

    def finished_at(self) -> str:
        assert self.wf.is_completed(), self.ready_ids()
        ends = self.wf.get_tasks(state=TaskState.COMPLETED, spec_class=None)
        # the process's own end (sub-processes end at their own end events)
        names = [
            t.task_spec.bpmn_id for t in ends if t.task_spec.__class__.__name__ == "EndEvent" and t.workflow is self.wf
        ]
        assert len(names) == 1, names
        return str(names[0])


@pytest.fixture
def clock() -> Iterator[Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


# ------------------------------------------------------------------ static checks


@pytest.mark.parametrize("process_id", [F1, F2])
def test_diagram_is_well_formed(process_id: str) -> None:
    spec = parser().get_spec(process_id)  # XSD validated when the file was added
    # tasks of an embedded sub-process (F2's Sub_valutazione) live in its own spec
    task_specs = dict(spec.task_specs)
    for sub in parser().get_subprocess_specs(process_id).values():
        task_specs.update(sub.task_specs)
    tree = etree.parse(str(PROCESSES / f"{process_id}.bpmn"))
    user_tasks = tree.xpath("//bpmn:userTask", namespaces=BPMN_NS)
    assert user_tasks
    task_specs = dict(spec.task_specs)  # with the tasks of embedded sub-processes
    for sub in parser().get_subprocess_specs(process_id).values():
        task_specs.update(sub.task_specs)
    for ut in user_tasks:
        # A multi-instance task's form and lane live on its "[child]" spec.
        ts = task_specs.get(f"{ut.get('id')} [child]", task_specs[ut.get("id")])
        assert ts.extensions["properties"]["formKey"] in FORMS, ut.get("id")
        assert ts.lane in LANE_ROLES, ut.get("id")
    for gw in tree.xpath("//bpmn:exclusiveGateway", namespaces=BPMN_NS):
        outgoing = gw.xpath("bpmn:outgoing", namespaces=BPMN_NS)
        assert len(outgoing) == 1 or gw.get("default"), gw.get("id")
    # Every node and flow has a DI shape/edge, so the diagram opens in a modeler.
    shapes = set(tree.xpath("//bpmndi:BPMNShape/@bpmnElement", namespaces=BPMN_NS))
    edges = set(tree.xpath("//bpmndi:BPMNEdge/@bpmnElement", namespaces=BPMN_NS))
    nodes = tree.xpath("//bpmn:process//*[bpmn:incoming or bpmn:outgoing]/@id", namespaces=BPMN_NS)
    flows = tree.xpath("//bpmn:sequenceFlow/@id", namespaces=BPMN_NS)
    assert set(nodes) <= shapes
    assert set(flows) == edges


def test_no_numbers_from_parameters_are_hard_coded() -> None:
    f2 = (PROCESSES / f"{F2}.bpmn").read_text()
    assert 'fn_param("giorni_integrazione_documenti")' in f2
    assert "P30D" not in f2
    f1 = (PROCESSES / f"{F1}.bpmn").read_text()
    assert f1.count('fn_param("max_round_modifiche_accordo")') == 2


def test_reassessment_deletes_exactly_the_branch_fields() -> None:
    script = parser().get_spec(F2).task_specs["ST_prepara_rivalutazione"].script
    deleted = {line[4:].strip() for line in script.splitlines() if line.startswith("del ")}
    assert deleted == set(CAMPI_RAMI_VALUTAZIONE)


# ------------------------------------------------------------------ F1

CODICI = ["COMUNE_ANCONA", "CPI_ANCONA", "COOP_SOLE"]


def f1_until_answers(case: Case) -> None:
    case.do("UT_analisi_contesto")
    assert case.ready_ids() == ["UT_contatti_pa", "UT_contatti_privati"]  # parallel contacts
    case.do("UT_contatti_pa")
    case.do("UT_contatti_privati")
    case.do("UT_co_programmazione")
    case.do("UT_bozza_accordo")


def answer_all(case: Case, answers: dict[str, dict[str, Any]]) -> None:
    """Each partner referent answers (default: joins); instances are matched by their item."""
    children = case.ready("UT_risposta_partner")
    assert sorted(t.data["ente_partner"]["codice"] for t in children) == sorted(answers)
    for code, change in answers.items():
        case.do(
            "UT_risposta_partner",
            {"codice_partner": code} | change,
            pick=lambda t, c=code: t.data["ente_partner"]["codice"] == c,  # type: ignore[misc]
        )


def approve_all(case: Case) -> list[str]:
    """Each adhering partner approves the text by its own act; returns the codes that approved."""
    children = case.ready("UT_approvazione_interna")
    codes = sorted(t.data["ente_aderente"]["codice"] for t in children)
    assert {t.task_spec.lane for t in children} == {"referente_ente_partner"}
    for code in codes:
        case.do(
            "UT_approvazione_interna",
            {"codice_partner": code, "firmatario": f"firma.{code.lower()}"},
            pick=lambda t, c=code: t.data["ente_aderente"]["codice"] == c,  # type: ignore[misc]
        )
    return codes


def f1_sign(case: Case) -> None:
    approve_all(case)
    case.do("UT_firma_accordo")
    case.do("UT_costituzione_cabina")


JOIN: dict[str, Any] = {}
CHANGES = {"esito_adesione": "CHIEDE_MODIFICHE", "richieste_modifica": "Aggiungere lo sportello"}
REFUSE = {"esito_adesione": "RIFIUTA", "motivo_rifiuto": "Risorse non disponibili"}


def test_f1_happy_path() -> None:
    case = Case(F1, territorio="Ancona")
    f1_until_answers(case)
    children = case.ready("UT_risposta_partner")
    assert {t.task_spec.lane for t in children} == {"referente_ente_partner"}
    answer_all(case, dict.fromkeys(CODICI, JOIN))
    assert set(case.ready_ids()) == {"UT_approvazione_interna"}
    f1_sign(case)
    assert case.finished_at() == "End_partenariato_attivo"
    data = case.data
    assert data["partenariato_attivo"] is True
    assert data["round_modifiche"] == 0
    assert data["lacune_partenariato"] == []
    assert sorted(r["codice_partner"] for r in data["risposte_partner"]) == sorted(CODICI)
    assert data["territorio"] == "Ancona"


def test_f1_change_round_then_accept() -> None:
    case = Case(F1, territorio="Ancona")
    f1_until_answers(case)
    answer_all(case, {"COMUNE_ANCONA": JOIN, "CPI_ANCONA": CHANGES, "COOP_SOLE": JOIN})
    assert case.ready_ids() == ["UT_bozza_accordo"]  # back to the draft
    assert case.data["round_modifiche"] == 1
    case.do("UT_bozza_accordo", {"versione_bozza": 2})
    answer_all(case, dict.fromkeys(CODICI, JOIN))  # everyone answers the new version
    f1_sign(case)
    assert case.data["partenariato_attivo"] is True
    assert case.data["round_modifiche"] == 1
    assert case.completed.count("UT_bozza_accordo") == 2


def test_f1_change_rounds_are_bounded() -> None:
    """After max_round_modifiche_accordo rounds a partner still asking for changes is a gap."""
    case = Case(F1, territorio="Ancona")
    f1_until_answers(case)
    for version in (2, 3):
        answer_all(case, {"COMUNE_ANCONA": JOIN, "CPI_ANCONA": JOIN, "COOP_SOLE": CHANGES})
        case.do("UT_bozza_accordo", {"versione_bozza": version})
    answer_all(case, {"COMUNE_ANCONA": JOIN, "CPI_ANCONA": JOIN, "COOP_SOLE": CHANGES})
    assert approve_all(case) == ["COMUNE_ANCONA", "CPI_ANCONA"]  # the gap does not approve
    assert case.ready_ids() == ["UT_firma_accordo"]
    assert case.completed.count("UT_bozza_accordo") == 1 + PARAMS["default"]["max_round_modifiche_accordo"]
    [gap] = case.data["lacune_partenariato"]
    assert (gap["codice"], gap["esito_adesione"]) == ("COOP_SOLE", "CHIEDE_MODIFICHE")


def test_f1_non_essential_refusal_is_a_gap_and_not_asked_again() -> None:
    case = Case(F1, territorio="Ancona")
    f1_until_answers(case)
    answer_all(case, {"COMUNE_ANCONA": CHANGES, "CPI_ANCONA": JOIN, "COOP_SOLE": REFUSE})
    assert case.ready_ids() == ["UT_bozza_accordo"]  # no escalation for a non-essential partner
    case.do("UT_bozza_accordo", {"versione_bozza": 2})
    answer_all(case, {"COMUNE_ANCONA": JOIN, "CPI_ANCONA": JOIN})  # COOP_SOLE is not asked again
    f1_sign(case)
    assert case.data["partenariato_attivo"] is True
    assert [g["codice"] for g in case.data["lacune_partenariato"]] == ["COOP_SOLE"]


def test_f1_essential_refusal_substitute_found() -> None:
    case = Case(F1, territorio="Ancona")
    f1_until_answers(case)
    answer_all(case, {"COMUNE_ANCONA": JOIN, "CPI_ANCONA": REFUSE, "COOP_SOLE": JOIN})
    [task] = case.ready()
    assert (task.task_spec.bpmn_id, task.task_spec.lane) == ("UT_decisione_cabina", "cabina_di_regia")
    case.do("UT_decisione_cabina")  # the sample substitutes CPI_ANCONA with CPI_JESI
    answer_all(case, {"CPI_JESI": JOIN})  # the substitute answers the same draft, alone
    assert approve_all(case) == ["COMUNE_ANCONA", "COOP_SOLE", "CPI_JESI"]
    assert case.ready_ids() == ["UT_firma_accordo"]
    case.do("UT_firma_accordo")
    case.do("UT_costituzione_cabina")
    data = case.data
    assert {f["codice_ente"]: f["firmatario"] for f in data["firmatari"]}["CPI_JESI"] == "firma.cpi_jesi"
    assert sorted(r["codice_partner"] for r in data["risposte_giro"]) == sorted([*CODICI, "CPI_JESI"])
    assert data["partenariato_attivo"] is True
    codes = {p["codice"]: p for p in data["partner"]}
    assert "CPI_ANCONA" not in codes
    assert codes["CPI_JESI"]["essenziale"] is True
    assert codes["CPI_JESI"]["sostituisce"] == "CPI_ANCONA"
    assert data["lacune_partenariato"] == []


def test_f1_a_substitute_that_refuses_goes_back_to_the_committee() -> None:
    case = Case(F1, territorio="Ancona")
    f1_until_answers(case)
    answer_all(case, {"COMUNE_ANCONA": JOIN, "CPI_ANCONA": REFUSE, "COOP_SOLE": JOIN})
    case.do("UT_decisione_cabina")
    answer_all(case, {"CPI_JESI": REFUSE})
    assert case.ready_ids() == ["UT_decisione_cabina"]
    case.do("UT_decisione_cabina", {"decisione_cabina": "INTERROMPI_TERRITORIO", "sostituti": []})
    assert case.finished_at() == "End_territorio_interrotto"


def test_f1_a_partner_silent_past_its_deadline_is_reminded_and_counts_as_refusing(clock: Traveller) -> None:
    """The answer's deadline interrupts that partner's task only; the coordinator reminds it and
    records the outcome (no answer at all: a refusal, an essential partner goes to the committee)."""
    case = Case(F1, territorio="Ancona")
    f1_until_answers(case)
    for code in ("COMUNE_ANCONA", "COOP_SOLE"):
        case.do(
            "UT_risposta_partner",
            {"codice_partner": code},
            pick=lambda t, c=code: t.data["ente_partner"]["codice"] == c,  # type: ignore[misc]
        )
    clock.shift(dt.timedelta(days=PARAMS_PROTOCOLLI["giorni_risposta_partner"] - 1))
    case.tick()
    assert case.ready_ids() == ["UT_risposta_partner"]  # still within its deadline
    clock.shift(dt.timedelta(days=2))
    case.tick()
    [reminder] = case.ready()
    assert (reminder.task_spec.bpmn_id, reminder.task_spec.lane) == ("UT_sollecito_risposta", "coordinatore")
    case.do("UT_sollecito_risposta", {"codice_partner": "CPI_ANCONA", "esito_sollecito": "NESSUNA_RISPOSTA"})
    assert case.ready_ids() == ["UT_decisione_cabina"]
    silent = next(r for r in case.data["risposte_partner"] if r["codice_partner"] == "CPI_ANCONA")
    assert (silent["esito_adesione"], silent["sollecitata"]) == ("RIFIUTA", True)


def test_f1_a_late_answer_after_the_reminder_joins(clock: Traveller) -> None:
    case = Case(F1, territorio="Ancona")
    f1_until_answers(case)
    clock.shift(dt.timedelta(days=PARAMS_PROTOCOLLI["giorni_risposta_partner"] + 1))
    case.tick()
    assert case.ready_ids() == ["UT_sollecito_risposta"] * 3
    for code in CODICI:
        case.do(
            "UT_sollecito_risposta",
            {"codice_partner": code},
            pick=lambda t, c=code: t.data["ente_partner"]["codice"] == c,  # type: ignore[misc]
        )
    assert set(case.ready_ids()) == {"UT_approvazione_interna"}


def test_f1_late_internal_approvals_remind_the_coordinator_and_wait(clock: Traveller) -> None:
    case = Case(F1, territorio="Ancona")
    f1_until_answers(case)
    answer_all(case, dict.fromkeys(CODICI, JOIN))
    case.do(
        "UT_approvazione_interna",
        {"codice_partner": "COMUNE_ANCONA"},
        pick=lambda t: t.data["ente_aderente"]["codice"] == "COMUNE_ANCONA",  # type: ignore[misc]
    )
    clock.shift(dt.timedelta(days=PARAMS_PROTOCOLLI["giorni_approvazione_interna"] + 1))
    case.tick()
    assert case.ready_ids() == ["UT_approvazione_interna", "UT_approvazione_interna", "UT_sollecito_approvazioni"]
    case.do("UT_sollecito_approvazioni")
    for code in ("CPI_ANCONA", "COOP_SOLE"):
        case.do(
            "UT_approvazione_interna",
            {"codice_partner": code},
            pick=lambda t, c=code: t.data["ente_aderente"]["codice"] == c,  # type: ignore[misc]
        )
    case.do("UT_firma_accordo")
    case.do("UT_costituzione_cabina")
    assert case.wf.is_completed() and case.data["partenariato_attivo"] is True  # the reminder ended too
    assert [a["numero_atto"] for a in case.data["approvazioni_interne"]] == ["DG 45/2026"] * 3


def test_f1_essential_refusal_stops_the_territory() -> None:
    case = Case(F1, territorio="Ancona")
    f1_until_answers(case)
    answer_all(case, {"COMUNE_ANCONA": REFUSE, "CPI_ANCONA": JOIN, "COOP_SOLE": CHANGES})
    case.do("UT_decisione_cabina", {"decisione_cabina": "INTERROMPI_TERRITORIO", "sostituti": []})
    assert case.finished_at() == "End_territorio_interrotto"
    assert case.data["partenariato_attivo"] is False
    assert case.data["motivo_chiusura"] == "RIFIUTO_PARTNER_ESSENZIALE"
    assert "UT_firma_accordo" not in case.completed


def test_f1_answer_for_an_unknown_partner_stops_with_an_error() -> None:
    case = Case(F1, territorio="Ancona")
    f1_until_answers(case)
    for code in ("COMUNE_ANCONA", "CPI_ANCONA"):
        case.do(
            "UT_risposta_partner",
            {"codice_partner": code},
            pick=lambda t, c=code: t.data["ente_partner"]["codice"] == c,  # type: ignore[misc]
        )
    with pytest.raises(Exception, match="non corrispondono"):
        case.do("UT_risposta_partner", {"codice_partner": "ALTRO_ENTE"})


# ------------------------------------------------------------------ F2


def f2_intake(case: Case, verifica: dict[str, Any] | None = None) -> None:
    # referred today: the outcome's deadline (Timer_sollecito_esito) counts from the referral date
    case.do("UT_segnalazione", {"data_segnalazione": dt.date.today().isoformat()})
    case.do("UT_informativa")
    case.do("UT_verifica_documenti", verifica)


def f2_assess(
    case: Case,
    analisi: dict[str, Any] | None = None,
    did: dict[str, Any] | None = None,
    sanitaria: dict[str, Any] | None = None,
    giustizia: dict[str, Any] | None = None,
    order: tuple[str, ...] = ("analisi", "did", "sanitaria", "giustizia"),
) -> None:
    """Complete the parallel branches in ``order`` (absent certifications are skipped)."""
    steps = {
        "analisi": ("UT_analisi_preliminare", analisi),
        "did": ("UT_did_psp", did),
        "sanitaria": ("UT_certificazione_sanitaria", sanitaria),
        "giustizia": ("UT_attestazione_giustizia", giustizia),
    }
    for name in order:
        bpmn_id, changes = steps[name]
        if name in ("sanitaria", "giustizia") and changes is None:
            assert not case.ready(bpmn_id)
            continue
        case.do(bpmn_id, changes)


def f2_close(case: Case, conferma: dict[str, Any] | None = None) -> None:
    assert case.ready_ids() == ["UT_conferma_esito"]
    case.do("UT_conferma_esito", conferma)
    case.do("UT_comunicazione_esito")


def test_f2_work_ready() -> None:
    case = Case(F2, caso_id="C-1")
    f2_intake(case)
    assert case.ready_ids() == ["UT_analisi_preliminare", "UT_did_psp"]  # no certification needed
    f2_assess(case)  # 8 months without regular work
    assert case.data["esito_proposto"] == "IDONEO_LAVORO"
    f2_close(case)
    assert case.finished_at() == "End_idoneo"
    data = case.data
    assert data["esito"] == "IDONEO_LAVORO"
    assert data["esito_modificato_da_operatore"] is False
    assert data["categorie_svantaggio"] == ["SVANT_651"]
    assert data["cat_381"] == [] and data["cat_l68"] == [] and data["cat_112"] == []
    assert data["requisiti_accertati"] == [
        {"tabella": "DT-2", "categoria": "SVANT_651", "base_giuridica": "Reg. (UE) 651/2014 art. 2 n. 4 lett. a"}
    ]
    assert data["compatibilita_sanitaria"] == "COMPATIBILE"  # default branch without certification
    assert data["base_giuridica"] is None


def test_f2_referral_registered_before_the_did_question_still_gets_the_job_centre_step() -> None:
    """A case migrated from the earlier F2 (docs/migrations.md) registered its referral with the
    form that did not ask about the DID and the pact: the job centre's step runs, as it did then."""
    case = Case(F2, caso_id="C-1b")
    [task] = case.ready("UT_segnalazione")
    schema = FORMS["f2_segnalazione"]()
    data = schema.dump(schema.load(VALID["f2_segnalazione"] | {"data_segnalazione": dt.date.today().isoformat()}))
    for field in ("situazione_did_psp", "riferimento_psp_esistente", "data_psp_esistente"):
        data.pop(field, None)
    task.set_data(**data)
    task.run()
    case.wf.do_engine_steps()
    case.do("UT_informativa")
    case.do("UT_verifica_documenti")
    assert case.ready_ids() == ["UT_analisi_preliminare", "UT_did_psp"]


def test_f2_enterprise_with_health_certification() -> None:
    case = Case(F2, caso_id="C-2")
    f2_intake(case, {"certificazione_sanitaria_necessaria": True})
    assert case.ready_ids() == ["UT_analisi_preliminare", "UT_certificazione_sanitaria", "UT_did_psp"]
    [cert] = case.ready("UT_certificazione_sanitaria")
    assert cert.task_spec.lane == "referente_sanitario"
    f2_assess(
        case,
        analisi={"orientamento_percorso": "IMPRESA"},
        did={
            "contratto_6m_ultimi_6_mesi": True,
            "contratto_6m_ultimi_12_mesi": True,
            "contratto_6m_ultimi_24_mesi": True,
        },
        sanitaria={},
    )
    f2_close(case)
    data = case.data
    assert data["esito"] == "IDONEO_IMPRESA"
    assert data["cat_381"] == ["INV_FIS_PSI_SENS"]
    assert data["cat_l68"] == ["L68_A"]
    assert data["cat_112"] == ["IS_B_SVANTAGGIATO_DISABILE"]
    assert data["cat_651"] == []
    assert {r["tabella"] for r in data["requisiti_accertati"]} == {"DT-1", "DT-3", "DT-4"}
    assert data["evidenze_sanitarie"][0]["data_rilascio"] == "2025-06-01"


def test_f2_inclusion_first_after_team_assessment() -> None:
    case = Case(F2, caso_id="C-3")
    f2_intake(case, {"attestazione_giustizia_necessaria": True})
    f2_assess(case, analisi={"caso_complesso": True, "in_carico_servizi": True}, giustizia={})
    [em] = case.ready()
    assert (em.task_spec.bpmn_id, em.task_spec.lane) == ("UT_quadro_approfondito", "equipe_multidisciplinare")
    case.do("UT_quadro_approfondito", {"orientamento_percorso": "INCLUSIONE"})  # overrides LAVORO
    assert case.data["esito_proposto"] == "IDONEO_PREVIA_INCLUSIONE"
    f2_close(case)
    data = case.data
    assert data["esito"] == "IDONEO_PREVIA_INCLUSIONE"
    assert "MISURA_ALTERNATIVA" in data["cat_381"]
    assert data["flag_ex_detenuto"] is False


def test_f2_not_eligible_is_closed_with_a_referral() -> None:
    case = Case(F2, caso_id="C-4")
    f2_intake(case)
    f2_assess(
        case,
        did={
            "contratto_6m_ultimi_6_mesi": True,
            "contratto_6m_ultimi_12_mesi": True,
            "contratto_6m_ultimi_24_mesi": True,
        },
    )  # matches no row of any table
    assert case.data["esito_proposto"] == "NON_IDONEO_REQUISITI"
    f2_close(case)
    assert case.ready_ids() == ["UT_invio_altri_servizi"]
    case.do("UT_invio_altri_servizi")
    assert case.finished_at() == "End_chiuso_invio"
    data = case.data
    assert data["esito"] == "NON_IDONEO_REQUISITI"
    assert data["categorie_svantaggio"] == [] and data["requisiti_accertati"] == []
    assert data["ha_requisiti"] is False


def test_f2_operator_overrides_the_proposal() -> None:
    case = Case(F2, caso_id="C-5")
    f2_intake(case)
    f2_assess(case)
    f2_close(
        case,
        {
            "decisione_operatore": "MODIFICA",
            "esito_modificato": "IDONEO_IMPRESA",
            "motivazione_modifica": "Gruppo promotore già costituito con un mentor",
        },
    )
    data = case.data
    assert (data["esito_proposto"], data["esito"]) == ("IDONEO_LAVORO", "IDONEO_IMPRESA")
    assert data["esito_modificato_da_operatore"] is True
    assert data["motivazione_modifica"].startswith("Gruppo promotore")


MISSING = {"documentazione_completa": False, "documenti_mancanti": ["Verbale di invalidità civile"]}


def test_f2_missing_documents_timer_archives(clock: Traveller) -> None:
    case = Case(F2, caso_id="C-6")
    f2_intake(case, MISSING)
    case.do("UT_richiesta_integrazione")
    assert case.ready_ids() == ["UT_ricezione_integrazione"]
    clock.shift(dt.timedelta(days=29))
    case.tick()
    assert case.ready_ids() == ["UT_ricezione_integrazione"]  # still within the 30 days
    clock.shift(dt.timedelta(days=1, minutes=1))
    case.tick()
    assert case.ready_ids() == ["UT_archiviazione"]
    case.do("UT_archiviazione")
    assert case.finished_at() == "End_archiviato"
    assert case.data["esito"] == "ARCHIVIATO"


def test_f2_missing_documents_received_in_time(clock: Traveller) -> None:
    case = Case(F2, caso_id="C-7")
    f2_intake(case, MISSING)
    case.do("UT_richiesta_integrazione")
    clock.shift(dt.timedelta(days=10))
    case.do("UT_ricezione_integrazione")
    assert case.ready_ids() == ["UT_analisi_preliminare", "UT_did_psp"]
    assert not case.wf.get_tasks(state=TaskState.WAITING, spec_name="Timer_termine_integrazione")
    clock.shift(dt.timedelta(days=30))
    case.tick()  # the cancelled timer must not archive the case any more
    f2_assess(case)
    f2_close(case)
    assert case.data["esito"] == "IDONEO_LAVORO"


NOT_READY = {"compatibilita_sanitaria": "NON_COMPATIBILE"}


def not_ready_round(case: Case, did: dict[str, Any] | None = None) -> None:
    f2_assess(case, did=did, sanitaria=NOT_READY, order=("did", "sanitaria", "analisi"))
    assert case.data["esito_proposto"] == "NON_PRONTO"
    f2_close(case)


def test_f2_not_ready_is_reassessed_after_the_waiting_period(
    clock: Traveller,
) -> None:
    case = Case(F2, caso_id="C-8")
    f2_intake(case, {"certificazione_sanitaria_necessaria": True})
    not_ready_round(case)
    case.do("UT_non_pronto")
    assert case.ready_ids() == []
    clock.shift(dt.timedelta(days=85))  # fewer than 3 months
    case.tick()
    assert case.ready_ids() == []
    clock.shift(dt.timedelta(days=8))  # 93 days: 10 January + 3 months has passed
    case.tick()
    assert case.ready_ids() == ["UT_analisi_preliminare", "UT_certificazione_sanitaria", "UT_did_psp"]
    [analisi] = case.ready("UT_analisi_preliminare")
    assert "eta" not in analisi.data and "contratto_6m_ultimi_6_mesi" not in analisi.data
    assert analisi.data["round_rivalutazione"] == 1
    # Second round: CPI answers first with new facts, the social worker last. The new facts
    # must survive the join (a stale copy in the last branch would win otherwise).
    f2_assess(
        case,
        analisi={"eta": 55},
        did={
            "contratto_6m_ultimi_6_mesi": False,
            "contratto_6m_ultimi_12_mesi": False,
            "contratto_6m_ultimi_24_mesi": True,
        },
        sanitaria={"compatibilita_sanitaria": "COMPATIBILE"},
        order=("did", "sanitaria", "analisi"),
    )
    data = case.data
    assert data["contratto_6m_ultimi_12_mesi"] is False
    assert "MOLTO_SVANT_651" in data["cat_651"]
    assert data["esito_proposto"] == "IDONEO_LAVORO"
    f2_close(case)
    assert case.finished_at() == "End_idoneo"
    assert case.data["esito"] == "IDONEO_LAVORO"


def test_f2_not_ready_rounds_are_bounded(clock: Traveller) -> None:
    case = Case(F2, caso_id="C-9")
    f2_intake(case, {"certificazione_sanitaria_necessaria": True})
    for _round in range(PARAMS["default"]["max_rivalutazioni_non_pronto"]):
        not_ready_round(case)
        case.do("UT_non_pronto")
        clock.shift(dt.timedelta(days=100))
        case.tick()
    not_ready_round(case)
    assert case.ready_ids() == ["UT_invio_altri_servizi"]  # no third re-assessment
    case.do("UT_invio_altri_servizi")
    assert case.finished_at() == "End_chiuso_invio"
    assert case.data["esito"] == "NON_PRONTO"
    assert case.data["round_rivalutazione"] == 2
