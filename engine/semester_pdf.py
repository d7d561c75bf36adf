"""The approved semester monitoring report as a PDF (reportlab): the frozen figures, a bar chart
of the funnel's stages, the coordinator's commentary and the approval. The valutatore's evaluation
report (``processes/valutazione_programma.bpmn``) is the same document with its own title
(``titolo_documento``) and its sections (``sezioni_documento``) in place of the commentary.

The document is rendered from the case data alone and with reportlab's *invariant* mode (no
creation date, a fixed document id), so the same data always gives the same bytes: the hash
recorded at approval identifies the document, and the download renders it again and checks it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from forms import present

# The case variables the document is made of: nothing else may change its bytes.
CONTENT_KEYS = (
    "territorio",
    "periodo",
    "periodo_descrizione",
    "data_fotografia",
    "cifre_monitoraggio",
    "commento_coordinatore",
    "osservazioni_revisione",
    "data_approvazione",
    "approvata_da",
    "titolo_documento",
    "sezioni_documento",
)
SEMESTER_TITLE = "Relazione semestrale di monitoraggio"
# the funnel's stage table: the chart draws its first column (people), suppressed cells left out
FUNNEL_STAGES = "Percorsi: dalla segnalazione al follow-up – Dalla segnalazione al follow-up"


def content(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: data.get(k) for k in CONTENT_KEYS}


def render(data: Mapping[str, Any]) -> bytes:
    """The report's PDF from the case data (only ``CONTENT_KEYS`` are read)."""
    doc_data = content(data)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    out = io.BytesIO()
    period = str(doc_data["periodo_descrizione"] or doc_data["periodo"] or "")
    title = str(doc_data["titolo_documento"] or SEMESTER_TITLE)
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{title} – {period}",
        author="Impresa per Noi",
        invariant=1,
    )
    story: list[Any] = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph("Impresa per Noi – la Cultura dell'Intraprendere", styles["Italic"]),
        Spacer(1, 4 * mm),
    ]
    summary = [
        ["Territorio", escape(str(doc_data["territorio"] or "-"))],
        ["Periodo", escape(period)],
        ["Cifre fotografate il", present.format_instant(doc_data["data_fotografia"])],
        ["Approvata il", present.format_day(doc_data["data_approvazione"])],
        ["Approvata da", escape(str(doc_data["approvata_da"] or "-"))],
    ]
    story += [_table(summary, [55 * mm, 125 * mm], header=False), Spacer(1, 5 * mm)]
    figures: Sequence[Mapping[str, Any]] = doc_data["cifre_monitoraggio"] or []
    chart = _funnel_chart(figures)
    if chart is not None:
        story += [Paragraph("Fasi del percorso (persone)", styles["Heading2"]), chart, Spacer(1, 4 * mm)]
    story.append(Paragraph("Cifre del cruscotto", styles["Heading2"]))
    for title, rows in _by_table(figures):
        body = [[Paragraph(escape(r["voce"]), small), Paragraph(escape(r["valori"]), small)] for r in rows]
        story.append(
            KeepTogether(
                [Paragraph(escape(title), styles["Heading4"]), _table([["Voce", "Valori"], *body], [70 * mm, 110 * mm])]
            )
        )
    sections: Sequence[Mapping[str, Any]] = doc_data["sezioni_documento"] or [
        {"titolo": "Commento del coordinatore", "testo": doc_data["commento_coordinatore"]}
    ]
    story.append(Spacer(1, 5 * mm))
    for section in sections:
        story += [
            Paragraph(escape(str(section.get("titolo") or "")), styles["Heading2"]),
            *[Paragraph(escape(p), styles["BodyText"]) for p in str(section.get("testo") or "").splitlines()],
        ]
    if doc_data["osservazioni_revisione"]:
        story += [
            Paragraph("Osservazioni della cabina di regia", styles["Heading2"]),
            Paragraph(escape(str(doc_data["osservazioni_revisione"])), styles["BodyText"]),
        ]
    doc.build(story)
    return out.getvalue()


def _by_table(figures: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    tables: dict[str, list[Mapping[str, Any]]] = {}
    for row in figures:
        tables.setdefault(str(row.get("prospetto", "")), []).append(row)
    return list(tables.items())


def _table(rows: list[list[Any]], widths: list[float], *, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f4e79")),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ]
    else:
        style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f7")))
    table.setStyle(TableStyle(style))
    return table


def _first_number(text: str) -> int | None:
    """The people column of a frozen row ("Persone: 12; …"); None when suppressed or empty."""
    first = text.split(";")[0].split(":")[-1].strip().replace(".", "")
    return int(first) if first.isdigit() else None


def _funnel_chart(figures: Sequence[Mapping[str, Any]]) -> Drawing | None:
    bars = [
        (str(r["voce"]), n)
        for r in figures
        if r.get("prospetto") == FUNNEL_STAGES and (n := _first_number(str(r.get("valori", "")))) is not None
    ]
    if not bars:
        return None
    height = 18 * len(bars) + 20
    drawing = Drawing(180 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 75 * mm, 10
    chart.width, chart.height = 95 * mm, height - 20
    chart.data = [[n for _, n in reversed(bars)]]
    chart.categoryAxis.categoryNames = [label[:45] for label, _ in reversed(bars)]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#1f4e79")
    drawing.add(chart)
    drawing.add(String(0, 0, "Le fasi con meno di 5 persone non sono disegnate.", fontSize=6))
    return drawing
