"""Forms of the programme's evaluation (``processes/valutazione_programma.bpmn``): the
valutatore's intermediate or final evaluation report and the cabina di regia's review.

The valutatore works on the pseudonymised data only: when the report is submitted the engine
freezes into the case the cockpit's aggregates (funnel, times, ESF+ indicators) read with the
valutatore's own rights (aggregates only, small cells already suppressed), as for the semester
report (docs/monitoring.md). No direct identifier is typed or shown: class C0.
"""

from __future__ import annotations

from marshmallow import fields, validate

from forms.base import FormSchema, form, meta
from forms.relazione_semestrale import RelazioneRevisione
from forms.validators import scelta

TIPI_VALUTAZIONE = [("INTERMEDIA", "Valutazione intermedia"), ("FINALE", "Valutazione finale")]


def _testo(label: str, help: str, label_en: str, help_en: str, longest: int = 8000) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(min=20, max=longest, error="Tra {min} e {max} caratteri."),
        metadata=meta(label, help, label_en=label_en, help_en=help_en),
    )


@form(
    "f5_valutazione_rapporto",
    title="Rapporto di valutazione del programma",
    title_en="Programme evaluation report",
    description=(
        "All'invio il sistema fotografa nel rapporto le cifre aggregate del cruscotto (percorsi, tempi, "
        "indicatori FSE+) del territorio e del periodo, lette con i diritti del valutatore: solo aggregati "
        "pseudonimizzati, celle sotto cinque già oscurate."
    ),
    data_class="C0",
    shows=("periodo_descrizione", "osservazioni_revisione"),
)
class ValutazioneRapporto(FormSchema):
    tipo_valutazione = fields.String(
        required=True,
        validate=scelta(TIPI_VALUTAZIONE),
        metadata=meta("Tipo di valutazione", label_en="Kind of evaluation"),
    )
    domande_valutative = _testo(
        "Domande di valutazione",
        "Che cosa la valutazione vuole sapere del programma.",
        "Evaluation questions",
        "What the evaluation asks about the programme.",
        4000,
    )
    metodo = _testo(
        "Metodo e fonti",
        "Solo dati pseudonimizzati e aggregati (cruscotto, file dei partecipanti per pseudonimo). "
        "Niente dati personali.",
        "Method and sources",
        "Pseudonymised and aggregate data only (cockpit, participant file by pseudonym). No personal data.",
        4000,
    )
    risultati = _testo(
        "Risultati e giudizio valutativo",
        "Efficacia, efficienza, tempi, esiti per gruppi di partecipanti.",
        "Findings and judgement",
        "Effectiveness, efficiency, times, results by group of participants.",
    )
    raccomandazioni = _testo(
        "Raccomandazioni",
        "Che cosa cambiare nel programma.",
        "Recommendations",
        "What to change in the programme.",
        4000,
    )


@form(
    "f5_valutazione_revisione",
    title="Revisione del rapporto di valutazione",
    title_en="Review of the evaluation report",
    data_class="C0",
    decide_on=("periodo_descrizione", "titolo_documento", "cifre_monitoraggio", "risultati", "raccomandazioni"),
)
class ValutazioneRevisione(RelazioneRevisione):
    """The same review as the semester report's: approve, or send back with remarks (required)."""

    rinvio = "il rapporto è rinviato al valutatore"

    esito_revisione = fields.String(
        required=True,
        validate=scelta([("APPROVATA", "Approvato"), ("DA_RIVEDERE", "Da rivedere (rinviato al valutatore)")]),
        metadata=meta("Esito della revisione", label_en="Review outcome"),
    )
