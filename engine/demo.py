"""Demo data for ``make run``: one user per role in a demo territory, the library deployed, an
active partnership and a few cases at different phases. Idempotent: a second run changes nothing.

The partnership is made active by walking the real F1 diagram (``accordo_partenariato``) to its
end, as the demo users would; the beneficiary cases are driven through the real diagrams with
valid form data up to the phase they should show. Every step goes through the public engine
API, acting as the demo user that holds the task's role. A demo case is found again by its
pseudonym (or title) and only its missing steps are done, so an interrupted seed resumes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine import Engine
from engine.errors import EngineError, InvalidProcess
from engine.model import Actor, TaskView, json_object
from engine.policy import DEMO

TERRITORY = "ATS-Demo"
DEMO_PASSWORD = "demo-impresa"
# The seed acts as the demo system actor, which the policy grants by name (engine.policy.DEMO).
OPERATOR = DEMO

# username → (display name, role, territory; "" = every territory)
DEMO_USERS: dict[str, tuple[str, str, str]] = {
    "coordinatore": ("Carla Coordinatrice", "coordinatore", ""),
    "assistente": ("Anna Assistente Sociale", "assistente_sociale", TERRITORY),
    "cpi": ("Paolo Operatore CPI", "operatore_cpi", TERRITORY),
    "equipe": ("Elena Équipe", "equipe_multidisciplinare", TERRITORY),
    "sanitario": ("Sara Referente ASL", "referente_sanitario", TERRITORY),
    "giustizia": ("Giorgio Referente UEPE", "referente_giustizia", TERRITORY),
    "tutor": ("Tommaso Tutor Aziendale", "tutor_aziendale", TERRITORY),
    "partner": ("Piera Referente Ente Partner", "referente_ente_partner", TERRITORY),
    "regia": ("Rita Cabina di Regia", "cabina_di_regia", ""),
    "valutatore": ("Valerio Valutatore", "valutatore", ""),
    "progettista": ("Dario Progettista", "progettista", ""),
    "auditor": ("Aldo Revisore", "auditor", ""),
}

F1 = "accordo_partenariato"
PERCORSO = "percorso_beneficiario"
MAX_STEPS = 200  # a plan that never stops (a diagram loop) must not hang the seed

# A step's data: fixed, or computed from the open task (multi-instance items).
Payload = Mapping[str, Any] | Callable[[TaskView], Mapping[str, Any]]


@dataclass(frozen=True)
class DemoCase:
    """A case to have in the demo: started with ``start`` and walked through ``steps``.

    ``steps`` maps the bpmn id of a human task to the data that completes it; the walk completes
    open tasks found in it and stops when none is left, so the case waits at the first task
    that is not in it.
    """

    key: str  # the pseudonym (beneficiary cases) or the title (F1) that identifies the case
    process_id: str
    phase: str  # what the demo shows, for the seed's report
    start: dict[str, Any]
    steps: dict[str, Payload] = field(default_factory=dict)
    # the beneficiary's identity, recorded at referral (the assessment takes the age from it)
    person: Mapping[str, str] | None = None


def seed(engine: Engine) -> list[str]:
    """Create what is missing; returns a line per thing created."""
    done: list[str] = []
    existing = {u.username for u in engine.users.all(actor=OPERATOR)}
    for username, (name, role, territory) in DEMO_USERS.items():
        if username not in existing:
            engine.users.add(username, name, [(role, territory)], DEMO_PASSWORD, actor=OPERATOR)
            done.append(f"user {username} ({role})")
    done += _seed_registry(engine)
    try:
        for view, new in engine.design.deploy(actor=OPERATOR, note="demo"):
            if new:
                done.append(f"process {view.process_id} v{view.version}")
    except InvalidProcess as err:
        done.append(f"library not deployed: {err.message}")
        return done
    try:
        done += _seed_enterprise(engine)
    except EngineError as err:
        done.append(f"demo enterprise not seeded: {err.message}")
    today = engine.now().date()
    for demo in demo_cases(today):
        try:
            done.extend(_seed_case(engine, demo))
        except EngineError as err:
            # The app must still start: report the case and go on with the others.
            done.append(f"demo case {demo.key} not seeded: {err.message}")
    return done


# The demo territory's network: code → (name, kind, member usernames, protocol kind, scope)
DEMO_ORGANISATIONS: dict[str, tuple[str, str, tuple[str, ...], str, str]] = {
    "ATS_DEMO": (
        "Ambito Territoriale Sociale Demo",
        "servizio_sociale",
        ("assistente", "partner"),  # the demo partner referent answers the agreement for each partner
        "accordo_partenariato",
        "Presa in carico congiunta e invii al programma",
    ),
    "CPI_DEMO": (
        "Centro per l'Impiego Demo",
        "centro_impiego",
        ("cpi", "partner"),  # the demo partner referent answers the agreement for each partner
        "accordo_partenariato",
        "DID, profilazione, patti di servizio, collocamento mirato",
    ),
    "ASL_DEMO": (
        "ASL Demo – DSM e SerD",
        "servizio_sanitario",
        ("sanitario",),
        "protocollo_intesa",
        "Certificazioni di presa in carico, équipe multidisciplinare",
    ),
    "UEPE_DEMO": (
        "UEPE Demo",
        "giustizia",
        ("giustizia",),
        "protocollo_intesa",
        "Attestazioni per persone in misura alternativa",
    ),
    "COOP_PONTE": (
        "Cooperativa sociale di tipo B Il Ponte",
        "terzo_settore",
        ("partner",),
        "convenzione",
        "Tirocini di inclusione e inserimenti lavorativi (L. 381/1991)",
    ),
    "FALEGNAMERIA_ROSSI": (
        "Falegnameria Rossi srl – impresa mentor",
        "impresa_mentor",
        ("tutor",),
        "lettera_impegno",
        "Tutoraggio aziendale e mentoring di start-up",
    ),
}
# The team a demo beneficiary case gets when it starts: relation → organisation of the network.
DEMO_TEAM: dict[str, str] = {
    "cpi": "CPI_DEMO",
    "sanitario": "ASL_DEMO",
    "giustizia": "UEPE_DEMO",
    "ospitante": "FALEGNAMERIA_ROSSI",
    "partner": "COOP_PONTE",
}


def _seed_registry(engine: Engine) -> list[str]:
    done: list[str] = []
    known = {o.code for o in engine.registry.organisations(actor=OPERATOR)}
    start = engine.now().date()
    for code, (name, kind, members, protocol, scope) in DEMO_ORGANISATIONS.items():
        if code in known:
            continue
        engine.registry.add_organisation(code, name, kind, TERRITORY, actor=OPERATOR)
        for username in members:
            engine.registry.add_member(code, username, actor=OPERATOR)
        protocol_id = engine.registry.add_protocol(
            code,
            protocol,
            scope,
            start.isoformat(),
            actor=OPERATOR,
            expires_on=start.replace(year=start.year + 3).isoformat(),
            withdrawal_notice_days=90,
        )
        number = f"DEMO-PROT-{start.year}-{len(done) + 1}"
        engine.registry.sign_protocol(protocol_id, number, start.isoformat(), [(code, members[0])], actor=OPERATOR)
        engine.registry.activate_protocol(protocol_id, actor=OPERATOR)
        done.append(f"organisation {code}")
    return done


DEMO_ENTERPRISE = "Borgo Vivo Cooperativa Sociale"


def _seed_enterprise(engine: Engine) -> list[str]:
    """A cooperativa sociale B just created in the demo territory: its case waits for the deed;
    the mentoring company, two community members and a first roster (one disadvantaged worker
    with PA evidence, two others: 1 ≥ 30 % of 2) are linked."""
    if any(e.denominazione == DEMO_ENTERPRISE for e in engine.enterprises.list(actor=OPERATOR)):
        return []
    created = engine.enterprises.create(
        TERRITORY, DEMO_ENTERPRISE, "COOP_SOCIALE_B", "Marche", "Arcevia, piazza Garibaldi 1", actor=OPERATOR
    )
    day = engine.now().date().isoformat()
    link = engine.enterprises.link
    link(created.id, "IMPRESA_MENTOR", organisation="FALEGNAMERIA_ROSSI", actor=OPERATOR)
    link(created.id, "SOCIO_COMUNITA", nominativo="Pro Loco di Arcevia", actor=OPERATOR)
    link(created.id, "SOCIO_COMUNITA", nominativo="Associazione Borgo Antico", actor=OPERATOR)
    for name, categories in (("Lavoratore A", ["MISURA_ALTERNATIVA"]), ("Lavoratore B", []), ("Lavoratore C", [])):
        link(
            created.id,
            "LAVORATORE",
            nominativo=name,
            categorie=categories,
            evidenza_pa=bool(categories),
            data_assunzione=day,
            actor=OPERATOR,
        )
    return [f"enterprise {DEMO_ENTERPRISE}"]


def _seed_case(engine: Engine, demo: DemoCase) -> list[str]:
    done: list[str] = []
    case_id = _find(engine, demo)
    if case_id is None:
        coordinator = engine.users.get("coordinatore", actor=OPERATOR)
        case_id = engine.cases.start(demo.process_id, demo.start, actor=coordinator).id
        done.append(f"case {case_id} {demo.process_id} {demo.key} ({demo.phase})")
        if demo.process_id == PERCORSO:
            # the demo social worker is the case manager; the network's services are in charge
            engine.teams.add(case_id, "responsabile", username="assistente", actor=DEMO)
            for relation, code in DEMO_TEAM.items():
                engine.teams.add(case_id, relation, organisation=code, actor=DEMO)
        if demo.person is not None:
            engine.people.record(case_id, demo.person, actor=DEMO)
    steps = 0
    while steps < MAX_STEPS:
        view = engine.cases.get(case_id, actor=DEMO)
        todo = [t for t in view.open_tasks if t.bpmn_id in demo.steps]
        if not todo:
            break
        # parallel tasks share their creation time: take them in one fixed order, run after run
        task = min(todo, key=lambda t: (t.created_at, t.bpmn_id, json.dumps(t.context, sort_keys=True, default=str)))
        payload = demo.steps[task.bpmn_id]
        data = dict(payload(task) if callable(payload) else payload)
        if demo.person is not None and _needs_person(engine, task, case_id):
            # a seed interrupted between the referral and the identity: recorded now
            engine.people.record(case_id, demo.person, actor=DEMO)
        engine.tasks.complete(task.id, data, actor=_actor_for(engine, task.role))
        steps += 1
    if steps and not done:
        done.append(f"case {case_id} {demo.process_id} {demo.key}: {steps} step(s) resumed ({demo.phase})")
    return done


def _needs_person(engine: Engine, task: TaskView, case_id: int) -> bool:
    """Whether the task's form cannot do without the person record and the case has none."""
    if not task.form_key or not engine.tasks.form_schema(task.form_key).get("x-person-required"):
        return False
    return engine.people.of_case(case_id, actor=DEMO, purpose="dati dimostrativi") is None


