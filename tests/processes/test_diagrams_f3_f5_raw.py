"""Raw SpiffWorkflow walks of the F3–F5 diagrams and the parent `percorso_beneficiario`.

No database and no engine services: the diagrams are parsed with the XSD on, run with the
sandboxed script engine and the merged ``processes/parametri*.json``, and every human task is
completed with data validated by its registered form (``dump(load(x))``, so dates are ISO
strings, as the engine stores them). Timers are reached by travelling in time with
``time_machine`` and calling ``refresh_timers()``.

F2 is replaced by ``fixtures/valutazione_bisogno.bpmn``, a stub with the same process id that
copies ``esito_stub`` from the start data into ``esito`` (F2's output contract).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from lxml import etree
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.scripting import build_script_engine, compile_expression, compile_script
from engine.roles import LANE_ROLES
from forms import FORMS
from forms.f4_attuazione import LEGACY_FORMS

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
STUB_F2 = Path(__file__).parent / "fixtures" / "valutazione_bisogno.bpmn"
OUR_PROCESSES = [
    "percorso_beneficiario",
    "progettazione",
    "attuazione",
    "attuazione_tirocinio",
    "attuazione_startup",
    "monitoraggio",
    "follow_up",
    "impresa",
    "relazione_semestrale",  # F5 at programme level: the semester monitoring report
    "valutazione_programma",  # F5 at programme level: the valutatore's intermediate and final evaluation
]
OUR_FILES = [PROCESSES / f"{pid}.bpmn" for pid in OUR_PROCESSES]
DMN_USED = ["dt5_strumento_inserimento", "dt5_incentivi_categorie"]  # design (F3) reads DT-5
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
# Forms of another phase used by these diagrams: the parent's handler of a partnership change
# (event sub-process started by the message ``partenariato_cambiato``) asks for an F1 check.
CROSS_PHASE_FORMS = {
    "f1_verifica_continuita",
    "f2_appuntamento_adi",
    "f2_sollecito_adi",
    "f2_sollecito_aggiornamento_adi",
    "valuta_allerta_sanitaria",
}
MESE = 30  # giorni_mese in parametri_f3_f5.json


def load_parameters() -> dict[str, Any]:
    """Merge every processes/parametri*.json the way the engine does: defaults, then regions."""
    merged: dict[str, Any] = {"default": {}, "regioni": {}}
    for path in sorted(PROCESSES.glob("parametri*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        merged["default"].update(doc.get("default", {}))
        for region, values in doc.get("regioni", {}).items():
            merged["regioni"].setdefault(region, {}).update(values)
    return merged


PARAMS = load_parameters()


@pytest.fixture(scope="module")
def parser() -> SpiffBpmnParser:
    p = SpiffBpmnParser(validator=VALIDATOR)
    p.add_bpmn_files([str(f) for f in OUR_FILES])
    p.add_bpmn_file(str(STUB_F2))
    p.add_dmn_files([str(PROCESSES / f"{d}.dmn") for d in DMN_USED])
    return p


@pytest.fixture
def traveller() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as t:
        yield t


# --- valid form data, per form key (overridden per step where a path needs it) ----------------


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def base_data(key: str) -> dict[str, Any]:
    d = today()
    later = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=400)).isoformat()
    data: dict[str, dict[str, Any]] = {
        "f5_scheda_ingresso": {
            "data_ingresso": d,
            "condizione_occupazionale": "DISOCCUPATO_LUNGA_DURATA",
            "mesi_disoccupazione": 30,
            "isced": "ISCED_0_2",
            "disabilita": "NON_DICHIARATO",
            "cittadinanza": "ITALIANA",
            "origine_straniera": "NO",
            "minoranza": "NON_DICHIARATO",
            "condizione_abitativa_ethos": "NESSUNA",
            "comune_residenza_istat": "042002",
        },
        "f3_progetto_personalizzato": {
            "obiettivi_smart": "Acquisire competenze di magazzino entro 6 mesi",
            "azioni": "Tirocinio con tutoraggio settimanale",
            "risorse": "Tutor del promotore, job coach",
            "budget_euro": 3600.0,
            "indicatori": "Presenza >= 70%, valutazione tutor",
            "impegni_persona": "Frequenza regolare",
            "data_inizio_progetto": d,
            "data_fine_progetto": later,
            "date_verifica": [d],
            "consenso_condivisione_ospitante": True,
        },
        "f3_piano_job_coach": {
            "ore_settimanali_affiancamento": 6,
            "obiettivi_affiancamento": "Orientarsi in magazzino e nei turni",
            "data_piano_job_coach": d,
        },
        "f4_relazione_job_coach": {
            "ore_affiancamento_svolte": 60,
            "esito_affiancamento": "SUPPORTO_RIDOTTO",
            "osservazioni_job_coach": "Autonoma nelle mansioni, da seguire nei cambi di turno",
            "data_relazione_job_coach": d,
        },
        "f3_scelta_strumento": {
            "strumento": "TIROCINIO_EXTRACURRICOLARE",
            "destinatario_l68": False,
            "incentivi": ["NESSUNO"],
            "motivazione": "Profilo adatto a un tirocinio in magazzino",
        },
        "f3_abbinamento": {
            "esito_abbinamento": "DISPONIBILE",
            "impresa_ospitante": "Logistica Adriatica srl",
            "tutor_aziendale_nominativo": "M. Rossi",
            "analisi_posto_lavoro": "Magazzino, turno diurno, accessibile",
            "accessibilita_verificata": True,
        },
        "f3_alternativa_abbinamento": {
            "scelta_alternativa": "LISTA_ATTESA",
            "motivazione_alternativa": "Nessuna impresa disponibile nel territorio",
        },
        "f3_adesione_beneficiario": {
            "decisione_beneficiario": "FIRMA",
            "data_firma": d,
            "documenti_firmati": ["PROGETTO_PERSONALIZZATO", "BOZZA_PFI"],
        },
        "f3_rinegoziazione": {"modifiche_proposte": "Orario ridotto al mattino", "data_incontro": d},
        "f3_idea_impresa": {
            "titolo_idea": "Bottega di comunità",
            "bisogno_comunita": "Nessun negozio di prossimità nel borgo",
            "n_promotori_beneficiari": 3,
            "n_promotori_comunita": 5,
            "impresa_mentor": "Coop Alfa",
        },
        "f3_studio_fattibilita": {
            "analisi_mercato": "300 famiglie residenti",
            "prodotto_servizio": "Alimentari e servizi",
            "fattibile": True,
            "data_studio": d,
        },
        "f3_forma_giuridica": {"forma_giuridica": "COOP_SOCIALE_B", "motivazione_forma": "Inserimento lavorativo"},
        "f3_business_plan": {
            "anni_piano": 3,
            "ricavi_primo_anno_euro": 180000.0,
            "costi_primo_anno_euro": 170000.0,
            "fonti_finanziamento": ["CAPITALE_PROPRIO", "MICROCREDITO"],
            "n_svantaggiati_previsti": 3,
            "n_non_svantaggiati_previsti": 6,
            "piano_inserimento": "3 addetti vendita",
        },
        "f3_validazione_business_plan": {
            "esito_validazione": "SOSTENIBILE",
            "parere_mentor": "Piano solido",
            "data_validazione": d,
        },
        "f3_bozza_statuto": {
            "denominazione_proposta": "Bottega Aperta cooperativa sociale",
            "oggetto_sociale": "Inserimento lavorativo art. 1 lett. b L. 381/1991",
            "regolamento_interno": True,
        },
        "f4_convenzione_pfi": {
            "tipo_tirocinio": "EXTRACURRICOLARE",
            "numero_convenzione": "CONV-2026-01",
            "data_convenzione": d,
            "soggetto_promotore": "Ente capofila",
            "soggetto_ospitante": "Logistica Adriatica srl",
            "settore_ateco": "52.10",
            "sede": "Ancona",
            "ore_settimanali": 25.0,
            "data_inizio_tirocinio": d,
            "data_fine_prevista": later,
            "durata_mesi": 3,
            "indennita_mensile_euro": 500.0,
            "polizza_inail": "INAIL-123",
            "polizza_rc": "RC-456",
            "tutor_promotore": "L. Bianchi",
            "tutor_aziendale_nominativo": "M. Rossi",
            "obiettivi_competenze": "Gestione ordini",
        },
        "f4_avvio_inserimento": {
            "tipo_avvio": "ASSUNZIONE",
            "ente": "Coop Beta",
            "tipo_contratto": "TEMPO_INDETERMINATO",
            "data_inizio_inserimento": d,
            "ore_settimanali": 30.0,
            "durata_mesi": 2,
        },
        "f4_comunicazione_avvio": {
            "tipo_comunicazione": "UNILAV",
            "codice_comunicazione": "UL-0001",
            "data_comunicazione": d,
            "data_avvio": (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat(),  # UniLav the day before
        },
        "f4_registro_presenze": {
            "periodo_dal": (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=MESE)).isoformat(),
            "periodo_al": d,
            "ore_previste": 100.0,
            "ore_presenza": 95.0,
            "attivita_svolte": "Carico e scarico, inventario",
            "evento_mese": "NESSUNO",
        },
        "f4_decisione_interruzione": {
            "decisione_interruzione": "CHIUDERE",
            "motivo_decisione": "La persona non intende proseguire",
            "data_decisione": d,
        },
        "f4_esito_finale": {
            "esito_finale": "ASSUNTO",
            "data_fine_effettiva": d,
            "attestazione_rilasciata": True,
            "datore_lavoro": "Logistica Adriatica srl",
            "tipo_contratto": "TEMPO_DETERMINATO",
            "data_comunicazione_assunzione": d,
        },
        "f4_piano_correttivo": {
            "assunzioni_previste": 1,
            "data_piano": d,
            "scadenza_piano": later,
            "azioni": "Selezione tramite CPI",
        },
        "f4_allerta_quota": {"provvedimento": "AFFIANCAMENTO", "motivazione": "Quota sotto soglia", "data_seduta": d},
        "f4_sessione_mentoring": {
            "data_sessione": d,
            "ore_mentoring": 4.0,
            "temi": ["COMMERCIALE"],
            "presenza_beneficiario": True,
        },
        "f4_relazione_finale_startup": {
            "esito_finale": "ASSUNTO",
            "impresa_attiva": True,
            "n_lavoratori_totali": 10,
            "n_svantaggiati_finale": 4,
            "tipo_contratto": "SOCIO_LAVORATORE",
            "data_relazione": d,
            "sintesi": "Impresa avviata",
        },
        "f5_monitoraggio_mensile": {
            "data_monitoraggio": d,
            "percentuale_presenza": 95,
            "obiettivi_mese": "RISPETTATI",
        },
        "f5_revisione_equipe": {
            "data_revisione": d,
            "decisione_equipe": "PROSEGUIRE",
            "prossima_verifica": later,
            "verbale": "Percorso regolare",
        },
        "f4_rinuncia_beneficiario": {
            "data_rinuncia": d,
            "motivo_rinuncia": "ALTRO_LAVORO",
            "preavviso_dato": True,
            "cessazione_comunicata": True,
            "data_comunicazione_cessazione": d,
        },
        "f5_sollecito_uscita": {"azione_sollecito_uscita": "SOLLECITO_INVIATO", "data_sollecito_uscita": d},
        "f5_scheda_uscita": {
            "data_uscita": d,
            "data_rilevazione": d,
            "motivo_uscita": "ASSUNZIONE",
            "eecr01_in_cerca": False,
            "eecr02_in_formazione": False,
            "eecr03_qualifica": True,
            "eecr04_occupato": True,
            "tipo_contratto": "TEMPO_DETERMINATO",
            "fonte_dato": "COMUNICAZIONE_OBBLIGATORIA",
        },
        "imp_costituzione": {"data_atto": d, "notaio": "Notaio Rossi"},
        "f4_verifica_impresa_scollegata": {
            "decisione_impresa_scollegata": "PROSEGUE",
            "motivazione_impresa_scollegata": "Entra in un'altra cooperativa del territorio",
            "data_verifica_impresa_scollegata": d,
        },
        "f5_follow_up_6m": {
            "data_rilevazione_6m": d,
            "condizione_6m": "OCCUPATO",
            "tipo_contratto_6m": "TEMPO_DETERMINATO",
            "situazione_migliorata_6m": "SI",
            "fonte_dato_6m": "COMUNICAZIONE_OBBLIGATORIA",
        },
        "f5_follow_up_12m": {
            "data_rilevazione_12m": d,
            "condizione_12m": "OCCUPATO",
            "tipo_contratto_12m": "TEMPO_INDETERMINATO",
            "situazione_migliorata_12m": "SI",
            "fonte_dato_12m": "INTERVISTA_TELEFONICA",
        },
    }
    return dict(data[key])


# --- driver -----------------------------------------------------------------------------------


class Case:
    """One workflow instance plus the bookkeeping the assertions need."""

    def __init__(
        self,
        parser: SpiffBpmnParser,
        traveller: time_machine.Traveller,
        process_id: str,
        start_data: dict[str, Any],
        parameters: dict[str, Any] | None = None,
    ) -> None:
        engine = build_script_engine(now=lambda: dt.datetime.now(dt.UTC), parameters=parameters or PARAMS)
        self.wf = BpmnWorkflow(
            parser.get_spec(process_id), parser.get_subprocess_specs(process_id), script_engine=engine
        )
        self.traveller = traveller
        self.done: list[str] = []  # bpmn ids of human tasks completed, in order
        self.lanes: dict[str, str] = {}
        self.wf.get_next_task(spec_name="Start").data.update(start_data)
        self.wf.do_engine_steps()

    def ready(self) -> list[str]:
        return sorted(t.task_spec.bpmn_id for t in self.wf.get_tasks(state=TaskState.READY, manual=True))

    def do(self, bpmn_id: str, **overrides: Any) -> None:
        tasks = [t for t in self.wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == bpmn_id]
        assert len(tasks) == 1, f"{bpmn_id} not READY; READY: {self.ready()}"
        task = tasks[0]
        key = task.task_spec.extensions["properties"]["formKey"]
        schema = FORMS[key]()
        payload = {**base_data(key), **overrides}
        task.set_data(**schema.dump(schema.load(payload)))
        task.run()
        self.wf.do_engine_steps()
        self.done.append(bpmn_id)
        self.lanes[bpmn_id] = task.task_spec.lane

    def message(self, name: str, payload: dict[str, Any]) -> None:
        """A message to the workflow, as the engine delivers it."""
        self.wf.send_event(BpmnEvent(MessageEventDefinition(name), payload))
        self.wf.do_engine_steps()

    def advance(self, days: int) -> None:
        self.traveller.shift(dt.timedelta(days=days))
        self.wf.refresh_timers()
        self.wf.do_engine_steps()

    def count(self, bpmn_id: str) -> int:
        return self.done.count(bpmn_id)

    def data(self) -> dict[str, Any]:
        assert self.wf.is_completed(), f"not completed; READY: {self.ready()}"
        return dict(self.wf.data)

    def stati(self) -> list[str]:
        return [s["stato"] for s in self.data()["storico_stati"]]

    # -- composite steps --

    def progettazione_a(self, strumento: str | None = "TIROCINIO_EXTRACURRICOLARE") -> None:
        self.do("Task_progetto")
        if strumento is not None:
            self.do("Task_strumento", strumento=strumento)
        if strumento != "FORMAZIONE":
            self.do("Task_abbinamento")
        self.do("Task_adesione")

    def month(
        self,
        registro_task: str = "Sub_mese_tirocinio_task",
        registro: dict[str, Any] | None = None,
        monitoraggio: dict[str, Any] | None = None,
        revisione: dict[str, Any] | None = None,
    ) -> None:
        """One month: timer, tutor register, then (unless interrupted) F5's monthly round."""
        assert registro_task not in self.ready(), "register available before the month elapsed"
        self.advance(MESE + 1)  # a timer fires strictly after its due time
        self.do(registro_task, **(registro or {}))
        if "Task_mensile" in self.ready():
            self.do("Task_mensile", **(monitoraggio or {}))
            if "Task_revisione" in self.ready():
                self.do("Task_revisione", **(revisione or {}))

    def follow_ups(self, **uscita: Any) -> None:
        self.do("Task_uscita", **uscita)
        self.advance(150)
        assert "Task_6m" not in self.ready(), "6-month follow-up before six months"
        self.advance(40)
        self.do("Task_6m")
        self.advance(150)
        assert "Task_12m" not in self.ready(), "12-month follow-up before twelve months"
        self.advance(40)
        self.do("Task_12m")


