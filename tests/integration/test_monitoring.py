"""The monitoring read model and the reports on a seeded programme whose figures are worked out by
hand below (small cells included), on SQLite and on PostgreSQL (TEST_DATABASE_URL).

The seed: eighteen people referred in the first half of 2026 in two territories, moved along by
administrative data corrections at the dates the story needs (each one an engine command, so the
read model is written with it and the rebuild replays it).

T1, 12 people referred on 10/01/2026:
- c1–c8 taken in charge on 20/01 (10 days), c9–c12 on 30/01 (20 days); c1–c5 receive ADI/SFL;
- outcome on 20/02 (41 days): c1–c7 ready for work, c8–c9 for an enterprise, c10–c11 not eligible,
  c12 still waiting;
- c1–c7 sign the pact on 15/03 and fill the ESF+ entry form on 20/03 (c1–c4 women, c5–c7 men;
  c1–c5 aged 35, c6–c7 aged 26; c1–c6 long-term unemployed, c7 inactive; c1 with a disability,
  c2 a third-country national); c7 then refuses and leaves;
- c1–c4 start a TIS and c5–c6 an ordinary traineeship on 01/04; c1–c5 are hired, c6 drops out;
  c1–c6 leave on 10/06 (c1–c5 employed, c6 job searching).
T2, 6 people referred on 01/02/2026: taken in charge after 5 days, all ready for work after 28 days,
entry form on 01/03 (all women aged 61, unemployed, living in Arcevia), no pact yet.
Municipalities (DEGURBA, engine/degurba.py): c1–c4 Ancona (city), c5–c6 Jesi (town), c7 a code
not classified, T2 Arcevia (rural).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from engine import Actor, Engine, errors
from engine.cli import main
from engine.clock import FixedClock
from engine.model import Cell, Report, ReportTable
from engine.monitoring import summary_of
from tests.fixtures.diagrams import linear

COORD = Actor("coord", frozenset({"coordinatore"}))
REGIA = Actor("regia", frozenset({"cabina_di_regia"}), frozenset({"T1"}))
EVALUATOR = Actor("valut", frozenset({"valutatore"}))
WORKER = Actor("as", frozenset({"assistente_sociale", "coordinatore"}), frozenset({"T1", "T2"}))
SOCIAL = Actor("as2", frozenset({"assistente_sociale"}), frozenset({"T1"}))
NOW = dt.datetime(2026, 7, 15, 10, tzinfo=dt.UTC)


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=9, tzinfo=dt.UTC)


def _history(*steps: tuple[str, str]) -> list[dict[str, str]]:
    return [{"stato": s, "data": _at(d).isoformat(), "motivo": "PROVA"} for s, d in steps]


def _person(n: int) -> list[tuple[str, dict[str, Any]]]:
    """The dated data corrections that tell person ``n`` of T1's story."""
    story: list[tuple[str, dict[str, Any]]] = [
        ("2026-01-20" if n <= 8 else "2026-01-30", {"data_segnalazione": "2026-01-10", "beneficiario_adi": n <= 5})
    ]
    if n <= 11:
        outcome = "IDONEO_LAVORO" if n <= 7 else "IDONEO_IMPRESA" if n <= 9 else "NON_IDONEO_REQUISITI"
        story.append(("2026-02-20", {"esito": outcome}))
    if n <= 7:
        states = [("SEGNALATO", "2026-01-10"), ("PATTO_SOTTOSCRITTO", "2026-03-15")]
        story.append(("2026-03-15", {"stato_caso": "PATTO_SOTTOSCRITTO", "storico_stati": _history(*states)}))
        story.append(
            (
                "2026-03-20",
                {
                    "data_ingresso": "2026-03-20",
                    "genere": "F" if n <= 4 else "M",
                    "data_nascita": "1990-05-05" if n <= 5 else "2000-01-01",
                    "condizione_occupazionale": "INATTIVO" if n == 7 else "DISOCCUPATO_LUNGA_DURATA",
                    "isced": "ISCED_0_2",
                    "disabilita": "SI" if n == 1 else "NO",
                    "cittadinanza": "EXTRA_UE" if n == 2 else "ITALIANA",
                    "condizione_abitativa_ethos": "NESSUNA",
                    # Ancona (a city), Jesi (a town), a code not in the classification
                    "comune_residenza_istat": "042002" if n <= 4 else "042021" if n <= 6 else "099999",
                },
            )
        )
    if n == 7:
        states = [("SEGNALATO", "2026-01-10"), ("PATTO_SOTTOSCRITTO", "2026-03-15"), ("RINUNCIA", "2026-03-25")]
        story.append(
            (
                "2026-03-25",
                {"stato_caso": "RINUNCIA", "motivo_chiusura": "RINUNCIA", "storico_stati": _history(*states)},
            )
        )
    if n <= 6:
        instrument = "TIS" if n <= 4 else "TIROCINIO_EXTRACURRICOLARE"
        states = [("SEGNALATO", "2026-01-10"), ("PATTO_SOTTOSCRITTO", "2026-03-15"), ("IN_ATTUAZIONE", "2026-04-01")]
        story.append(
            (
                "2026-04-01",
                {
                    "stato_caso": "IN_ATTUAZIONE",
                    "strumento": instrument,
                    "data_avvio": "2026-04-01",
                    "storico_stati": _history(*states),
                },
            )
        )
        result = "ASSUNTO" if n <= 5 else "ABBANDONO"
        story.append(("2026-06-01", {"esito_attuazione": result, "motivo_chiusura": result}))
        story.append(
            (
                "2026-06-10",
                {
                    "data_uscita": "2026-06-10",
                    "eecr01_in_cerca": n == 6,
                    "eecr02_in_formazione": False,
                    "eecr03_qualifica": False,
                    "eecr04_occupato": n <= 5,
                },
            )
        )
    return story