def _find(engine: Engine, demo: DemoCase) -> int | None:
    """The demo case already started, if any (a case list's title search, checked exactly)."""
    for case in engine.cases.list(actor=DEMO, process_id=demo.process_id, territory=TERRITORY, title=demo.key):
        data = engine.cases.get(case.id, actor=DEMO).data
        if demo.key in (data.get("beneficiario_pseudonimo"), data.get("titolo")):
            return case.id
    return None


def _actor_for(engine: Engine, role: str | None) -> Actor:
    for username, (_name, user_role, _territory) in DEMO_USERS.items():
        if user_role == role:
            return engine.users.get(username, actor=OPERATOR)
    raise EngineError(f"no demo user holds the role {role!r}")


# --- the demo cases and their form data ---------------------------------------------------------

# The demo beneficiaries' identities (invented; codici fiscali consistent with birth date and sex,
# municipality Ancona), recorded at referral: the preliminary assessment takes the age from the
# birth date, the ESF+ entry sheet the age group and the gender. Ages between 25 and 49 for years
# to come, the band the assessment's answers below stand for.
DEMO_PEOPLE: dict[str, Mapping[str, str]] = {
    key: {
        "nome": nome,
        "cognome": cognome,
        "codice_fiscale": cf,
        "data_nascita": born,
        "sesso": sex,
        "comune": "Ancona",
    }
    for key, nome, cognome, cf, born, sex in (
        ("DEMO-001", "Marco", "Rossi", "RSSMRC88C14A271K", "1988-03-14", "M"),
        ("DEMO-002", "Laura", "Bianchi", "BNCLRA90P42A271E", "1990-09-02", "F"),
        ("DEMO-003", "Luca", "Esposito", "SPSLCU85T21A271X", "1985-12-21", "M"),
        ("DEMO-004", "Sara", "Ricci", "RCCSRA92E70A271P", "1992-05-30", "F"),
    )
}