def percorso(parser: SpiffBpmnParser, traveller: time_machine.Traveller, esito: str, **extra: Any) -> Case:
    start = {"territorio": "ATS 11 Ancona", "beneficiario_pseudonimo": "BEN-7f3a", "esito_stub": esito, **extra}
    case = Case(parser, traveller, "percorso_beneficiario", start)
    if esito in ("IDONEO_LAVORO", "IDONEO_PREVIA_INCLUSIONE", "IDONEO_IMPRESA"):
        case.do("Task_scheda_ingresso")
    return case


# --- static checks ------------------------------------------------------------------------------


def _xml(path: Path) -> etree._ElementTree:
    return etree.parse(str(path))


def test_diagrams_parse_with_xsd_and_resolve_every_call(parser: SpiffBpmnParser) -> None:
    assert set(OUR_PROCESSES) <= set(parser.get_process_ids())
    subs = parser.get_subprocess_specs("percorso_beneficiario")
    assert {
        "valutazione_bisogno",
        "progettazione",
        "attuazione",
        "attuazione_tirocinio",
        "attuazione_startup",
        "monitoraggio",
        "follow_up",
    } <= set(subs)
    for pid in OUR_PROCESSES:
        parser.get_spec(pid)
    # The parent must call F2 by its real id, not the fixture's file.
    called = _xml(PROCESSES / "percorso_beneficiario.bpmn").xpath("//bpmn:callActivity/@calledElement", namespaces=NS)
    assert "valutazione_bisogno" in called


