"""Reports and data files as CSV, XLSX and JSON, for the cockpit's downloads, the API and the CLI.

CSV is the Italian spreadsheet dialect (``;`` separator, UTF-8 with BOM, dates ``gg/mm/aaaa``,
``Sì``/``No``); a report, having several tables, is written long (table, row, column, value).
XLSX (openpyxl) has one sheet per table with real dates. A suppressed figure is ``< 5`` in every
format, ``null`` with ``"soppresso": true`` in JSON.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

from engine.model import Cell, DataFile, FileValue, Report

SUPPRESSED = "< 5"
FORMATS = ("csv", "xlsx", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def file_name(kind: str, period: str, territory: str | None, export_format: str) -> str:
    where = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in (territory or "tutti"))
    return f"{kind}_{period}_{where}.{export_format}"


def _text(value: FileValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Sì" if value else "No"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def cell_text(cell: Cell) -> str:
    if cell.suppressed:
        return SUPPRESSED
    return _text(cell.value)


def _csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    yield "\ufeff"
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def report_csv(report: Report) -> Iterator[str]:
    """The report, one line per figure (streamed)."""

    def rows() -> Iterator[list[str]]:
        yield ["Tabella", "Voce", "Misura", "Valore"]
        if not report.tables:
            yield [report.title, report.empty_reason or "", "", ""]
        for table in report.tables:
            for row in table.rows:
                for column, cell in zip(table.columns, row.cells, strict=True):
                    yield [table.title, row.label, column, cell_text(cell)]

    return _csv_lines(rows())


def data_csv(data: DataFile) -> Iterator[str]:
    """The file, one line per row (streamed)."""

    def rows() -> Iterator[list[str]]:
        yield list(data.columns)
        for row in data.rows:
            yield [_text(v) for v in row]

    return _csv_lines(rows())


def report_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook  # only the exports need it

    book = Workbook(write_only=True)
    about = book.create_sheet("Report")
    about.append([report.title])
    about.append(["Periodo", report.period.label])
    about.append(["Territorio", report.territory or "Tutti i territori di competenza"])
    about.append(["Generato il", report.generated_at.strftime("%d/%m/%Y %H:%M") + " (UTC)"])
    about.append(["Nota", f"«{SUPPRESSED}»: meno di cinque persone, dato non mostrato."])
    if report.empty_reason:
        about.append(["Esito", report.empty_reason])
    for index, table in enumerate(report.tables, start=1):
        sheet = book.create_sheet(f"{index} {table.title}"[:31].replace("/", "-").replace(":", ""))
        sheet.append([table.title])
        sheet.append(["", *table.columns])
        for row in table.rows:
            sheet.append([row.label, *(SUPPRESSED if c.suppressed else c.value for c in row.cells)])
        if table.note:
            sheet.append([])
            sheet.append([table.note])
    return _save(book)


def data_xlsx(data: DataFile) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(data.title[:31])
    sheet.append(list(data.columns))
    for row in data.rows:
        out: list[Any] = []
        for value in row:
            if isinstance(value, dt.datetime):
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD/MM/YYYY HH:MM" if isinstance(value, dt.datetime) else "DD/MM/YYYY"
                out.append(cell)
            elif isinstance(value, bool):
                out.append("Sì" if value else "No")
            else:
                out.append(value)
        sheet.append(out)
    return _save(book)


def _save(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, Cell):
        return {"valore": value.value, "soppresso": value.suppressed}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def report_json(report: Report) -> str:
    return json.dumps(_plain(report), ensure_ascii=False, indent=1)


def data_json(data: DataFile) -> str:
    body = {
        "titolo": data.title,
        "periodo": data.period.code,
        "territorio": data.territory,
        "righe": [dict(zip(data.columns, _plain(list(row)), strict=True)) for row in data.rows],
    }
    return json.dumps(body, ensure_ascii=False, indent=1)