def demo_cases(today: dt.date) -> list[DemoCase]:
    """The partnership first (beneficiary cases need it), then one case per phase."""

    def day(offset: int) -> str:
        return (today + dt.timedelta(days=offset)).isoformat()

    f1 = _f1_steps(day)
    f2_intake = _f2_intake_steps(day)
    f2_rest = _f2_assessment_steps(day)
    f3 = _f3_steps(day)

    def percorso(key: str) -> dict[str, Any]:
        return {"territorio": TERRITORY, "beneficiario_pseudonimo": key}

    return [
        DemoCase(
            f"Partenariato {TERRITORY}",
            F1,
            "partenariato attivo",
            {"territorio": TERRITORY, "titolo": f"Partenariato {TERRITORY}"},
            f1,
        ),
        DemoCase(
            "DEMO-001",
            PERCORSO,
            "F2: segnalazione da registrare",
            percorso("DEMO-001"),
            person=DEMO_PEOPLE["DEMO-001"],
        ),
        DemoCase(
            "DEMO-002",
            PERCORSO,
            "F2: valutazione multidimensionale in corso",
            percorso("DEMO-002"),
            # The health certification is needed too: the social worker, the job centre and the
            # health referent each have a task of the parallel assessment.
            _f2_intake_steps(day, certificazione_sanitaria=True),
            DEMO_PEOPLE["DEMO-002"],
        ),
        DemoCase(
            "DEMO-003",
            PERCORSO,
            "F3: progettazione, scelta dello strumento",
            percorso("DEMO-003"),
            {
                **f2_intake,
                **f2_rest,
                "Task_scheda_ingresso": _scheda_ingresso(day),
                "Task_progetto": f3["Task_progetto"],
            },
            DEMO_PEOPLE["DEMO-003"],
        ),
        DemoCase(
            "DEMO-004",
            PERCORSO,
            "F4: attuazione, convenzione di tirocinio da firmare",
            percorso("DEMO-004"),
            {**f2_intake, **f2_rest, "Task_scheda_ingresso": _scheda_ingresso(day), **f3},
            DEMO_PEOPLE["DEMO-004"],
        ),
    ]