def test_parent_resolves_against_the_real_f2() -> None:
    real_f2 = PROCESSES / "valutazione_bisogno.bpmn"
    assert real_f2.exists(), "the parent calls the real F2"
    p = SpiffBpmnParser(validator=VALIDATOR)
    p.add_bpmn_files([str(f) for f in [*OUR_FILES, real_f2]])
    p.add_dmn_files([str(f) for f in PROCESSES.glob("*.dmn")])
    assert "valutazione_bisogno" in p.get_subprocess_specs("percorso_beneficiario")
    # F2's contract: every esito the parent branches on is one F2 can produce.
    text = real_f2.read_text(encoding="utf-8")
    for esito in ("IDONEO_LAVORO", "IDONEO_IMPRESA", "IDONEO_PREVIA_INCLUSIONE"):
        assert esito in text


def test_every_human_task_sits_in_a_role_lane_with_a_registered_form(parser: SpiffBpmnParser) -> None:
    seen = 0
    for pid in OUR_PROCESSES:
        specs = [parser.get_spec(pid), *parser.get_subprocess_specs(pid).values()]
        for spec in specs:
            if spec.name == "valutazione_bisogno":
                continue
            for ts in spec.task_specs.values():
                if not getattr(ts, "manual", False):
                    continue
                seen += 1
                key = ts.extensions.get("properties", {}).get("formKey")
                assert key in FORMS, f"{spec.name}/{ts.bpmn_id}: formKey {key!r} is not a registered form"
                assert key.split("_")[0] in ("f3", "f4", "f5", "imp") or key in CROSS_PHASE_FORMS, key
                assert ts.lane in LANE_ROLES, f"{spec.name}/{ts.bpmn_id}: lane {ts.lane!r} is not a role"
    assert seen >= 30


