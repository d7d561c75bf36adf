"""The preliminary assessment (F2 ``f2_analisi_preliminare``) no longer asks the age: when the
task is completed the engine computes it from the person record's birth date on the completion
day and puts it into the answer (``eta``, which the decision tables read). The birth date never
reaches an event; a record without one refuses the answer with an Italian message (422), never
a crash; the minor-in-family-difficulty flag is checked against the computed age; cases whose
answer still carries a typed age replay and rebuild as before. On SQLite and on PostgreSQL
(TEST_DATABASE_URL)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest
from marshmallow import fields

from engine import Actor, errors
from engine.application import Engine
from engine.clock import FixedClock
from engine.model import EventKind
from engine.policy import CLI_OPERATOR
from forms import FORMS
from forms.f2_valutazione import AnalisiPreliminareForm
from tests.fixtures.diagrams import linear
from tests.unit.test_forms_f1_f2 import VALID

SOCIAL = Actor("anna", frozenset({"assistente_sociale"}), frozenset({"T1"}), frozenset({("assistente_sociale", "T1")}))
COORD = Actor("carla", frozenset({"coordinatore"}), frozenset({"T1"}), frozenset({("coordinatore", "T1")}))
AUDITOR = Actor("revisore", frozenset({"auditor"}))
ANSWER = copy.deepcopy(VALID["f2_analisi_preliminare"])
FORM = "f2_analisi_preliminare"


@pytest.fixture
def assessment(deploy: Callable[..., None]) -> None:
    diagram = linear("analisi", 1, ("assistente_sociale",)).replace(b"generico_conferma", FORM.encode())
    deploy(("analisi.bpmn", diagram))


def referred(engine: Engine, person: dict[str, str] | None) -> int:
    case_id = engine.cases.start("analisi", {"territorio": "T1"}, actor=SOCIAL).id
    if person is not None:
        engine.people.record(case_id, {"nome": "Anna", "cognome": "Bianchi", **person}, actor=SOCIAL)
    return case_id


def complete(engine: Engine, case_id: int, **changes: object) -> None:
    [task] = engine.cases.get(case_id, actor=SOCIAL).open_tasks
    engine.tasks.complete(task.id, {**ANSWER, **changes}, actor=SOCIAL)


def completed_answer(engine: Engine, case_id: int) -> dict[str, object]:
    [done] = [e for e in engine.cases.history(case_id, actor=SOCIAL) if e.kind == EventKind.TASK_COMPLETED]
    return done.data


@pytest.mark.usefixtures("assessment")
def test_the_age_is_computed_from_the_birth_date_on_the_completion_day(engine: Engine, clock: FixedClock) -> None:
    case_id = referred(engine, {"data_nascita": "1983-11-18", "sesso": "F"})
    clock.set(clock.now().replace(year=2026, month=11, day=17))  # the day before the 43rd birthday

    complete(engine, case_id)

    assert engine.cases.get(case_id, actor=SOCIAL).data["eta"] == 42
    assert completed_answer(engine, case_id)["eta"] == 42
    events = json.dumps([e.data for e in engine.cases.history(case_id, actor=SOCIAL)])
    assert "1983" not in events  # the birth date never reaches an event
    assert engine.audit.replay(case_id, actor=AUDITOR).faithful
    for facts in engine.reports.read_model(actor=COORD):
        assert engine.reports.rebuilt(facts.case_id, actor=COORD) == facts


@pytest.mark.usefixtures("assessment")
def test_a_typed_age_is_refused(engine: Engine) -> None:
    case_id = referred(engine, {"data_nascita": "1983-11-18"})
    with pytest.raises(errors.InvalidData) as typed:
        complete(engine, case_id, eta=30)
    assert typed.value.messages == {"eta": ["Campo non previsto."]}


@pytest.mark.usefixtures("assessment")
@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (None, "La persona non ha ancora una scheda anagrafica"),
        ({"sesso": "M"}, "La scheda anagrafica della persona non riporta la data di nascita"),
    ],
    ids=["no person record", "no birth date"],
)
def test_without_a_birth_date_the_answer_is_refused_with_an_italian_message(
    engine: Engine, born: dict[str, str] | None, expected: str
) -> None:
    case_id = referred(engine, born)

    with pytest.raises(errors.InvalidData) as refused:
        complete(engine, case_id)

    [message] = refused.value.messages["_schema"]
    assert message.startswith(expected) and message.endswith("scheda anagrafica, poi completa l'attività.")
    view = engine.cases.get(case_id, actor=SOCIAL)
    assert [t.bpmn_id for t in view.open_tasks] == ["Task_1"] and "eta" not in view.data  # nothing kept
    engine.people.record(case_id, {"nome": "Anna", "cognome": "Bianchi", "data_nascita": "1990-02-03"}, actor=SOCIAL)
    complete(engine, case_id)  # once the record holds it, the same answer goes through
    assert engine.cases.get(case_id, actor=SOCIAL).data["eta"] == 35


@pytest.mark.usefixtures("assessment")
@pytest.mark.parametrize(
    ("born", "age", "refused"),
    [("2008-01-05", 18, True), ("2008-01-06", 17, False)],
    ids=["turns 18 on the completion day", "turns 18 the day after"],
)
def test_the_minor_flag_follows_the_age_on_the_completion_day(
    engine: Engine, clock: FixedClock, born: str, age: int, refused: bool
) -> None:
    assert clock.now().date().isoformat() == "2026-01-05"
    case_id = referred(engine, {"data_nascita": born})

    if refused:
        with pytest.raises(errors.InvalidData) as err:
            complete(engine, case_id, minore_in_difficolta_familiare=True)
        assert err.value.messages == {
            "minore_in_difficolta_familiare": [
                "Applicabile solo a minori di 18 anni: secondo la data di nascita della scheda anagrafica "
                "la persona ne ha 18."
            ]
        }
        complete(engine, case_id)  # without the flag the adult is assessed
    else:
        complete(engine, case_id, minore_in_difficolta_familiare=True)
    data = engine.cases.get(case_id, actor=SOCIAL).data
    assert data["eta"] == age and data["minore_in_difficolta_familiare"] is not refused


class TypedAgeForm(AnalisiPreliminareForm):
    """The assessment form as it was: the social worker typed the age."""

    from_person = ()
    derived = ()
    person_required = ()
    eta = fields.Integer(required=True)


@pytest.mark.usefixtures("assessment")
def test_cases_whose_answer_carries_a_typed_age_still_replay_and_rebuild(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = referred(engine, None)  # then, no person record was needed
    with monkeypatch.context() as then:
        then.setitem(FORMS, FORM, TypedAgeForm)
        complete(engine, old, eta=41)
    new = referred(engine, {"data_nascita": "1990-02-03"})
    complete(engine, new)

    assert completed_answer(engine, old)["eta"] == 41  # as typed, kept
    assert engine.cases.get(new, actor=SOCIAL).data["eta"] == 35
    for case_id in (old, new):
        result = engine.audit.replay(case_id, actor=AUDITOR, from_start=True)
        assert result.faithful and result.final == engine.cases.get(case_id, actor=AUDITOR).data
    for facts in engine.reports.read_model(actor=COORD):
        assert engine.reports.rebuilt(facts.case_id, actor=COORD) == facts
    assert engine.audit.verify(actor=CLI_OPERATOR).ok