def _t2_person() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("2026-02-06", {"data_segnalazione": "2026-02-01"}),
        ("2026-03-01", {"esito": "IDONEO_LAVORO"}),
        (
            "2026-03-01",
            {
                "data_ingresso": "2026-03-01",
                "genere": "F",
                "data_nascita": "1965-01-01",
                "condizione_occupazionale": "DISOCCUPATO",
                "isced": "ISCED_3_4",
                "disabilita": "NO",
                "cittadinanza": "ITALIANA",
                "condizione_abitativa_ethos": "NESSUNA",
                "comune_residenza_istat": "042003",  # Arcevia: a rural area
            },
        ),
    ]


@pytest.fixture
def programme(engine: Engine, clock: FixedClock, deploy: Callable[..., None]) -> Engine:
    deploy(("percorso_prova.bpmn", linear("percorso_prova", 2, ("assistente_sociale",))))
    stories = [("T1", "2026-01-10", _person(n)) for n in range(1, 13)] + [("T2", "2026-02-01", _t2_person())] * 6
    started: list[tuple[int, list[tuple[str, dict[str, Any]]]]] = []
    for territory, referred, story in stories:
        clock.set(_at(referred))
        data = {"stato_caso": "IN_VALUTAZIONE", "storico_stati": _history(("SEGNALATO", referred)), "titolo": "Caso"}
        case = engine.cases.start("percorso_prova", data, actor=WORKER, territory=territory)
        started.append((case.id, story))
    for case_id, story in started:
        for day, changes in story:
            clock.set(_at(day))
            engine.audit.correct_data(case_id, changes, actor=WORKER, reason="scenario")
    clock.set(NOW)
    return engine


def cells(table: ReportTable) -> dict[str, tuple[int | float | None, ...]]:
    """Row key → its values, None where suppressed."""
    return {r.key: tuple(c.value for c in r.cells) for r in table.rows}


def table(report: Report, key: str) -> ReportTable:
    return next(t for t in report.tables if t.key == key)


def no_small_cell(report: Report, *keys: str) -> None:
    for t in report.tables:
        if t.key in keys:
            for r in t.rows:
                for c in r.cells:
                    assert c.suppressed or not isinstance(c.value, int) or c.value == 0 or c.value >= 5, (t.key, r)


S = None  # a suppressed cell