def test_every_form_of_f3_f5_is_used_by_a_diagram() -> None:
    used = set()
    for path in OUR_FILES:
        used |= set(_xml(path).xpath("//spiffworkflow:property[@name='formKey']/@value", namespaces=NS))
    ours = {k for k in FORMS if k.split("_")[0] in ("f3", "f4", "f5", "imp")} - LEGACY_FORMS
    assert ours == used - CROSS_PHASE_FORMS


def test_exclusive_gateways_have_a_default_and_conditions_elsewhere() -> None:
    for path in OUR_FILES:
        doc = _xml(path)
        for gw in doc.xpath("//bpmn:exclusiveGateway", namespaces=NS):
            outgoing = doc.xpath("//bpmn:sequenceFlow[@sourceRef=$i]", i=gw.get("id"), namespaces=NS)
            if len(outgoing) < 2:
                continue
            default = gw.get("default")
            assert default, f"{path.name}:{gw.get('id')} has no default flow"
            for flow in outgoing:
                has_cond = bool(flow.xpath("bpmn:conditionExpression", namespaces=NS))
                assert has_cond == (flow.get("id") != default), f"{path.name}:{flow.get('id')}"


def test_scripts_conditions_and_timers_compile_in_the_sandbox_and_use_known_parameters() -> None:
    defaults = PARAMS["default"]
    for path in OUR_FILES:
        doc = _xml(path)
        for script in doc.xpath("//bpmn:script/text()", namespaces=NS):
            compile_script(script)
        for expr in doc.xpath(
            "//bpmn:conditionExpression/text() | //bpmn:loopCondition/text() | //bpmn:timeDuration/text()",
            namespaces=NS,
        ):
            compile_expression(expr)
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r'fn_param\(&quot;(\w+)&quot;|fn_param\("(\w+)"', text):
            assert (name[0] or name[1]) in defaults, f"{path.name}: unknown parameter {name}"
        for name in doc.xpath("//spiffworkflow:property[@name='dueParam']/@value", namespaces=NS):
            assert name in defaults, f"{path.name}: unknown dueParam {name}"


def test_diagrams_carry_di_for_every_flow_node() -> None:
    for path in OUR_FILES:
        doc = _xml(path)
        shapes = set(doc.xpath("//*[local-name()='BPMNShape']/@bpmnElement"))
        edges = set(doc.xpath("//*[local-name()='BPMNEdge']/@bpmnElement"))
        for node in doc.xpath("//bpmn:process//*[@id][bpmn:incoming or bpmn:outgoing]", namespaces=NS):
            assert node.get("id") in shapes, f"{path.name}: no shape for {node.get('id')}"
        for flow in doc.xpath("//bpmn:sequenceFlow/@id", namespaces=NS):
            assert flow in edges, f"{path.name}: no edge for {flow}"


# --- paths through the parent -----------------------------------------------------------------


def test_happy_path_to_employment_with_follow_ups(parser: SpiffBpmnParser, traveller: time_machine.Traveller) -> None:
    case = percorso(parser, traveller, "IDONEO_LAVORO")
    case.progettazione_a()
    case.do("Task_convenzione")  # 3 months
    case.do("Task_comunicazione")
    for _ in range(3):
        case.month()
    assert case.count("Task_revisione") == 1, "quarterly team review at month 3"
    assert case.ready() == ["Task_esito"]
    case.do("Task_esito")
    case.follow_ups()
    data = case.data()
    assert data["stato_caso"] == "CHIUSO"
    assert data["motivo_chiusura"] == "ASSUNTO"
    assert data["esito_attuazione"] == "ASSUNTO"
    assert data["condizione_6m"] == "OCCUPATO" and data["condizione_12m"] == "OCCUPATO"
    assert case.stati() == [
        "SEGNALATO",
        "IN_VALUTAZIONE",
        "IN_PROGETTAZIONE",
        "PATTO_SOTTOSCRITTO",
        "IN_ATTUAZIONE",
        "CONCLUSO_CON_ESITO",
        "FOLLOW_UP_6M",
        "FOLLOW_UP_12M",
        "CHIUSO",
    ]
    assert case.lanes["Sub_mese_tirocinio_task"] == "tutor_aziendale"
    assert case.lanes["Task_6m"] == "operatore_cpi"