def _f1_steps(day: Callable[[int], str]) -> dict[str, Payload]:
    # the partners are the registry's organisations (DEMO_ORGANISATIONS): the signed agreement
    # becomes a signed protocol among them
    partner = [
        {
            "codice": "ATS_DEMO",
            "nome": "Ambito Territoriale Sociale Demo",
            "tipo_ente": "COMUNE_ATS",
            "essenziale": True,
            "strumento": "ACCORDO_TRA_PA",
        },
        {
            "codice": "CPI_DEMO",
            "nome": "Centro per l'Impiego Demo",
            "tipo_ente": "CPI",
            "essenziale": True,
            "strumento": "ACCORDO_TRA_PA",
        },
        {
            "codice": "COOP_PONTE",
            "nome": "Cooperativa sociale di tipo B Il Ponte",
            "tipo_ente": "ETS",
            "essenziale": False,
            "strumento": "CONVENZIONE_CTS",
        },
    ]
    contatti = {
        "data_avvio_contatti": day(-80),
        "data_chiusura_contatti": day(-70),
        "enti_contattati": 5,
        "enti_disponibili": 3,
    }

    def risposta(task: TaskView) -> dict[str, Any]:
        # A UI fills the partner code from the instance's item; the referent joins.
        item = json_object(task.context["item"])
        return {
            "codice_partner": item["codice"],
            "esito_adesione": "ADERISCE",
            "nome_referente": "Referente " + str(item["nome"]),
            "data_risposta": day(-40),
        }

    def approvazione(task: TaskView) -> dict[str, Any]:
        # each partner approves the text by its own act; its first member signs for it
        code = str(json_object(task.context["item"])["codice"])
        return {
            "codice_partner": code,
            "tipo_atto": "DETERMINA_DIRIGENZIALE",
            "numero_atto": f"DEMO-ATTO-{code}",
            "data_atto": day(-35),
            "firmatario": DEMO_ORGANISATIONS[code][2][0],
        }

    return {
        "UT_analisi_contesto": {
            "data_analisi": day(-90),
            "ambito_territoriale": "Ambito territoriale sociale Demo",
            "indicatori_territoriali": "Disoccupazione 9%, due cooperative B, un CPI, forte bisogno di servizi",
            "partner": partner,
        },
        "UT_contatti_pa": contatti,
        "UT_contatti_privati": contatti,
        "UT_co_programmazione": {
            "procedura": "TAVOLO_CONCERTAZIONE",
            "numero_sessioni": 2,
            "data_ultima_sessione": day(-60),
            "protocollo_verbali": "DEMO-VERB-1",
            "documento_sintesi": "Priorità: inserimento lavorativo e avvio di una cooperativa di comunità",
        },
        "UT_bozza_accordo": {
            "versione_bozza": 1,
            "data_bozza": day(-50),
            "strumento": "PROTOCOLLO_INTESA",
            "oggetto": "Percorsi di inserimento lavorativo e avvio di imprese sociali",
            "durata_mesi": 36,
            "canale_invio": "PIATTAFORMA",
            "sla_presa_in_carico_giorni": 15,
            "ruolo_privacy": "CONTITOLARITA_ART26",
            "allegato_privacy": True,
            "clausola_recesso": True,
        },
        "UT_risposta_partner": risposta,
        "UT_approvazione_interna": approvazione,
        "UT_firma_accordo": {
            "approvazioni_interne_acquisite": True,
            "data_firma": day(-30),
            "tipo_firma": "PADES",
            "numero_protocollo": "DEMO-PG-2026-1",
            "data_decorrenza": day(-30),
            "data_scadenza": day(3 * 365),
        },
        "UT_costituzione_cabina": {
            "data_insediamento": day(-25),
            "numero_verbale_insediamento": "DEMO-CR-1",
            "referenti": [
                {"codice_ente": "ATS_DEMO", "nome_referente": "Carla Coordinatrice", "email": "carla@example.org"}
            ],
            "periodicita_riunioni": "TRIMESTRALE",
        },
    }