def test_the_funnel_counts_the_cohort_with_small_cells_suppressed(programme: Engine) -> None:
    report = programme.reports.report("funnel", actor=COORD, period="2026-H1")
    assert report.cases == 18 and report.empty_reason is None
    # beside each figure, the previous half-year's (nobody was referred then)
    assert cells(table(report, "imbuto")) == {
        "segnalati": (18, 0),
        "valutati": (17, 0),
        "idonei": (15, 0),
        "patto": (7, 0),
        "avviati": (6, 0),
        "conclusi": (6, 0),
        "uscita": (6, 0),
        "follow_up_6m": (0, 0),
        "follow_up_12m": (0, 0),
    }
    assert table(report, "imbuto").columns == ("Persone", "Persone – secondo semestre 2025")
    # 13 ready for work; 2 and 2 hidden (two small cells hide each other)
    assert cells(table(report, "esiti")) == {
        "IDONEO_LAVORO": (13,),
        "IDONEO_IMPRESA": (S,),
        "NON_IDONEO_REQUISITI": (S,),
        "totale": (17,),
    }
    assert cells(table(report, "strumenti")) == {"TIS": (S,), "TIROCINIO_EXTRACURRICOLARE": (S,), "totale": (6,)}
    # 5 hired and 1 drop-out: the 1 is hidden, and the 5 with it, or 6 − 5 would give it away
    assert cells(table(report, "esiti_attuazione")) == {"ASSUNTO": (S,), "ABBANDONO": (S,), "totale": (6,)}
    assert cells(table(report, "uscite_anticipate")) == {"RINUNCIA": (S,), "ABBANDONO": (S,), "totale": (S,)}
    no_small_cell(report, *(t.key for t in report.tables))

    t2 = programme.reports.report("funnel", actor=COORD, period="2026", territory="T2")
    assert cells(table(t2, "imbuto"))["segnalati"] == (6, 0) and cells(table(t2, "imbuto"))["patto"] == (0, 0)
    t1 = programme.reports.report("funnel", actor=REGIA, period="2026-Q1")
    assert cells(table(t1, "imbuto"))["segnalati"] == (12, 0) and cells(table(t1, "imbuto"))["valutati"] == (11, 0)
    # the second quarter against the first: nobody referred in it, the twelve of T1 before
    q2 = programme.reports.report("funnel", actor=REGIA, period="2026-Q2")
    assert q2.tables == () and "2º trimestre 2026" in (q2.empty_reason or "")


def test_times_against_the_agreed_and_the_legal_limits(programme: Engine) -> None:
    report = programme.reports.report("sla", actor=COORD, period="2026-H1")
    # columns: limit, with a date, within, beyond, waiting beyond, % within, median, p90
    assert cells(table(report, "tempi")) == {
        # 14 within and 4 beyond 15 days: the 4 is hidden and so is the 14
        "presa_in_carico": (15, 18, S, S, 0, S, 10, 20),
        # 17 within 60 days (11 after 41, 6 after 28); c12 still waits beyond them (1: hidden)
        "esito": (60, 17, 17, 0, S, 100.0, 41, 41),
        # the ADI/SFL people c1–c5, seen after 10 days against the legal 120
        "adi": (120, 5, 5, 0, 0, 100.0, 10, 10),
    }
    # no partnership agreement fixed a time: the programme's defaults, said so in the note
    note = table(report, "tempi").note or ""
    assert "limite predefinito del programma (presa in carico 15 giorni, esito 60 giorni)" in note
    assert "T1 (nessun tempo concordato), T2 (nessun tempo concordato)" in note


def _agree(engine: Engine, deploy: Callable[..., None], territory: str, **times: int) -> None:
    """T's partnership agreement (F1) signed and in force with the given times (days)."""
    deploy(("accordo_partenariato.bpmn", linear("accordo_partenariato", 1, ("coordinatore",))))
    data: dict[str, Any] = {"partenariato_attivo": True, **times}
    case = engine.cases.start("accordo_partenariato", data, actor=WORKER, territory=territory)
    engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=WORKER)