def test_a_job_coach_plans_the_support_after_the_pact_and_reports_before_the_outcome(
    parser: SpiffBpmnParser, traveller: time_machine.Traveller
) -> None:
    """The plan names a job coach of a third-sector body: a task in the lane job_coach after the
    pact (F3) and its report before the final outcome of the traineeship (F4); without one, nothing."""
    case = percorso(parser, traveller, "IDONEO_LAVORO")
    case.do("Task_progetto", job_coach_previsto=True)
    case.do("Task_strumento", strumento="TIROCINIO_EXTRACURRICOLARE")
    case.do("Task_abbinamento")
    case.do("Task_adesione")
    assert case.ready() == ["Task_piano_job_coach"]
    case.do("Task_piano_job_coach")
    case.do("Task_convenzione")
    case.do("Task_comunicazione")
    for _ in range(3):
        case.month()
    assert case.ready() == ["Task_relazione_job_coach"]
    case.do("Task_relazione_job_coach")
    assert case.ready() == ["Task_esito"]
    assert case.lanes["Task_piano_job_coach"] == case.lanes["Task_relazione_job_coach"] == "job_coach"
    case.do("Task_esito")
    case.follow_ups()
    assert case.data()["esito_affiancamento"] == "SUPPORTO_RIDOTTO"


@pytest.mark.parametrize("esito", ["NON_IDONEO_REQUISITI", "NON_PRONTO", "ARCHIVIATO"])
def test_not_eligible_closes_without_a_path(
    parser: SpiffBpmnParser, traveller: time_machine.Traveller, esito: str
) -> None:
    case = percorso(parser, traveller, esito)
    data = case.data()
    assert data["stato_caso"] == "CHIUSO" and data["motivo_chiusura"] == esito
    assert case.done == []


def enterprise(parser: SpiffBpmnParser, traveller: time_machine.Traveller, forma: str = "COOP_SOCIALE_B") -> Case:
    """An enterprise's own case founded from a path: it runs the track-B design first."""
    start = {
        "territorio": "ATS 11 Ancona",
        "titolo": "Orti Solidali",
        "denominazione": "Orti Solidali Cooperativa Sociale",
        "forma_giuridica": forma,
        "regione": None,
        "organico": [],
        "progettazione_impresa": True,
    }
    return Case(parser, traveller, "impresa", start)


def test_the_enterprise_runs_the_design_once_then_its_incorporation(
    parser: SpiffBpmnParser, traveller: time_machine.Traveller
) -> None:
    case = enterprise(parser, traveller)
    assert case.wf.get_next_task(spec_name="Script_avvio").data["stato_impresa"] == "IN_PROGETTAZIONE"
    for step in ("Task_idea", "Task_fattibilita", "Task_forma", "Task_business_plan"):
        case.do(step)
    case.do("Task_validazione", esito_validazione="DA_RIVEDERE", richieste_revisione="Rivedere i costi")
    case.do("Task_business_plan", costi_primo_anno_euro=160000.0)
    case.do("Task_validazione")
    case.do("Task_statuto")
    assert case.ready() == ["Task_costituzione"]
    case.do("Task_costituzione")
    assert case.ready() == ["Task_iscrizioni"]
    assert case.lanes["Task_validazione"] == "cabina_di_regia" and case.lanes["Task_idea"] == "coordinatore"
    data = case.wf.get_next_task(spec_name="Script_costituita").data
    assert (data["stato_impresa"], data["esito_progettazione_impresa"], data["revisioni_business_plan"]) == (
        "COSTITUITA",
        "VALIDATA",
        1,
    )


def test_an_enterprise_designed_elsewhere_starts_at_its_incorporation(
    parser: SpiffBpmnParser, traveller: time_machine.Traveller
) -> None:
    start = {"denominazione": "Orti Cooperativa Sociale", "forma_giuridica": "COOP_SOCIALE_B", "regione": None}
    case = Case(parser, traveller, "impresa", {**start, "organico": [], "progettazione_impresa": False})
    assert case.ready() == ["Task_costituzione"]


def test_an_unsustainable_enterprise_ends_its_case(parser: SpiffBpmnParser, traveller: time_machine.Traveller) -> None:
    case = enterprise(parser, traveller)
    for step in ("Task_idea", "Task_fattibilita", "Task_forma", "Task_business_plan"):
        case.do(step)
    case.do("Task_validazione", esito_validazione="NON_SOSTENIBILE", richieste_revisione="Mercato assente")
    assert case.data()["stato_impresa"] == "NON_SOSTENIBILE"


def test_business_plan_revisions_are_bounded(parser: SpiffBpmnParser, traveller: time_machine.Traveller) -> None:
    case = enterprise(parser, traveller)
    for step in ("Task_idea", "Task_fattibilita", "Task_forma"):
        case.do(step)
    for _ in range(3):
        case.do("Task_business_plan")
        case.do("Task_validazione", esito_validazione="DA_RIVEDERE", richieste_revisione="Ancora da rivedere")
    assert case.count("Task_business_plan") == 3  # first draft + 2 revisions
    assert case.data()["esito_progettazione_impresa"] == "NON_SOSTENIBILE"


DESIGNED = {"impresa_id": 7, "impresa_caso_id": 70, "denominazione": "Orti Solidali", "esito": "VALIDATA"}


