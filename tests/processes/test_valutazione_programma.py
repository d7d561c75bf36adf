"""The valutatore's intermediate and final evaluation through the real diagram
(processes/valutazione_programma.bpmn).

Seed (the semester report's, tests/processes/test_relazione_semestrale.py): seven people referred
in territory T1 on 10/01/2026 (six assessed: five ready for work, one not eligible) and five in T2. The cabina di regia of T1 commissions the intermediate evaluation of
2026-H1; the valutatore of T1 writes it: the cockpit's aggregates are frozen into the case as the
valutatore may read them (aggregates only, small cells suppressed; no case, no name, no date of
birth anywhere in the case). The cabina di regia sends it back with remarks, then approves it: the
PDF is archived, its hash in the case data, its text read back.
"""

from __future__ import annotations

import hashlib
import re

import pypdfium2
import pytest

from engine import Actor, Engine, errors
from engine.services.engine_data import frozen_rows
from tests.processes.test_relazione_semestrale import programme  # noqa: F401  (the seeded fixture)

REGIA = Actor("regia", frozenset({"cabina_di_regia"}), frozenset({"T1"}))
VALUTATORE = Actor("vale", frozenset({"valutatore"}), frozenset({"T1"}))

REPORT = {
    "tipo_valutazione": "INTERMEDIA",
    "domande_valutative": "Il programma raggiunge le persone più lontane dal lavoro?",
    "metodo": "Cifre aggregate del cruscotto, nessun dato individuale.",
    "risultati": "Sei valutazioni su sette segnalazioni nel semestre; esiti in prevalenza idonei.",
    "raccomandazioni": "Rafforzare la presa in carico nei primi dieci giorni.",
}