def test_times_against_the_times_agreed_in_the_partnership_in_force(
    programme: Engine, deploy: Callable[..., None]
) -> None:
    # T1's agreement: taken in charge within 9 days, outcome within 40; T2 agreed none (defaults 15, 60)
    _agree(programme, deploy, "T1", sla_presa_in_carico_giorni=9, sla_esito_valutazione_giorni=40)
    report = programme.reports.report("sla", actor=COORD, period="2026-H1")
    assert cells(table(report, "tempi")) == {
        # T1: c1–c8 after 10 days and c9–c12 after 20, all beyond 9; T2: six after 5 days, within 15.
        # 6 within, 12 beyond of 18 (no limit shared by both territories: none shown)
        "presa_in_carico": (None, 18, 6, 12, 0, 33.3, 10, 20),
        # T1: c1–c11 after 41 days, beyond 40; c12 waits since 10/01 (186 days), beyond 40 (1: hidden);
        # T2: six after 28 days, within 60. 6 within, 11 beyond of 17
        "esito": (None, 17, 6, 11, S, 35.3, 41, 41),
        "adi": (120, 5, 5, 0, 0, 100.0, 10, 10),
    }
    note = table(report, "tempi").note or ""
    assert "accordi di partenariato in vigore: T1: presa in carico 9 giorni, esito 40 giorni." in note
    assert "limite predefinito del programma (presa in carico 15 giorni, esito 60 giorni): T2 (nessun" in note
    # T1 alone: both limits its own
    t1 = programme.reports.report("sla", actor=COORD, period="2026-H1", territory="T1")
    assert cells(table(t1, "tempi"))["presa_in_carico"] == (9, 12, 0, 12, 0, 0.0, 10, 20)
    assert cells(table(t1, "tempi"))["esito"] == (40, 11, 0, 11, S, 0.0, 41, 41)
    assert "predefinito" not in (table(t1, "tempi").note or "")


def test_an_agreement_that_fixed_one_time_leaves_the_other_to_the_default(
    programme: Engine, deploy: Callable[..., None]
) -> None:
    _agree(programme, deploy, "T2", sla_esito_valutazione_giorni=20)
    t2 = table(programme.reports.report("sla", actor=COORD, period="2026-H1", territory="T2"), "tempi")
    # presa in carico: the default 15 (six after 5 days, within); esito: the agreed 20 (six after 28, beyond)
    assert cells(t2)["presa_in_carico"] == (15, 6, 6, 0, 0, 100.0, 5, 5)
    assert cells(t2)["esito"] == (20, 6, 0, 6, 0, 0.0, 28, 28)
    assert "T2: esito 20 giorni" in (
        t2.note or ""
    ) and "programma (presa in carico 15 giorni, esito 60 giorni): T2." in (t2.note or "")


def test_esf_indicators_by_gender_age_and_territory(programme: Engine) -> None:
    report = programme.reports.report("esf", actor=EVALUATOR, period="2026-H1")
    eeco = cells(table(report, "eeco"))
    # total, women, men, other
    assert eeco["EECO01"] == (13, S, S, 0)  # 10 women, 3 men: the 3 hidden, the 10 with it
    assert eeco["EECO02"] == (12, S, S, 0)  # 10 and 2
    assert eeco["EECO03"] == (6, S, S, 0)  # 4 and 2
    assert eeco["EECO04"] == (S, 0, S, 0)  # the one inactive man
    assert eeco["EECO06"] == (S, 0, S, 0)
    assert eeco["EECO07"] == (6, 6, 0, 0)
    assert eeco["EECO12"] == (S, S, 0, 0) and eeco["EECO13"] == (S, S, 0, 0)
    assert eeco["EECO17"] == (6, 6, 0, 0)  # T2's six women live in Arcevia
    assert cells(table(report, "urbanizzazione")) == {
        "1": (S, S, 0, 0),  # c1–c4 in Ancona
        "2": (S, 0, S, 0),  # c5–c6 in Jesi
        "3": (6, 6, 0, 0),
        "NC": (S, 0, S, 0),  # c7's municipality is not classified
    }
    assert [r.label for r in table(report, "urbanizzazione").rows][-1] == "Comune non classificato"
    assert cells(table(report, "eta")) == {
        "<18": (0, 0, 0, 0),
        "18-29": (S, 0, S, 0),
        "30-54": (5, S, S, 0),
        "55+": (6, 6, 0, 0),
    }
    assert cells(table(report, "territori")) == {"T1": (7,), "T2": (6,), "totale": (13,)}
    eecr = cells(table(report, "eecr"))
    assert eecr["usciti"] == (6, S, S, 0) and eecr["EECR04"] == (5, S, S, 0) and eecr["EECR01"] == (S, 0, S, 0)
    no_small_cell(report, "eeco", "eecr", "eta", "urbanizzazione", "territori")


def test_open_work_and_quiet_cases(programme: Engine) -> None:
    report = programme.reports.report("wip", actor=COORD, period="2026-H2")
    [row] = table(report, "attivita_aperte").rows
    assert row.label == "Assistente sociale (case manager)"
    assert [c.value for c in row.cells] == [18, 0, 18, (NOW - _at("2026-01-10")).days]
    quiet = table(report, "casi_fermi")
    assert len(quiet.rows) == 18 and quiet.rows[0].cells[0] == Cell((NOW - _at("2026-01-30")).days)