def test_enterprise_start_up(parser: SpiffBpmnParser, traveller: time_machine.Traveller) -> None:
    case = percorso(parser, traveller, "IDONEO_IMPRESA")
    # the design is the enterprise's: the person's track waits for its outcome, then its incorporation
    assert case.ready() == []
    case.advance(60)
    assert case.ready() == []
    case.message("impresa_progettata", DESIGNED)
    case.message("impresa_collegata", LINKED)
    assert case.ready() == []
    case.advance(40)
    assert case.ready() == [], "no accompaniment before the enterprise is incorporated"
    case.message("impresa_costituita", {**DESIGNED, "data_costituzione": "2026-03-01"})
    for _ in range(12):
        case.month("Sub_mese_startup_task")
    assert case.count("Sub_mese_startup_task") == 12
    assert case.ready() == ["Task_relazione"]
    case.do("Task_relazione")
    case.follow_ups()
    data = case.data()
    assert data["esito_progettazione"] == "STARTUP_VALIDATA" and data["strumento"] == "STARTUP"
    assert data["esito_progettazione_impresa"] == "VALIDATA" and data["data_costituzione_impresa"] == "2026-03-01"
    assert (data["impresa_id"], data["impresa_caso_id"], data["ruolo_impresa"]) == (7, 70, "SOCIO_LAVORATORE")
    assert data["motivo_chiusura"] == "ASSUNTO"
    assert not {"Task_idea", "Task_business_plan", "Task_statuto", "Task_costituzione"} & set(case.done)


def test_unsustainable_start_up_returns_to_track_a(parser: SpiffBpmnParser, traveller: time_machine.Traveller) -> None:
    case = percorso(parser, traveller, "IDONEO_IMPRESA")
    case.message("impresa_progettata", {**DESIGNED, "esito": "NON_SOSTENIBILE"})
    assert case.ready() == ["Task_progetto"]
    case.progettazione_a(strumento="FORMAZIONE")
    assert "Task_abbinamento" not in case.done, "training needs no host matching"
    assert case.ready() == ["Task_contratto"]


def test_beneficiary_withdraws_after_one_renegotiation(
    parser: SpiffBpmnParser, traveller: time_machine.Traveller
) -> None:
    case = percorso(parser, traveller, "IDONEO_LAVORO")
    case.do("Task_progetto")
    case.do("Task_strumento")
    case.do("Task_abbinamento")
    rifiuto = {
        "decisione_beneficiario": "RIFIUTA",
        "data_firma": None,
        "documenti_firmati": [],
        "motivazione_rifiuto": "Orari incompatibili con la famiglia",
    }
    case.do("Task_adesione", **rifiuto)
    case.do("Task_rinegoziazione")
    case.do("Task_adesione", **rifiuto)
    assert case.ready() == ["Task_uscita"]
    case.follow_ups(
        motivo_uscita="RINUNCIA",
        eecr01_in_cerca=True,
        eecr04_occupato=False,
        tipo_contratto=None,
        eecr03_qualifica=False,
    )
    data = case.data()
    assert data["esito_progettazione"] == "RINUNCIA"
    assert data["motivo_chiusura"] == "RINUNCIA"
    assert case.count("Task_rinegoziazione") == 1
    assert "Task_convenzione" not in case.done
    assert case.stati()[:5] == ["SEGNALATO", "IN_VALUTAZIONE", "IN_PROGETTAZIONE", "RINUNCIA", "RINUNCIA"]
    assert case.stati()[-3:] == ["FOLLOW_UP_6M", "FOLLOW_UP_12M", "CHIUSO"]


NEGATIVO = {"percentuale_presenza": 40, "obiettivi_mese": "NON_RISPETTATI", "criticita_rilevate": ["OBIETTIVI_MANCATI"]}
RIPROGETTARE = {
    "decisione_equipe": "RIPROGETTARE",
    "motivo_decisione": "OBIETTIVI_NON_RAGGIUNTI",
    "prossima_verifica": None,
}


def _negative_month(case: Case) -> None:
    case.do("Task_convenzione")
    case.do("Task_comunicazione")
    case.month(monitoraggio=NEGATIVO, revisione=RIPROGETTARE)


def test_negative_monitoring_redesign_then_success(parser: SpiffBpmnParser, traveller: time_machine.Traveller) -> None:
    case = percorso(parser, traveller, "IDONEO_LAVORO")
    case.progettazione_a()
    _negative_month(case)
    assert case.ready() == ["Task_progetto"], "redesign goes back to F3"
    case.progettazione_a()
    case.do("Task_convenzione")
    case.do("Task_comunicazione")
    for _ in range(3):
        case.month()
    case.do("Task_esito")
    case.follow_ups()
    data = case.data()
    assert data["n_riprogettazioni"] == 1
    assert data["motivo_chiusura"] == "ASSUNTO"
    assert case.count("Task_progetto") == 2
    stati = case.stati()
    i = stati.index("IN_ATTUAZIONE")
    assert stati[i + 1] == "IN_PROGETTAZIONE", stati


def test_redesign_exhausted(parser: SpiffBpmnParser, traveller: time_machine.Traveller) -> None:
    case = percorso(parser, traveller, "IDONEO_LAVORO")
    for _ in range(3):
        case.progettazione_a()
        _negative_month(case)
    assert case.ready() == ["Task_uscita"]
    case.follow_ups(
        motivo_uscita="RIPROGETTAZIONI_ESAURITE", eecr01_in_cerca=True, eecr04_occupato=False, tipo_contratto=None
    )
    data = case.data()
    assert data["motivo_chiusura"] == "RIPROGETTAZIONI_ESAURITE"
    assert data["n_riprogettazioni"] == 2
    assert case.count("Task_progetto") == 3
    assert case.stati()[-4:] == ["CONCLUSO_SENZA_ESITO", "FOLLOW_UP_6M", "FOLLOW_UP_12M", "CHIUSO"]


NON_DISPONIBILE = {
    "esito_abbinamento": "NON_DISPONIBILE",
    "motivo_non_disponibilita": "NESSUNA_POSIZIONE",
    "impresa_ospitante": None,
    "tutor_aziendale_nominativo": None,
    "analisi_posto_lavoro": None,
    "accessibilita_verificata": False,
}


