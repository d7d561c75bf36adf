"""The ESF+ entry form takes the birth date and gender from the person record, never typed twice:
the engine adds the age group at entry and the gender to the answer, so the read model, the ESF+
report, the participants' file and the replay have them while the birth date stays sealed in the
person record (never in an event). On SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest

from engine import Actor, errors
from engine.application import Engine
from engine.model import ReportTable
from tests.fixtures.diagrams import linear
from tests.unit.test_forms_f3_f5 import VALID


def grant(role: str, name: str, territory: str = "T1") -> Actor:
    return Actor(name, frozenset({role}), frozenset({territory}), frozenset({(role, territory)}))


SOCIAL = grant("assistente_sociale", "anna")
COORD = grant("coordinatore", "carla")
EVALUATOR = grant("valutatore", "vale")
BORN = "1983-11-18"  # 36 at entry on 20/01/2026 (the sample's data_ingresso): 30–54
ENTRY = copy.deepcopy(VALID["f5_scheda_ingresso"])


@pytest.fixture
def esf(deploy: Callable[..., None]) -> None:
    diagram = linear("ingresso", 1, ("assistente_sociale",)).replace(b"generico_conferma", b"f5_scheda_ingresso")
    deploy(("ingresso.bpmn", diagram))


def referred(engine: Engine, person: dict[str, str] | None) -> int:
    # a beneficiary path (a case state): the reports count it
    case_id = engine.cases.start("ingresso", {"territorio": "T1", "stato_caso": "IN_ATTUAZIONE"}, actor=SOCIAL).id
    if person is not None:
        engine.people.record(case_id, {"nome": "Anna", "cognome": "Bianchi", **person}, actor=SOCIAL)
    return case_id


def complete_entry(engine: Engine, case_id: int, **changes: object) -> None:
    [task] = engine.cases.get(case_id, actor=SOCIAL).open_tasks
    engine.tasks.complete(task.id, {**ENTRY, **changes}, actor=SOCIAL)


def cells(table: ReportTable) -> dict[str, tuple[int | float | None, ...]]:
    return {r.key: tuple(c.value for c in r.cells) for r in table.rows}


@pytest.mark.usefixtures("esf")
def test_an_entry_without_a_typed_birth_date_gets_its_age_group_and_gender_in_the_esf_report(engine: Engine) -> None:
    women = [referred(engine, {"data_nascita": BORN, "sesso": "F"}) for _ in range(5)]
    for case_id in women:
        complete_entry(engine, case_id)

    data = engine.cases.get(women[0], actor=SOCIAL).data
    assert data["fascia_eta"] == "30-54" and data["genere"] == "F" and "data_nascita" not in data
    events = json.dumps([e.data for e in engine.cases.history(women[0], actor=SOCIAL)])
    assert BORN not in events and "1983" not in events  # the birth date never reaches an event

    report = engine.reports.report("esf", actor=EVALUATOR, period="2026")
    ages = cells(next(t for t in report.tables if t.key == "eta"))
    assert ages["30-54"] == (5, 5, 0, 0) and ages["18-29"] == (0, 0, 0, 0)  # total, women, men, other
    file = engine.reports.participants(actor=EVALUATOR, period="2026", territory="T1")
    column = file.columns.index
    assert {(r[column("Genere")], r[column("Fascia d'età")]) for r in file.rows} == {("Donne", "30–54 anni")}
    # the read model is what a rebuild from the events gives, and the replay is faithful
    for facts in engine.reports.read_model(actor=COORD):
        assert facts.age_band == "30-54" and facts.gender == "F"
        assert engine.reports.rebuilt(facts.case_id, actor=COORD) == facts
    assert engine.audit.replay(women[0], actor=COORD).faithful


@pytest.mark.usefixtures("esf")
def test_the_age_rules_of_the_entry_form_use_the_person_record(engine: Engine) -> None:
    young = referred(engine, {"data_nascita": "2002-01-21", "sesso": "M"})  # 23 at entry

    with pytest.raises(errors.InvalidData) as refused:
        complete_entry(engine, young, condizione_occupazionale="DISOCCUPATO", mesi_disoccupazione=7)
    assert "sotto i 25 anni" in refused.value.messages["condizione_occupazionale"][0]
    with pytest.raises(errors.InvalidData) as typed:
        complete_entry(engine, young, data_nascita="2002-01-21")
    assert typed.value.messages == {"data_nascita": ["Campo non previsto."]}

    complete_entry(engine, young, condizione_occupazionale="DISOCCUPATO_LUNGA_DURATA", mesi_disoccupazione=7)
    data = engine.cases.get(young, actor=SOCIAL).data
    assert data["fascia_eta"] == "18-29" and data["genere"] == "M"


@pytest.mark.usefixtures("esf")
def test_without_a_birth_date_on_record_the_entry_is_kept_and_counted_as_not_recorded(engine: Engine) -> None:
    nobody = referred(engine, None)
    no_birth = referred(engine, {"sesso": "F"})

    complete_entry(engine, nobody)
    complete_entry(engine, no_birth)

    assert {"fascia_eta", "genere"}.isdisjoint(engine.cases.get(nobody, actor=SOCIAL).data)
    data = engine.cases.get(no_birth, actor=SOCIAL).data
    assert "fascia_eta" not in data and data["genere"] == "F"
    assert {f.age_band for f in engine.reports.read_model(actor=COORD)} == {None}
