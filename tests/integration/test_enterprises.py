"""The enterprise record: creation with its own case, partita IVA / ATECO / name checks in Italian,
registrations, links to beneficiary cases, people and the mentoring company, the roster's edges
(double count, future hire, founder of another enterprise), policy, and every command recorded on
the enterprise's case with the roster sent to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import Actor, Engine
from engine.clock import FixedClock
from engine.errors import Forbidden, InvalidData
from engine.model import EventKind
from engine.policy import CLI_OPERATOR
from tests.processes.scenario_data import Scenario, scenario

T = "T1"
COORD = Actor("coord", frozenset({"coordinatore"}), frozenset({T}))
AUDITOR = Actor("rev", frozenset({"auditor"}), frozenset({T}))
VALID_PIVA = "00743110157"  # a real check digit (stdnum's example)


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock, T) as sc:
        sc.open_partnership()
        yield sc


def new(engine: Engine, **over: str) -> int:
    args = {
        "denominazione": "Orti Solidali Cooperativa Sociale",
        "forma_giuridica": "COOP_SOCIALE_B",
        "regione": "Marche",
        "sede": "Ancona, via Roma 1",
    }
    args.update(over)
    return engine.enterprises.create(T, actor=COORD, **args).id  # type: ignore[arg-type]


def messages(err: pytest.ExceptionInfo[InvalidData]) -> dict[str, list[str]]:
    return err.value.messages


def test_an_enterprise_is_a_record_and_a_case_of_its_own(s: Scenario) -> None:
    engine = s.engine
    enterprise_id = new(engine, partita_iva="IT 00743110157", codice_ateco="88.10.00")
    found = engine.enterprises.get(enterprise_id, actor=COORD)
    assert (found.partita_iva, found.codice_ateco, found.forma_giuridica) == (VALID_PIVA, "88.10.00", "COOP_SOCIALE_B")
    case = engine.cases.get(found.case_id, actor=CLI_OPERATOR)
    assert case.process_id == "impresa" and case.title == "Orti Solidali Cooperativa Sociale"
    assert [t.bpmn_id for t in case.open_tasks] == ["Task_costituzione"]
    assert engine.enterprises.of_case(found.case_id, actor=COORD) == found
    kinds = [e.kind for e in engine.cases.history(found.case_id, actor=CLI_OPERATOR)]
    assert kinds == [EventKind.STARTED, EventKind.ENTERPRISE_CHANGED]

    day = s.clock.now().date().isoformat()
    engine.enterprises.add_registration(enterprise_id, "ALBO_COOPERATIVE", "A123456", day, actor=COORD)
    with pytest.raises(InvalidData) as err:
        engine.enterprises.add_registration(enterprise_id, "ALBO_COOPERATIVE", "A1", day, actor=COORD)
    assert messages(err) == {"registro": ["Iscrizione già registrata."]}
    registrations = engine.enterprises.get(enterprise_id, actor=COORD).iscrizioni
    assert [(r.registro, r.numero) for r in registrations] == [("ALBO_COOPERATIVE", "A123456")]
    with pytest.raises(InvalidData) as err:
        engine.enterprises.update_details(enterprise_id, partita_iva="12345678901", sede=" ", actor=COORD)
    assert messages(err) == {
        "partita_iva": ["Partita IVA non valida: 11 cifre con la cifra di controllo corretta."],
        "sede": ["Campo obbligatorio."],
    }
    changed = engine.enterprises.update_details(enterprise_id, codice_ateco="01.13", sede="Jesi", actor=COORD)
    assert (changed.codice_ateco, changed.sede, changed.partita_iva) == ("01.13", "Jesi", VALID_PIVA)
    assert [e.kind for e in engine.cases.history(found.case_id, actor=CLI_OPERATOR)].count(
        EventKind.ENTERPRISE_CHANGED
    ) == 3
    assert engine.audit.verify(actor=CLI_OPERATOR).ok


def test_italian_field_messages_for_bad_records(s: Scenario) -> None:
    engine = s.engine
    with pytest.raises(InvalidData) as err:
        new(engine, partita_iva="00743110158", codice_ateco="8810", forma_giuridica="SPA")
    assert messages(err) == {
        "partita_iva": ["Partita IVA non valida: 11 cifre con la cifra di controllo corretta."],
        "codice_ateco": ["Codice ATECO non valido (es. 88.10.00)."],
        "forma_giuridica": [
            "Forma giuridica sconosciuta; ammesse: Cooperativa sociale di tipo B (L. 381/1991), Impresa sociale in "
            "forma di S.r.l. (D.Lgs. 112/2017), Impresa sociale in forma cooperativa (D.Lgs. 112/2017), "
            "Cooperativa di comunità (legge regionale)."
        ],
    }
    with pytest.raises(InvalidData) as err:
        new(engine, forma_giuridica="IMPRESA_SOCIALE_SRL", denominazione="Orti Solidali S.r.l.")
    assert messages(err) == {"denominazione": ["La denominazione deve contenere «impresa sociale»."]}
    new(engine, partita_iva=VALID_PIVA)
    with pytest.raises(InvalidData) as err:
        new(engine, partita_iva=VALID_PIVA, denominazione="Altra Cooperativa Sociale")
    assert messages(err) == {"partita_iva": ["Partita IVA già registrata."]}
    assert len(engine.enterprises.list(actor=COORD)) == 1  # the refused one left no case, no record
    assert len(engine.cases.list(process_id="impresa", actor=CLI_OPERATOR)) == 1


def test_links_roster_edges_and_the_roster_sent_to_the_case(s: Scenario) -> None:
    engine = s.engine
    enterprise_id = new(engine)
    other_id = new(engine, denominazione="Borgo Vivo Cooperativa Sociale")
    founder = s.start_percorso("BEN-F1")
    today = s.clock.now().date().isoformat()

    engine.enterprises.link(
        enterprise_id,
        "SOCIO_LAVORATORE",
        case_id=founder,
        categorie=["TOSSICODIPENDENTE"],
        evidenza_pa=True,
        data_assunzione=today,
        actor=COORD,
    )
    engine.enterprises.link(enterprise_id, "SOCIO_COMUNITA", nominativo="Pro Loco di Arcevia", actor=COORD)
    engine.enterprises.link(enterprise_id, "LAVORATORE", nominativo="Mario Bianchi", data_assunzione=today, actor=COORD)

    # a roster that double-counts a person, a hire in the future, a founder of another enterprise
    with pytest.raises(InvalidData) as err:
        engine.enterprises.link(enterprise_id, "LAVORATORE", case_id=founder, data_assunzione=today, actor=COORD)
    assert messages(err) == {"case_id": ["La persona è già nell'organico dell'impresa."]}
    with pytest.raises(InvalidData) as err:
        engine.enterprises.link(
            enterprise_id, "LAVORATORE", nominativo="mario bianchi", data_assunzione=today, actor=COORD
        )
    assert messages(err) == {"nominativo": ["La persona è già nell'organico dell'impresa."]}
    with pytest.raises(InvalidData) as err:
        engine.enterprises.link(
            enterprise_id, "LAVORATORE", nominativo="Anna", data_assunzione="2099-01-01", actor=COORD
        )
    assert messages(err) == {"data_assunzione": ["La data di assunzione non può essere futura."]}
    with pytest.raises(InvalidData) as err:
        engine.enterprises.link(other_id, "FONDATORE", case_id=founder, actor=COORD)
    assert messages(err) == {"ruolo": ["La persona è già socia fondatrice di «Orti Solidali Cooperativa Sociale»."]}
    with pytest.raises(InvalidData) as err:
        engine.enterprises.link(enterprise_id, "LAVORATORE", nominativo="X", categorie=["BOH"], actor=COORD)
    assert messages(err) == {
        "categorie": ["Categorie sconosciute: BOH."],
        "data_assunzione": ["Campo obbligatorio."],
    }

    found = engine.enterprises.get(enterprise_id, actor=COORD)
    assert [lk.ruolo for lk in found.links] == ["SOCIO_LAVORATORE", "SOCIO_COMUNITA", "LAVORATORE"]
    assert found.links[0].case_title == "BEN-F1"
    [(linked, link)] = engine.enterprises.of_beneficiary(founder, actor=COORD)
    assert (linked.id, link.ruolo) == (enterprise_id, "SOCIO_LAVORATORE")
    # the founder's own case is told, on its own chain, which enterprise it now belongs to
    told = [e.data for e in engine.cases.history(founder, actor=CLI_OPERATOR) if e.kind == EventKind.MESSAGE_SENT]
    assert told == [
        {
            "message": "impresa_collegata",
            "payload": {
                "impresa_id": enterprise_id,
                "impresa_caso_id": found.case_id,
                "denominazione": "Orti Solidali Cooperativa Sociale",
                "forma_giuridica": "COOP_SOCIALE_B",
                "ruolo": "SOCIO_LAVORATORE",
                "data_assunzione": today,
            },
        },
        # an enterprise registered as designed elsewhere: its design is validated, and the path is told
        {
            "message": "impresa_progettata",
            "payload": {
                "impresa_id": enterprise_id,
                "impresa_caso_id": found.case_id,
                "denominazione": "Orti Solidali Cooperativa Sociale",
                "forma_giuridica": "COOP_SOCIALE_B",
                "esito": "VALIDATA",
            },
        },
    ]

    # each roster change is recorded on the enterprise's case with the roster (no names) sent to it
    history = engine.cases.history(found.case_id, actor=CLI_OPERATOR)
    sent = [e.data["payload"]["organico"] for e in history if e.kind == EventKind.MESSAGE_SENT]
    assert len(sent) == 2  # the two hires; the community member is not on the roster
    assert sent[-1] == [
        {
            "persona": f"C{founder}",
            "data_assunzione": today,
            "data_cessazione": None,
            "categorie": ["TOSSICODIPENDENTE"],
            "evidenza_pa": True,
            "volontario": False,
        },
        {
            "persona": f"L{found.links[2].id}",
            "data_assunzione": today,
            "data_cessazione": None,
            "categorie": [],
            "evidenza_pa": False,
            "volontario": False,
        },
    ]
    assert "Mario Bianchi" not in str(sent)

    engine.enterprises.end_employment(enterprise_id, found.links[2].id, today, actor=COORD)
    with pytest.raises(InvalidData) as err:
        engine.enterprises.end_employment(enterprise_id, found.links[2].id, today, actor=COORD)
    assert messages(err) == {"data_cessazione": ["Non è un lavoratore in organico."]}
    # a beneficiary hired, leaving and hired again: two links, one on the roster
    worker = s.start_percorso("BEN-W1")
    hired = engine.enterprises.link(enterprise_id, "LAVORATORE", case_id=worker, data_assunzione=today, actor=COORD)
    first = hired.links[-1].id
    engine.enterprises.end_employment(enterprise_id, first, today, actor=COORD)
    again = engine.enterprises.link(enterprise_id, "LAVORATORE", case_id=worker, data_assunzione=today, actor=COORD)
    assert [lk.data_cessazione for lk in again.links if lk.case_id == worker] == [today, None]
    engine.enterprises.unlink(enterprise_id, found.links[1].id, actor=COORD)
    found = engine.enterprises.get(enterprise_id, actor=COORD)
    assert [lk.ruolo for lk in found.links] == ["SOCIO_LAVORATORE", "LAVORATORE", "LAVORATORE", "LAVORATORE"]
    assert found.links[1].data_cessazione == today
    assert engine.audit.verify(actor=CLI_OPERATOR).ok


def test_the_mentoring_company_comes_from_the_registry_and_joins_the_case_team(s: Scenario) -> None:
    engine = s.engine
    enterprise_id = new(engine)
    engine.registry.add_organisation("MENTOR_SRL", "Mentor S.r.l.", "impresa_mentor", T, actor=COORD)
    engine.registry.add_organisation("CPI_T1", "CPI", "centro_impiego", T, actor=COORD)
    with pytest.raises(InvalidData) as err:
        engine.enterprises.link(enterprise_id, "IMPRESA_MENTOR", organisation="CPI_T1", actor=COORD)
    assert messages(err) == {"organisation": ["«CPI» non è un'impresa mentor."]}
    found = engine.enterprises.link(enterprise_id, "IMPRESA_MENTOR", organisation="MENTOR_SRL", actor=COORD)
    assert [(lk.ruolo, lk.organisation_code) for lk in found.links] == [("IMPRESA_MENTOR", "MENTOR_SRL")]
    team = engine.teams.of_case(found.case_id, actor=COORD)
    assert [(m.relation, m.organisation_code) for m in team if m.organisation_code] == [("ospitante", "MENTOR_SRL")]


def test_policy_staff_manage_overview_reads_others_are_refused(s: Scenario) -> None:
    engine = s.engine
    enterprise_id = new(engine)
    assert engine.enterprises.get(enterprise_id, actor=AUDITOR).id == enterprise_id
    with pytest.raises(Forbidden):
        engine.enterprises.add_registration(enterprise_id, "RUNTS", "1", "2020-01-01", actor=AUDITOR)
    tutor = Actor("tutor", frozenset({"tutor_aziendale"}), frozenset({T}))
    with pytest.raises(Forbidden):
        engine.enterprises.get(enterprise_id, actor=tutor)
    assert engine.enterprises.list(actor=tutor) == []
    other = Actor("c2", frozenset({"coordinatore"}), frozenset({"T2"}))
    with pytest.raises(Forbidden):
        engine.enterprises.create(T, "X Cooperativa Sociale", "COOP_SOCIALE_B", "Marche", "Ancona", actor=other)


def test_an_enterprise_case_is_never_started_without_its_record(s: Scenario) -> None:
    with pytest.raises(InvalidData) as err:
        s.engine.cases.start("impresa", {"territorio": T, "forma_giuridica": "COOP_SOCIALE_B"}, actor=COORD)
    assert messages(err) == {
        "process_id": ["Questo caso si apre registrando l'impresa o il protocollo, dalla loro pagina."]
    }
    assert "impresa" not in {p.process_id for p in s.engine.cases.startable(actor=COORD)}