def test_matching_fails_three_times_then_waiting_list_then_matched_again(
    parser: SpiffBpmnParser, traveller: time_machine.Traveller
) -> None:
    case = percorso(parser, traveller, "IDONEO_LAVORO")
    case.do("Task_progetto")
    case.do("Task_strumento")
    for _ in range(3):
        case.do("Task_abbinamento", **NON_DISPONIBILE)
    assert case.ready() == ["Task_alternativa"]
    case.do("Task_alternativa")  # waiting list: the case is parked, not closed
    assert case.ready() == []
    assert not case.wf.is_completed()
    case.advance(59)  # giorni_rimatching_lista_attesa = 60
    assert case.ready() == []
    case.advance(2)
    assert case.ready() == ["Task_abbinamento"]
    for _ in range(2):
        case.do("Task_abbinamento", **NON_DISPONIBILE)
    case.do("Task_abbinamento")  # a host at the third attempt of the new round
    assert case.ready() == ["Task_adesione"]
    assert case.count("Task_abbinamento") == 6


def test_matching_fallback_to_an_alternative_instrument(
    parser: SpiffBpmnParser, traveller: time_machine.Traveller
) -> None:
    case = percorso(parser, traveller, "IDONEO_LAVORO")
    case.do("Task_progetto")
    case.do("Task_strumento")
    for _ in range(3):
        case.do("Task_abbinamento", **NON_DISPONIBILE)
    case.do(
        "Task_alternativa",
        scelta_alternativa="STRUMENTO_ALTERNATIVO",
        strumento_alternativo="ASSUNZIONE_COOP_B",
        ente_alternativo="Coop Beta",
    )
    case.do("Task_adesione")
    assert case.ready() == ["Task_contratto"], "the alternative is a hiring, not a traineeship"
    case.do("Task_contratto")  # 2 months of support
    case.do("Task_comunicazione")
    case.month()
    case.month()
    case.do("Task_esito")
    case.follow_ups()
    data = case.data()
    assert data["strumento"] == "ASSUNZIONE_COOP_B" and data["ente_ospitante"] == "Coop Beta"
    assert data["motivo_chiusura"] == "ASSUNTO"


def test_regional_parameter_overrides_the_default(parser: SpiffBpmnParser, traveller: time_machine.Traveller) -> None:
    params = json.loads(json.dumps(PARAMS))
    params["regioni"]["Regione Test"] = {"max_tentativi_abbinamento": 1}
    start = {
        "territorio": "ATS 1",
        "beneficiario_pseudonimo": "BEN-1",
        "esito_stub": "IDONEO_LAVORO",
        "regione": "Regione Test",
    }
    case = Case(parser, traveller, "percorso_beneficiario", start, parameters=params)
    case.do("Task_scheda_ingresso")
    case.do("Task_progetto")
    case.do("Task_strumento")
    case.do("Task_abbinamento", **NON_DISPONIBILE)
    assert case.ready() == ["Task_alternativa"]


def test_twelve_monthly_registrations_and_no_more(parser: SpiffBpmnParser, traveller: time_machine.Traveller) -> None:
    case = percorso(parser, traveller, "IDONEO_PREVIA_INCLUSIONE")
    case.progettazione_a(strumento=None)  # inclusion first: the TIS is set, no choice task
    assert "Task_strumento" not in case.done
    case.do("Task_convenzione", tipo_tirocinio="TIS", durata_mesi=12, firma_ente_in_carico=True)
    case.do("Task_comunicazione")
    for _ in range(12):
        case.month()
    assert case.count("Sub_mese_tirocinio_task") == 12
    assert case.count("Task_revisione") == 4  # months 3, 6, 9, 12
    assert case.ready() == ["Task_esito"]
    case.advance(3 * MESE)
    assert case.ready() == ["Task_esito"], "no 13th register after the planned duration"
    waiting = [t for t in case.wf.get_tasks(state=TaskState.WAITING) if "timer" in (t.task_spec.bpmn_id or "").lower()]
    assert waiting == []
    case.do(
        "Task_esito",
        esito_finale="ALTRO_PERCORSO",
        altro_percorso="Corso di qualifica OSS",
        datore_lavoro=None,
        tipo_contratto=None,
        data_comunicazione_assunzione=None,
    )
    case.follow_ups(
        motivo_uscita="COMPLETAMENTO", eecr02_in_formazione=True, eecr04_occupato=False, tipo_contratto=None
    )
    data = case.data()
    assert data["strumento"] == "TIS"
    assert data["durata_prevista_mesi"] == 12
    assert data["stato_caso"] == "CHIUSO"
    assert "CONCLUSO_CON_ESITO" in case.stati()


# --- F4 track A on its own: suspension, extension, interruption --------------------------------


def tirocinio(
    parser: SpiffBpmnParser,
    traveller: time_machine.Traveller,
    durata: int = 2,
    strumento: str = "TIROCINIO_EXTRACURRICOLARE",
    **conv: Any,
) -> Case:
    start = {
        "strumento": strumento,
        "destinatario_l68": False,
        "job_coach_previsto": False,
        "regione": None,
        "stato_caso": "IN_ATTUAZIONE",
        "storico_stati": [],
    }
    case = Case(parser, traveller, "attuazione_tirocinio", start)
    case.do("Task_convenzione", durata_mesi=durata, **conv)
    case.do("Task_comunicazione")
    return case


def test_suspended_month_does_not_count(parser: SpiffBpmnParser, traveller: time_machine.Traveller) -> None:
    case = tirocinio(parser, traveller, durata=2)
    case.month()
    case.month(
        registro={"evento_mese": "SOSPENSIONE", "motivo_sospensione": "MALATTIA", "ore_presenza": 0.0},
        monitoraggio={"percentuale_presenza": 0},
    )
    assert "Task_revisione" not in case.done, "no review for attendance in a suspended month"
    case.month()
    case.do("Task_esito")
    data = case.data()
    assert case.count("Sub_mese_tirocinio_task") == 3
    assert data["mesi_svolti"] == 2 and data["mesi_sospensione"] == 1
    assert [s["stato"] for s in data["storico_stati"]] == ["SOSPESO", "IN_ATTUAZIONE"]