def test_the_evaluation_is_written_on_aggregates_sent_back_approved_and_archived(programme: Engine) -> None:  # noqa: F811
    engine = programme
    case = engine.cases.start("valutazione_programma", {"territorio": "T1", "periodo": "2026-H1"}, actor=REGIA)
    [draft] = engine.tasks.list(actor=VALUTATORE, case_id=case.id)
    assert draft.name == "Redazione del rapporto di valutazione" and draft.role == "valutatore"
    assert engine.tasks.list(actor=REGIA, case_id=case.id) == []  # the valutatore's lane

    expected: list[dict[str, str]] = []
    for kind in ("funnel", "sla", "esf"):
        expected += frozen_rows(engine.reports.report(kind, actor=VALUTATORE, period="2026-H1", territory="T1"))
    engine.tasks.complete(draft.id, REPORT, actor=VALUTATORE)
    data = engine.cases.get(case.id, actor=REGIA).data
    assert data["cifre_monitoraggio"] == expected  # the aggregates the valutatore may read, frozen
    stages = [r for r in data["cifre_monitoraggio"] if r["prospetto"].endswith("Dalla segnalazione al follow-up")]
    assert stages[0]["voce"] == "Persone segnalate" and stages[0]["valori"].startswith("Persone: 7;")  # T1 only
    outcomes = {
        r["voce"]: r["valori"] for r in data["cifre_monitoraggio"] if r["prospetto"].endswith("Esito della valutazione")
    }
    assert outcomes["Non idoneo (requisiti)"] == "Persone: < 5" and outcomes["Totale"] == "Persone: 6"
    # aggregates only: rows of the three aggregate reports, no case list, no participant, no birth date
    assert {tuple(sorted(r)) for r in data["cifre_monitoraggio"]} == {("prospetto", "valori", "voce")}
    titles = ("Percorsi: dalla segnalazione", "Tempi di presa in carico", "Indicatori comuni FSE+")
    assert all(r["prospetto"].startswith(titles) for r in data["cifre_monitoraggio"])
    assert "data_nascita" not in data and "genere" not in data
    assert data["titolo_documento"] == "Valutazione intermedia del programma"
    assert [s["titolo"] for s in data["sezioni_documento"]] == [
        "Domande di valutazione",
        "Metodo e fonti",
        "Risultati e giudizio valutativo",
        "Raccomandazioni",
    ]

    # the cabina di regia sends it back: remarks required, and the report goes back to the valutatore
    [review] = engine.tasks.list(actor=REGIA, case_id=case.id)
    assert review.name == "Revisione del rapporto di valutazione"
    with pytest.raises(errors.InvalidData) as refused:
        engine.tasks.complete(review.id, {"esito_revisione": "DA_RIVEDERE"}, actor=REGIA)
    assert "rinviato al valutatore" in " ".join(refused.value.messages["osservazioni_revisione"])
    engine.tasks.complete(
        review.id, {"esito_revisione": "DA_RIVEDERE", "osservazioni_revisione": "Aggiungere i tempi."}, actor=REGIA
    )
    [redraft] = engine.tasks.list(actor=VALUTATORE, case_id=case.id)
    assert redraft.bpmn_id == "Task_rapporto"
    engine.tasks.complete(
        redraft.id,
        {**REPORT, "tipo_valutazione": "FINALE", "risultati": "Presa in carico entro i limiti concordati."},
        actor=VALUTATORE,
    )
    [review] = engine.tasks.list(actor=REGIA, case_id=case.id)
    engine.tasks.complete(review.id, {"esito_revisione": "APPROVATA"}, actor=REGIA)

    done = engine.cases.get(case.id, actor=REGIA)
    assert done.status.value == "completed"
    assert [r["esito"] for r in done.data["revisioni"]] == ["DA_RIVEDERE", "APPROVATA"]
    assert done.data["titolo_documento"] == "Valutazione finale del programma"
    pdf = engine.reports.semester_report_pdf(case.id, actor=REGIA)
    assert pdf.name == "valutazione_finale_2026-H1_T1.pdf" and isinstance(pdf.body, bytes)
    assert hashlib.sha256(pdf.body).hexdigest() == done.data["relazione_pdf_sha256"]
    document = pypdfium2.PdfDocument(pdf.body)
    text = re.sub(r"\s+", " ", " ".join(page.get_textpage().get_text_range() for page in document))
    assert "Valutazione finale del programma" in text and "Primo semestre 2026" in text
    assert "Risultati e giudizio valutativo" in text and "Presa in carico entro i limiti concordati." in text
    assert "Persone segnalate" in text and "< 5" in text and "Approvata da regia" in text
    assert "Commento del coordinatore" not in text
    # the valutatore, who may not open the case, downloads the archived PDF (aggregates only), and so
    # do the coordinator and the cabina di regia of T1; each download is in the access log
    COORDINATORE = Actor("coord", frozenset({"coordinatore"}), frozenset({"T1"}))
    with pytest.raises(errors.Forbidden):
        engine.cases.get(case.id, actor=VALUTATORE)
    for reader in (VALUTATORE, COORDINATORE):
        assert engine.reports.semester_report_pdf(case.id, actor=reader, ip="10.0.0.7").body == pdf.body
    assert [(d.case_id, d.title, d.period_label) for d in engine.reports.documents(actor=VALUTATORE)] == [
        (case.id, "Valutazione finale del programma", "Primo semestre 2026")
    ]
    log = [e for e in engine.audit.access_log(actor=COORDINATORE, case_id=case.id) if e.username == "vale"]
    assert [(e.purpose, e.ip) for e in log] == [("valutazione finale del programma (PDF)", "10.0.0.7")]
    assert "cifre_monitoraggio" in log[0].fields
    # not the cabina di regia or the valutatore of another territory, nor a social worker of T1
    outsiders = (
        Actor("x", frozenset({"cabina_di_regia"}), frozenset({"T2"})),
        Actor("y", frozenset({"valutatore"}), frozenset({"T2"})),
        Actor("z", frozenset({"assistente_sociale"}), frozenset({"T1"})),
    )
    for outsider in outsiders:
        with pytest.raises(errors.Forbidden):
            engine.reports.semester_report_pdf(case.id, actor=outsider)
        assert engine.reports.documents(actor=outsider) == []
