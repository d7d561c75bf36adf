"""The person's own copy of their data (GDPR art. 15) as a PDF (reportlab), in Italian: identity
with the age derived from the birth date, the person's cases in the programme, the data recorded
in the case (labels and values as people read them), who receives it, how long it is kept and the
person's rights. Produced by the case manager from the person page; the engine logs each copy.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from engine.model import PersonRecord, RepeatReferral, age_on
from forms import present

STATUS_LABELS = {
    "running": "in corso",
    "completed": "concluso",
    "cancelled": "annullato",
    "suspended": "sospeso",
    "closed": "chiuso d'ufficio",
}
GENDER_LABELS = {"M": "maschile", "F": "femminile"}
NOT_GIVEN = "non indicato"
RIGHTS = (
    "rettifica dei dati inesatti e integrazione di quelli incompleti (art. 16);",
    "cancellazione, quando i dati non sono più necessari o non c'è più una base giuridica (art. 17), "
    "fermi gli obblighi di conservazione del programma;",
    "limitazione del trattamento (art. 18) e opposizione (art. 21);",
    "reclamo al Garante per la protezione dei dati personali (art. 77), www.garanteprivacy.it.",
)


@dataclass(frozen=True)
class Copy:
    """What the copy holds (read and logged by engine.services.people.access_copy)."""

    person: PersonRecord
    case_id: int
    process_name: str
    cases: tuple[RepeatReferral, ...]  # every case of the person, this one included
    data: Mapping[str, Any]  # the case's data the producer may see
    withheld: bool  # some health or judicial data is kept by the service in charge
    recipients: tuple[str, ...]  # the relations of the case's team, as labels
    retention_years: int
    produced_at: dt.datetime
    produced_by: str


def identity_rows(person: PersonRecord, today: dt.date) -> list[tuple[str, str]]:
    """Label and value of each identity field; the age is derived from the birth date."""
    born = person.data_nascita
    return [
        ("Cognome", person.cognome or NOT_GIVEN),
        ("Nome", person.nome or NOT_GIVEN),
        ("Codice fiscale", person.codice_fiscale or NOT_GIVEN),
        ("Data di nascita", f"{present.format_day(born)} ({age_on(born, today)} anni)" if born else NOT_GIVEN),
        ("Sesso", GENDER_LABELS.get(person.sesso or "", NOT_GIVEN)),
        ("Comune di residenza", person.comune or NOT_GIVEN),
        ("Telefono", person.telefono or NOT_GIVEN),
        ("Email", person.email or NOT_GIVEN),
    ]


def render(copy: Copy) -> bytes:
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    small = body.clone("small", fontSize=8.5, leading=11)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title="Copia dei dati personali (art. 15 GDPR)",
        author="Impresa per Noi",
    )

    def table(rows: list[list[Any]], widths: list[float], header: bool = False) -> Table:
        cells = [[Paragraph(escape(str(c)), small) if isinstance(c, str) else c for c in r] for r in rows]
        t = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")))
        else:
            style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f7")))
        t.setStyle(TableStyle(style))
        return t

    person = copy.person
    when = present.format_instant(copy.produced_at)
    story: list[Any] = [
        Paragraph("Copia dei dati personali", styles["Title"]),
        Paragraph("Diritto di accesso dell'interessato – art. 15 del Regolamento (UE) 2016/679", styles["Heading3"]),
        Paragraph(
            escape(
                f"Intestata a {person.nome} {person.cognome}. Prodotta il {when} da {copy.produced_by} "
                f"per il caso n. {copy.case_id} ({copy.process_name}) del programma "
                "«Impresa per Noi – la Cultura dell'Intraprendere»."
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph("Dati anagrafici", styles["Heading2"]),
        table([[k, v] for k, v in identity_rows(person, copy.produced_at.date())], [50 * mm, 124 * mm]),
        Spacer(1, 3 * mm),
        Paragraph("Percorsi nel programma", styles["Heading2"]),
        table(
            [["Caso", "Stato", "Territorio", "Aperto il"]]
            + [
                [
                    f"n. {c.case_id}",
                    STATUS_LABELS.get(c.status.value, c.status.value),
                    c.territory or "–",
                    present.format_day(c.created_at.date()),
                ]
                for c in copy.cases
            ],
            [30 * mm, 40 * mm, 60 * mm, 44 * mm],
            header=True,
        ),
        Spacer(1, 3 * mm),
        Paragraph(f"Dati registrati nel caso n. {copy.case_id}", styles["Heading2"]),
    ]
    groups = present.groups(copy.data)
    if not any(s.rows for g in groups for s in g.sections):
        story.append(Paragraph("Nessun dato registrato oltre a quelli anagrafici.", body))
    for group in groups:
        story.append(Paragraph(escape(group.title), styles["Heading3"]))
        for section in group.sections:
            if section.title and section.title != group.title:
                story.append(Paragraph(escape(section.title), styles["Heading4"]))
            rows = [[r.label, present.flat_text(r) or "–"] for r in section.rows]
            if rows:
                story.append(table(rows, [60 * mm, 114 * mm]))
                story.append(Spacer(1, 2 * mm))
    if copy.withheld:
        story.append(
            Paragraph(
                "Alcuni dati sanitari o giudiziari sono custoditi dal servizio che ha in carico la persona: "
                "la copia di quei dati si chiede a quel servizio.",
                body,
            )
        )
    recipients = ", ".join(copy.recipients) or "il responsabile del caso"
    closing = [
        Paragraph("Chi riceve i dati", styles["Heading2"]),
        Paragraph(
            escape(
                f"I dati sono visibili solo a chi lavora al percorso: {recipients}. Ciascuno vede solo i dati "
                "che servono al proprio compito; ogni consultazione dei dati anagrafici, sanitari e giudiziari "
                "è registrata. I valutatori del programma ricevono solo dati pseudonimizzati, senza nome né "
                "codice fiscale."
            ),
            body,
        ),
        Paragraph("Finalità e conservazione", styles["Heading2"]),
        Paragraph(
            escape(
                "I dati sono trattati per il percorso di inclusione lavorativa e per la rendicontazione del "
                "Fondo sociale europeo Plus (FSE+). Sono conservati cifrati e, concluso il percorso, per "
                f"{copy.retention_years} anni dalla chiusura del caso; poi sono cancellati."
            ),
            body,
        ),
        Paragraph("I suoi diritti", styles["Heading2"]),
        Paragraph(
            "Può chiedere al responsabile del caso o al responsabile della protezione dei dati dell'ente capofila:",
            body,
        ),
        *[Paragraph(escape(f"• {r}"), body) for r in RIGHTS],
    ]
    # a heading never ends a page: each closing section stays with its text
    story += [KeepTogether(closing[i : i + 2]) for i in range(0, 6, 2)] + closing[6:]
    doc.build(story)
    return out.getvalue()
