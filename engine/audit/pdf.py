"""The case dossier as a PDF (reportlab): summary, the verified chain, the full timeline."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from engine.model import CaseEvent
from forms import present

STATUS_LABELS = {
    "running": "In corso",
    "completed": "Concluso",
    "cancelled": "Annullato",
    "suspended": "Sospeso",
    "closed": "Chiuso d'ufficio",
}

KIND_LABELS = {
    "started": "Avvio del caso",
    "task_completed": "Attività completata",
    "completed": "Caso concluso",
    "cancelled": "Caso annullato",
    "timer_fired": "Scadenza temporale",
    "timer_incident": "Anomalia timer",
    "message_sent": "Messaggio inviato",
    "message_received": "Messaggio ricevuto",
    "task_claimed": "Presa in carico attività",
    "task_released": "Rilascio attività",
    "task_reassigned": "Riassegnazione attività",
    "partnership_changed": "Variazione partenariato",
    "protocol_changed": "Variazione di un protocollo",
    "data_corrected": "Correzione dati",
    "case_reset": "Ritorno a un passo precedente",
    "data_erased": "Cancellazione dati personali",
    "migrated": "Migrazione di versione",
    "team_changed": "Variazione del gruppo di lavoro",
    "person_recorded": "Registrazione dati anagrafici",
    "break_glass": "Accesso straordinario motivato",
    "suspended": "Sospensione del caso",
    "resumed": "Ripresa del caso",
    "closed": "Chiusura d'ufficio",
    "enterprise_changed": "Variazione dell'impresa",
}


def render(case: dict[str, Any], events: Sequence[CaseEvent], verification: str, fingerprint: str) -> bytes:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7.5, leading=9)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Fascicolo del caso {case['id']}",
        author="Impresa per Noi",
    )
    story: list[Any] = [
        Paragraph(f"Fascicolo del caso {case['id']}", styles["Title"]),
        Paragraph("Impresa per Noi – la Cultura dell'Intraprendere", styles["Italic"]),
        Spacer(1, 4 * mm),
    ]
    summary = [
        ["Processo", f"{case.get('process_name') or case['process_id']} (versione {case['process_version']})"],
        ["Stato", STATUS_LABELS.get(case["status"], case["status"])],
        ["Territorio", case.get("territory") or "-"],
        ["Beneficiario (pseudonimo)", case.get("title") or "-"],
        ["Avviato il / da", f"{present.format_instant(case['created_at'])} / {case['started_by']}"],
        ["Eventi registrati", str(len(events))],
        ["Ultimo hash della catena", (events[-1].hash or "")[:32] + "…" if events else "-"],
        ["Verifica della catena", verification],
        ["Impronta della chiave di firma", fingerprint],
    ]
    table = Table(summary, colWidths=[55 * mm, 125 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f7")),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm), Paragraph("Cronologia", styles["Heading2"])]
    # times in Italian local time with the zone named; data with labels, never raw keys or codes
    rows: list[list[Any]] = [["#", "Data e ora", "Chi", "Evento", "Dati"]]
    for e in events:
        data = "; ".join(f"{r.label}: {present.flat_text(r)}" for r in present.rows(e.data))
        rows.append(
            [
                str(e.seq),
                Paragraph(escape(present.format_instant(e.at)), small),
                escape(e.actor),
                Paragraph(escape(KIND_LABELS.get(e.kind, e.kind) + (f": {e.task_name}" if e.task_name else "")), small),
                Paragraph(escape(data[:600] + ("…" if len(data) > 600 else "")), small),
            ]
        )
    timeline = Table(rows, colWidths=[10 * mm, 28 * mm, 25 * mm, 45 * mm, 72 * mm], repeatRows=1)
    timeline.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f4e79")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(timeline)
    doc.build(story)
    return out.getvalue()
