"""The semester monitoring report through the real diagram (processes/relazione_semestrale.bpmn).

Seed: seven people referred in territory T1 on 10/01/2026 (six assessed: five ready for work, one
not eligible) and five in T2 (which T1's report must not count). The coordinator of T1 drafts
the report for 2026-H1: the cockpit's funnel, times and ESF+ figures are frozen into the case,
equal to the reports at that instant (and by hand: 7 referred, 6 assessed, the two outcomes under
five suppressed). A person referred afterwards changes the cockpit, not the frozen figures. The
cabina di regia sends the draft back with remarks; the redraft freezes the figures again (now 8);
the approval archives the PDF, whose hash is in the case data and whose text is read back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pypdfium2
import pytest

from engine import Actor, Engine, errors
from engine.bpmn.loader import SourceFile
from engine.clock import FixedClock
from engine.demo import OPERATOR
from engine.services.engine_data import frozen_rows
from tests.fixtures.diagrams import linear

COORD = Actor("cora", frozenset({"coordinatore"}), frozenset({"T1"}))
REGIA = Actor("regia", frozenset({"cabina_di_regia"}), frozenset({"T1"}))
WORKER = Actor("as", frozenset({"assistente_sociale", "coordinatore"}), frozenset({"T1", "T2"}))
NOW = dt.datetime(2026, 7, 15, 10, tzinfo=dt.UTC)


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=9, tzinfo=dt.UTC)


def _refer(engine: Engine, clock: FixedClock, territory: str, outcome: str | None) -> None:
    clock.set(_at("2026-01-10"))
    history = [{"stato": "SEGNALATO", "data": _at("2026-01-10").isoformat(), "motivo": "PROVA"}]
    case = engine.cases.start(
        "percorso_prova",
        {"stato_caso": "IN_VALUTAZIONE", "storico_stati": history, "titolo": "Caso"},
        actor=WORKER,
        territory=territory,
    )
    clock.set(_at("2026-01-20"))
    engine.audit.correct_data(case.id, {"data_segnalazione": "2026-01-10"}, actor=WORKER, reason="scenario")
    if outcome:
        clock.set(_at("2026-02-20"))
        engine.audit.correct_data(case.id, {"esito": outcome}, actor=WORKER, reason="scenario")


@pytest.fixture
def programme(engine: Engine, clock: FixedClock) -> Engine:
    engine.design.deploy(actor=OPERATOR, note="library")
    engine.design.deploy([SourceFile("percorso_prova.bpmn", linear("percorso_prova", 2))], actor=OPERATOR)
    outcomes: list[str | None] = ["IDONEO_LAVORO"] * 5 + ["NON_IDONEO_REQUISITI", None]
    for outcome in outcomes:
        _refer(engine, clock, "T1", outcome)
    for _ in range(5):
        _refer(engine, clock, "T2", "IDONEO_LAVORO")
    clock.set(NOW)
    return engine


def _figures(engine: Engine, actor: Actor) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for kind in ("funnel", "sla", "esf"):
        rows += frozen_rows(engine.reports.report(kind, actor=actor, period="2026-H1", territory="T1"))
    return rows


def _row(figures: list[dict[str, Any]], table: str, label: str) -> str:
    return next(r["valori"] for r in figures if r["prospetto"].endswith(table) and r["voce"] == label)


def test_the_semester_report_is_drafted_frozen_sent_back_approved_and_archived(
    programme: Engine, clock: FixedClock
) -> None:
    engine = programme
    case = engine.cases.start("relazione_semestrale", {"territorio": "T1", "periodo": "2026-H1"}, actor=COORD)
    [draft] = engine.tasks.list(actor=COORD, case_id=case.id)
    assert draft.name == "Redazione della relazione semestrale"
    expected = _figures(engine, COORD)
    engine.tasks.complete(
        draft.id, {"commento_coordinatore": "Primo semestre regolare, avvio lento a gennaio."}, actor=COORD
    )

    data = engine.cases.get(case.id, actor=COORD).data
    assert data["cifre_monitoraggio"] == expected  # frozen: the reports at that instant
    assert data["periodo_descrizione"] == "Primo semestre 2026" and data["data_fotografia"] == NOW.isoformat()
    # by hand: T1 only (T2's five are not counted), the two outcomes under five suppressed
    stages = "Dalla segnalazione al follow-up"
    assert _row(data["cifre_monitoraggio"], stages, "Persone segnalate").startswith("Persone: 7;")
    assert _row(data["cifre_monitoraggio"], stages, "Valutazioni concluse con un esito").startswith("Persone: 6;")
    outcomes = {
        r["voce"]: r["valori"] for r in data["cifre_monitoraggio"] if r["prospetto"].endswith("Esito della valutazione")
    }
    # five and one: the one is hidden, and the five with it, or 6 − 5 would give it away
    assert outcomes == {
        "Idoneo all'inserimento lavorativo": "Persone: < 5",
        "Non idoneo (requisiti)": "Persone: < 5",
        "Totale": "Persone: 6",
    }

    # a person referred later changes the cockpit, not the figures frozen in the report
    _refer(engine, clock, "T1", "IDONEO_LAVORO")
    clock.set(NOW + dt.timedelta(days=1))
    assert _figures(engine, COORD) != expected
    assert engine.cases.get(case.id, actor=COORD).data["cifre_monitoraggio"] == expected

    # the cabina di regia sends it back: remarks are required
    [review] = engine.tasks.list(actor=REGIA, case_id=case.id)
    assert review.name == "Revisione della relazione semestrale"
    with pytest.raises(errors.InvalidData) as refused:
        engine.tasks.complete(review.id, {"esito_revisione": "DA_RIVEDERE"}, actor=REGIA)
    assert "osservazioni_revisione" in refused.value.messages
    remarks = "Commentare i tempi di presa in carico."
    engine.tasks.complete(review.id, {"esito_revisione": "DA_RIVEDERE", "osservazioni_revisione": remarks}, actor=REGIA)
    assert "relazione_pdf_sha256" not in engine.cases.get(case.id, actor=COORD).data

    # back to the coordinator: the redraft freezes the figures again (now eight referred)
    [redraft] = engine.tasks.list(actor=COORD, case_id=case.id)
    assert redraft.bpmn_id == "Task_bozza"
    engine.tasks.complete(
        redraft.id, {"commento_coordinatore": "Tempi di presa in carico entro i limiti concordati."}, actor=COORD
    )
    data = engine.cases.get(case.id, actor=COORD).data
    assert data["cifre_monitoraggio"] == _figures(engine, COORD)
    assert _row(data["cifre_monitoraggio"], stages, "Persone segnalate").startswith("Persone: 8;")

    [review] = engine.tasks.list(actor=REGIA, case_id=case.id)
    engine.tasks.complete(review.id, {"esito_revisione": "APPROVATA"}, actor=REGIA)
    done = engine.cases.get(case.id, actor=COORD)
    assert done.status.value == "completed"
    assert [r["esito"] for r in done.data["revisioni"]] == ["DA_RIVEDERE", "APPROVATA"]
    assert done.data["approvata_da"] == "regia" and done.data["data_approvazione"] == "2026-07-16"

    pdf = engine.reports.semester_report_pdf(case.id, actor=REGIA)
    assert pdf.media_type == "application/pdf" and pdf.name == "relazione_semestrale_2026-H1_T1.pdf"
    assert isinstance(pdf.body, bytes)
    assert hashlib.sha256(pdf.body).hexdigest() == done.data["relazione_pdf_sha256"]
    document = pypdfium2.PdfDocument(pdf.body)
    text = re.sub(r"\s+", " ", " ".join(page.get_textpage().get_text_range() for page in document))
    assert "Relazione semestrale di monitoraggio" in text and "Primo semestre 2026" in text
    assert "Tempi di presa in carico entro i limiti concordati." in text
    assert "Persone segnalate" in text and "Persone: 8;" in text and "< 5" in text
    assert "Approvata da regia" in text and "16/07/2026" in text
    # the territory's other viewers only: a coordinator elsewhere may not download it
    with pytest.raises(errors.Forbidden):
        engine.reports.semester_report_pdf(case.id, actor=Actor("x", frozenset({"coordinatore"}), frozenset({"T2"})))


def test_the_period_is_checked_at_the_start_and_defaults_to_the_current_half_year(programme: Engine) -> None:
    engine = programme
    for bad, words in (("2026-H3", "formato"), ("2027-H1", "non è ancora iniziato")):
        with pytest.raises(errors.InvalidData) as refused:
            engine.cases.start("relazione_semestrale", {"territorio": "T1", "periodo": bad}, actor=COORD)
        assert words in " ".join(refused.value.messages["periodo"])
    # kept in its normal form, with the description the pages show instead of the code
    typed = engine.cases.start("relazione_semestrale", {"territorio": "T1", "periodo": " 2026-h1"}, actor=COORD)
    assert typed.data["periodo"] == "2026-H1" and typed.data["periodo_descrizione"] == "Primo semestre 2026"
    assert typed.title == "Primo semestre 2026"  # the case list and the inbox name it by its period
    case = engine.cases.start("relazione_semestrale", {"territorio": "T1"}, actor=COORD)
    [draft] = engine.tasks.list(actor=COORD, case_id=case.id)
    engine.tasks.complete(
        draft.id, {"commento_coordinatore": "Nessuna segnalazione nel semestre in corso."}, actor=COORD
    )
    data = engine.cases.get(case.id, actor=COORD).data
    assert data["periodo"] == "2026-H2" and data["periodo_descrizione"] == "Secondo semestre 2026"
    # an empty period is an empty report with its reason, frozen as such
    [funnel, *_] = data["cifre_monitoraggio"]
    assert funnel["voce"] == "Nessun dato" and "Nessuna persona segnalata nel territorio T1" in funnel["valori"]