def _f2_intake_steps(day: Callable[[int], str], *, certificazione_sanitaria: bool = False) -> dict[str, Payload]:
    return {
        "UT_segnalazione": {
            "data_segnalazione": day(-20),
            "servizio_inviante": "SERVIZIO_SOCIALE",
            "referente_inviante": "Anna Assistente Sociale",
            "motivo_invio": "RICERCA_LAVORO",
            "categoria_presunta": "SVANT_651",
            "urgenza": "ORDINARIA",
        },
        "UT_informativa": {
            "tipo_informativa": "ART13",
            "versione_informativa": "v1.0",
            "data_consegna": day(-19),
            "firmatario": "INTERESSATO",
            "condivisione_ospite_privato": True,
            "consenso_condivisione_ospite": True,
            "consenso_follow_up": True,
        },
        "UT_verifica_documenti": {
            "data_verifica": day(-18),
            "documentazione_completa": True,
            "certificazione_sanitaria_necessaria": certificazione_sanitaria,
            "attestazione_giustizia_necessaria": False,
        },
    }


def _f2_assessment_steps(day: Callable[[int], str]) -> dict[str, Payload]:
    return {
        "UT_analisi_preliminare": {
            "data_analisi": day(-15),
            "orientamento_percorso": "LAVORO",
            "autonomia_lavorativa": "ADEGUATA",
            "caso_complesso": False,
        },
        "UT_did_psp": {
            "data_did": day(-16),
            "contratto_6m_ultimi_6_mesi": False,
            "contratto_6m_ultimi_12_mesi": True,
            "contratto_6m_ultimi_24_mesi": True,
            "titolo_isced3": True,
            "classe_profilazione": "ALTA",
            "psp_sottoscritto": True,
            "data_psp": day(-14),
            "operatore_responsabile": "Paolo Operatore CPI",
        },
        "UT_conferma_esito": {"decisione_operatore": "CONFERMA", "data_conferma": day(-12)},
        "UT_comunicazione_esito": {
            "protocollo_scheda_valutazione": "DEMO-PG-2026-7",
            "data_comunicazione_beneficiario": day(-11),
            "data_comunicazione_inviante": day(-11),
            "canale_comunicazione": "COLLOQUIO",
        },
    }