def test_empty_periods_and_territories_give_a_reason_not_an_error(programme: Engine) -> None:
    empty = programme.reports.report("esf", actor=COORD, period="2026-H2")
    assert empty.tables == () and "Secondo semestre 2026" in (empty.empty_reason or "")
    nowhere = programme.reports.report("funnel", actor=COORD, period="2026", territory="T9")
    assert nowhere.tables == () and "T9" in (nowhere.empty_reason or "")


@pytest.mark.parametrize("period", ["2026-H3", "26", "2026-Q5", "2026-07", "", "2027", "2026-Q4"])
def test_a_malformed_or_future_period_names_the_format(programme: Engine, period: str) -> None:
    with pytest.raises(errors.InvalidData) as refused:
        programme.reports.report("funnel", actor=COORD, period=period)
    assert "2026-H2" in refused.value.messages["period"][0]


def test_who_sees_what(programme: Engine) -> None:
    with pytest.raises(errors.Forbidden):
        programme.reports.report("wip", actor=EVALUATOR, period="2026")
    with pytest.raises(errors.Forbidden):
        programme.reports.case_list(actor=EVALUATOR, period="2026")
    with pytest.raises(errors.Forbidden):
        programme.reports.report("funnel", actor=REGIA, period="2026", territory="T2")
    with pytest.raises(errors.Forbidden):
        programme.reports.report("funnel", actor=SOCIAL, period="2026")
    # the cabina di regia of T1 sees T1 only
    assert programme.reports.report("funnel", actor=REGIA, period="2026").cases == 12


def test_exports_are_logged_with_their_filters(programme: Engine) -> None:
    file = programme.reports.participants(actor=EVALUATOR, period="2026-H1", territory="T1")
    assert len(file.rows) == 7 and file.columns[0] == "Pseudonimo"
    assert all(len(str(r[0])) == 20 for r in file.rows) and len({r[0] for r in file.rows}) == 7
    assert {r[file.columns.index("Genere")] for r in file.rows} == {"Donne", "Uomini"}
    log = programme.audit.access_log(actor=COORD)
    purposes = [e.purpose for e in log if e.username == "valut"]
    assert "esportazione partecipanti FSE+: periodo 2026-H1, territorio T1" in purposes
    assert sum(1 for e in log if e.username == "valut" and e.case_id is not None) == 7

    cases = programme.reports.case_list(actor=REGIA, period="2026-H1")
    assert len(cases.rows) == 12
    report = programme.reports.report("sla", actor=REGIA, period="2026-H1")
    programme.reports.log_export(report, "xlsx", actor=REGIA)
    purposes = [e.purpose for e in programme.audit.access_log(actor=COORD) if e.username == "regia"]
    assert "esportazione elenco casi: periodo 2026-H1, territorio tutti" in purposes
    assert "esportazione report sla (xlsx): periodo 2026-H1, territorio tutti" in purposes


def test_the_read_model_equals_a_rebuild_from_the_events(programme: Engine) -> None:
    kept = programme.reports.read_model(actor=COORD)
    assert len(kept) == 18
    for facts in kept:
        assert programme.reports.rebuilt(facts.case_id, actor=COORD) == facts
    counters = programme.reports.summary(actor=COORD)
    assert counters == summary_of(kept) and counters
    result = programme.reports.rebuild(actor=COORD)
    assert result.cases == 18 and result.replayed == 18 and result.kept == ()
    assert programme.reports.read_model(actor=COORD) == kept
    assert programme.reports.summary(actor=COORD) == counters
    kept_tasks, open_tasks = programme.reports.task_counters(actor=COORD)
    assert kept_tasks == open_tasks and sum(open_tasks.values()) == 18