def test_too_long_suspension_becomes_an_interruption(
    parser: SpiffBpmnParser, traveller: time_machine.Traveller
) -> None:
    case = tirocinio(parser, traveller, durata=2)
    sospeso = {"evento_mese": "SOSPENSIONE", "motivo_sospensione": "ALTRO", "ore_presenza": 0.0}
    limit = PARAMS["default"]["max_mesi_sospensione"]
    for _ in range(limit + 1):
        case.month(registro=sospeso, monitoraggio={"percentuale_presenza": 0})
    assert case.ready() == ["Task_interruzione"]


@pytest.mark.parametrize(
    ("strumento", "durata", "attestazione", "mesi_attesi"),
    [
        ("TIROCINIO_EXTRACURRICOLARE", 2, False, 3),  # 2 + 1 within 12: granted
        ("TIROCINIO_EXTRACURRICOLARE", 12, False, 12),  # 12 + 1 beyond the ceiling: refused
        ("TIS", 2, False, 2),  # a TIS needs the service's attestation
        ("TIS", 2, True, 3),
    ],
)
def test_extension_within_the_maximum(
    parser: SpiffBpmnParser,
    traveller: time_machine.Traveller,
    strumento: str,
    durata: int,
    attestazione: bool,
    mesi_attesi: int,
) -> None:
    tipo = "TIS" if strumento == "TIS" else "EXTRACURRICOLARE"
    case = tirocinio(
        parser, traveller, durata=durata, strumento=strumento, tipo_tirocinio=tipo, firma_ente_in_carico=True
    )
    case.month(registro={"evento_mese": "PROROGA", "mesi_proroga": 1, "attestazione_servizio": attestazione})
    while "Task_esito" not in case.ready():
        case.month()
    assert case.count("Sub_mese_tirocinio_task") == mesi_attesi


@pytest.mark.parametrize(("decisione", "esito"), [("CHIUDERE", "ABBANDONO"), ("RIPROGETTARE", "RIPROGETTAZIONE")])
def test_interruption_leads_to_team_decision(
    parser: SpiffBpmnParser, traveller: time_machine.Traveller, decisione: str, esito: str
) -> None:
    case = tirocinio(parser, traveller, durata=6)
    case.month(
        registro={
            "evento_mese": "INTERRUZIONE",
            "iniziativa_interruzione": "TIROCINANTE",
            "motivo_interruzione": "RINUNCIA_PERSONA",
        }
    )
    assert "Task_mensile" not in case.done, "no monitoring round after an interruption"
    assert case.ready() == ["Task_interruzione"]
    case.do("Task_interruzione", decisione_interruzione=decisione)
    assert case.data()["esito_attuazione"] == esito


def test_team_can_close_the_path(parser: SpiffBpmnParser, traveller: time_machine.Traveller) -> None:
    case = tirocinio(parser, traveller, durata=6)
    case.month(
        monitoraggio=NEGATIVO,
        revisione={"decisione_equipe": "CHIUDERE", "motivo_decisione": "CONFLITTO", "prossima_verifica": None},
    )
    assert case.data()["esito_attuazione"] == "CONCLUSO_SENZA_ESITO"


def test_regional_ceiling_caps_the_requested_duration(
    parser: SpiffBpmnParser, traveller: time_machine.Traveller
) -> None:
    start = {
        "strumento": "ASSUNZIONE_IMPRESA_PROFIT",
        "destinatario_l68": False,
        "job_coach_previsto": False,
        "regione": None,
        "stato_caso": "IN_ATTUAZIONE",
        "storico_stati": [],
    }
    case = Case(parser, traveller, "attuazione_tirocinio", start)
    case.do("Task_contratto", durata_mesi=18)
    case.do("Task_comunicazione")
    while "Task_esito" not in case.ready():
        case.month()
    case.do("Task_esito")
    data = case.data()
    assert data["durata_prevista_mesi"] == PARAMS["default"]["durata_max_accompagnamento_mesi"]
    assert data["durata_ridotta"] is True
    assert case.count("Sub_mese_tirocinio_task") == data["durata_prevista_mesi"]


# --- F4 track B on its own: the person in the enterprise ------------------------------------------

LINKED = {
    "impresa_id": 7,
    "impresa_caso_id": 70,
    "denominazione": "Bottega Aperta Cooperativa Sociale",
    "forma_giuridica": "COOP_SOCIALE_B",
    "ruolo": "SOCIO_LAVORATORE",
    "data_assunzione": None,
}


def test_the_person_leaving_the_enterprise_ends_the_accompaniment(
    parser: SpiffBpmnParser, traveller: time_machine.Traveller
) -> None:
    start = {"regione": None, "stato_caso": "IN_ATTUAZIONE", "storico_stati": []}
    case = Case(parser, traveller, "attuazione_startup", start)
    assert case.ready() == []
    case.message("impresa_collegata", LINKED)
    case.message("impresa_costituita", {"impresa_id": 7, "data_costituzione": "2026-03-01"})
    case.month("Sub_mese_startup_task", registro={"beneficiario_uscito": True, "motivo_uscita_impresa": "DIMISSIONI"})
    data = case.data()
    assert data["esito_attuazione"] == "ABBANDONO" and data["forma_giuridica"] == "COOP_SOCIALE_B"


def test_case_survives_serialization_inside_the_monthly_cycle(
    parser: SpiffBpmnParser, traveller: time_machine.Traveller
) -> None:
    ser = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    case = percorso(parser, traveller, "IDONEO_LAVORO")
    case.progettazione_a()
    case.do("Task_convenzione")
    case.do("Task_comunicazione")
    case.month()
    case.advance(MESE + 1)
    engine = case.wf.script_engine
    case.wf = ser.deserialize_json(ser.serialize_json(case.wf))
    case.wf.script_engine = engine  # the engine is not serialized (docs/spiffworkflow.md §4)
    case.do("Sub_mese_tirocinio_task")
    case.do("Task_mensile")
    case.month()
    assert case.count("Task_revisione") == 1, "month 3 review: the month counter survived the round trip"
    case.do("Task_esito")
    case.follow_ups()
    assert case.data()["mesi_svolti"] == 3