def _scheda_ingresso(day: Callable[[int], str]) -> dict[str, Any]:
    return {
        "data_ingresso": day(-10),
        "condizione_occupazionale": "DISOCCUPATO",
        "mesi_disoccupazione": 10,
        "isced": "ISCED_3_4",
        "disabilita": "NO",
        "cittadinanza": "ITALIANA",
        "origine_straniera": "NO",
        "minoranza": "NON_DICHIARATO",
        "condizione_abitativa_ethos": "NESSUNA",
        "comune_residenza_istat": "042002",
    }


def _f3_steps(day: Callable[[int], str]) -> dict[str, Payload]:
    return {
        "Task_progetto": {
            "obiettivi_smart": "Acquisire competenze di magazzino entro 6 mesi",
            "azioni": "Tirocinio con tutoraggio settimanale",
            "risorse": "Tutor del promotore, job coach",
            "budget_euro": 3600.0,
            "indicatori": "Presenza almeno 70%, valutazione del tutor",
            "impegni_persona": "Frequenza regolare",
            "data_inizio_progetto": day(-8),
            "data_fine_progetto": day(180),
            "date_verifica": [day(90)],
            "consenso_condivisione_ospitante": True,
        },
        "Task_strumento": {
            "strumento": "TIROCINIO_EXTRACURRICOLARE",
            "destinatario_l68": False,
            "incentivi": ["NESSUNO"],
            "motivazione": "Profilo adatto a un tirocinio in magazzino",
        },
        "Task_abbinamento": {
            "esito_abbinamento": "DISPONIBILE",
            "impresa_ospitante": "Logistica Demo srl",
            "tutor_aziendale_nominativo": "Tommaso Tutor Aziendale",
            "analisi_posto_lavoro": "Magazzino, turno diurno, accessibile",
            "accessibilita_verificata": True,
        },
        "Task_adesione": {
            "decisione_beneficiario": "FIRMA",
            "data_firma": day(-2),
            "documenti_firmati": ["PROGETTO_PERSONALIZZATO", "BOZZA_PFI"],
        },
    }