def test_the_command_line_exports_and_rebuilds(
    programme: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("IMPRESA_INSTANCE_DIR", str(tmp_path / "instance"))
    cli = CliRunner()
    done = cli.invoke(main, ["report", "funnel", "--period", "2026-H1", "--format", "csv"])
    assert done.exit_code == 0, done.output
    assert "Dalla segnalazione al follow-up;Persone segnalate;Persone;18" in done.stdout
    assert "Esito dell'attuazione;Assunto;Persone;< 5" in done.stdout

    bad = cli.invoke(main, ["report", "esf", "--period", "2026-H3"])
    assert bad.exit_code == 2 and "2026-H2" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1

    target = tmp_path / "esf.xlsx"
    done = cli.invoke(
        main, ["report", "esf", "--period", "2026-H1", "--territory", "T2", "--format", "xlsx", "-o", str(target)]
    )
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(target)
    rows = [tuple(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert ("EECO01 Partecipanti", 6, 6, 0, 0) in rows and (
        "EECO07 Partecipanti di età superiore a 54 anni",
        6,
        6,
        0,
        0,
    ) in rows

    target = tmp_path / "partecipanti.xlsx"
    done = cli.invoke(
        main, ["report", "participants", "--period", "2026-H1", "--format", "xlsx", "-o", str(target), "--as", "valut"]
    )
    assert done.exit_code == 2 and "valut" in done.stderr  # no such user in this database
    done = cli.invoke(main, ["report", "participants", "--period", "2026-H1", "--format", "xlsx", "-o", str(target)])
    assert done.exit_code == 0, done.output
    sheet = openpyxl.load_workbook(target).worksheets[0]
    header, *people = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("Pseudonimo", "Territorio", "Data di ingresso") and len(people) == 13
    assert {p[2] for p in people} == {dt.datetime(2026, 3, 20), dt.datetime(2026, 3, 1)}

    done = cli.invoke(main, ["report", "rebuild"])
    assert done.exit_code == 0 and "18 of 18 case(s) rebuilt" in done.stdout


def test_bottlenecks_per_element_from_the_inbox_rows(programme: Engine, clock: FixedClock) -> None:
    # the six T2 people finish their first step now, 164 days after it opened (01/02 09:00 → 15/07 10:00)
    for case in programme.cases.list(actor=COORD, territory="T2"):
        [task] = case.open_tasks or programme.cases.get(case.id, actor=COORD).open_tasks
        programme.tasks.complete(task.id, {"conferma": True}, actor=WORKER)
    load = programme.reports.bottlenecks("percorso_prova", actor=COORD, period="2026-H1")
    assert "Task_1" in load.xml
    first = {e.bpmn_id: e for e in load.elements}["Task_1"]
    assert (first.passed, first.now) == (Cell(6), Cell(12))
    assert (first.median_days, first.p90_days) == (Cell(164), Cell(164))
    assert first.overdue_share == Cell(None) and len(first.cases) == 12
    # the second step opened now, in 2026-H2: not in the first half's figures
    assert set({e.bpmn_id for e in load.elements}) == {"Task_1"}
    second = programme.reports.bottlenecks("percorso_prova", actor=EVALUATOR, period="2026-H2")
    [step] = second.elements
    assert step.bpmn_id == "Task_2" and step.now == Cell(6) and step.cases == ()  # aggregates only
    one = programme.reports.bottlenecks("percorso_prova", actor=REGIA, period="2026-H1")
    assert one.elements[0].now == Cell(12) and one.elements[0].passed == Cell(0)
    with pytest.raises(errors.NotFound):
        programme.reports.bottlenecks("nessuno", actor=COORD, period="2026")


def test_start_ups_created_in_the_period_with_their_quota(engine: Engine, clock: FixedClock) -> None:
    from tests.processes.scenario_data import scenario

    coord = Actor("coord", frozenset({"coordinatore"}), frozenset({"T1"}))
    with scenario(engine, clock, "T1") as s:
        s.open_partnership()
        founder = s.start_percorso("BEN-F1")
        today = clock.now().date().isoformat()

        def create(name: str) -> int:
            made = engine.enterprises.create(
                "T1", f"{name} Cooperativa Sociale", "COOP_SOCIALE_B", "Marche", "Ancona, via Roma 1", actor=coord
            )
            return made.id

        good, short = create("Orti Solidali"), create("Borgo Vivo")
        engine.enterprises.link(
            good,
            "SOCIO_LAVORATORE",
            case_id=founder,
            categorie=["TOSSICODIPENDENTE"],
            evidenza_pa=True,
            data_assunzione=today,
            actor=coord,
        )
        engine.enterprises.link(good, "LAVORATORE", nominativo="Mario Bianchi", data_assunzione=today, actor=coord)
        engine.enterprises.link(short, "LAVORATORE", nominativo="Anna Verdi", data_assunzione=today, actor=coord)
        report = engine.reports.report("funnel", actor=coord, period="2026-H1")
        found = cells(table(report, "imprese"))
        assert found["imprese"] == (2,) and found["COOP_SOCIALE_B"] == (2,)
        assert found["quota_rispettata"] == (1,) and found["quota_non_rispettata"] == (1,)
        assert found["svantaggiati"] == (S,) and found["quota_svantaggiati"] == (S,)  # one person: hidden
        assert found["rilevate_12m"] == (0,) and found["sopravvivenza_12m"] == (None,)  # not yet surveyed
        # the enterprises' follow-ups, as their own process records them (survival at 12 and 24 months)
        admin = Actor("admin", frozenset({"amministratore"}))

        def survey(enterprise: int, months: int, active: bool) -> None:
            answer = {"giorno": today, "impresa_attiva": active, "lavoratori": 2, "lavoratori_svantaggiati": 1}
            case_id = engine.enterprises.get(enterprise, actor=coord).case_id
            engine.audit.correct_data(case_id, {f"follow_up_{months}m": answer}, actor=admin, reason="test")

        survey(good, 12, True)
        survey(short, 12, False)
        survey(good, 24, True)
        found = cells(table(engine.reports.report("funnel", actor=coord, period="2026-H1"), "imprese"))
        assert (found["rilevate_12m"], found["attive_12m"], found["sopravvivenza_12m"]) == ((2,), (1,), (50.0,))
        assert (found["rilevate_24m"], found["attive_24m"], found["sopravvivenza_24m"]) == ((1,), (1,), (100.0,))
        later = engine.reports.report("funnel", actor=coord, period="2025")
        assert later.tables == () or all(t.key != "imprese" for t in later.tables)


def test_founders_hired_by_their_enterprise_are_counted_with_the_start_ups(engine: Engine, clock: FixedClock) -> None:
    """The founder-hired milestone counts where the programme counts employment through its
    enterprises: founders from the programme and those their enterprise hired (people: small
    cells suppressed)."""
    from tests.processes.scenario_data import scenario

    coord = Actor("coord", frozenset({"coordinatore"}), frozenset({"T1"}))
    with scenario(engine, clock, "T1") as s:
        s.open_partnership()
        today = clock.now().date()
        made = engine.enterprises.create(
            "T1", "Orti Solidali Cooperativa Sociale", "COOP_SOCIALE_B", "Marche", "Ancona", actor=coord
        )
        for i in range(6):
            engine.enterprises.link(made.id, "FONDATORE", case_id=s.start_percorso(f"FOND-{i}"), actor=coord)

        def counted() -> tuple[tuple[Any, ...], tuple[Any, ...]]:
            found = cells(table(engine.reports.report("funnel", actor=coord, period="2026-H1"), "imprese"))
            return found["fondatori"], found["fondatori_assunti"]

        assert counted() == ((6,), (0,))
        links = engine.enterprises.get(made.id, actor=coord).links
        for lk in links[:4]:
            engine.enterprises.hire_founder(
                made.id, lk.id, today.isoformat(), "TEMPO_DETERMINATO", str(today - dt.timedelta(days=2)), actor=coord
            )
        assert counted() == ((6,), (S,))  # four people: hidden
        engine.enterprises.hire_founder(
            made.id, links[4].id, today.isoformat(), "APPRENDISTATO", str(today - dt.timedelta(days=1)), actor=coord
        )
        assert counted() == ((6,), (5,))
        assert engine.enterprises.get(made.id, actor=coord).founders_hired == (6, 5)


def test_erasing_personal_data_leaves_no_health_category_in_the_read_model(programme: Engine) -> None:
    [first] = [f for f in programme.reports.read_model(actor=COORD) if f.disability == "SI"]  # c1
    for _ in range(2):  # the path ends: erasure is for closed cases
        [task] = programme.cases.get(first.case_id, actor=COORD).open_tasks
        programme.tasks.complete(task.id, {"conferma": True}, actor=WORKER)
    admin = Actor("admin", frozenset({"amministratore"}))
    programme.audit.erase_personal_data(first.case_id, actor=admin, reason="prova", before_retention=True)
    [after] = [f for f in programme.reports.read_model(actor=COORD) if f.case_id == first.case_id]
    assert after.disability != "SI" and after.gender == "F"  # the health category is gone, the rest stays
    esf = programme.reports.report("esf", actor=COORD, period="2026-H1")
    assert cells(table(esf, "eeco"))["EECO12"] == (0, 0, 0, 0)
