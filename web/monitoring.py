"""The monitoring cockpit (``/monitoraggio``): the programme's figures for the coordinator, the
cabina di regia and the evaluator (aggregates only), per period and territory, each table with
its chart and its downloads (CSV, XLSX, JSON); the case list and the ESF+ participant file.

Everything comes from ``Engine.reports`` (small cells already suppressed, every download logged
in the access log with its filters); this module formats, draws the charts (server-side SVG,
each with its table and a text alternative) and answers downloads. The API reuses ``download``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from flask_babel import format_decimal

from engine import errors
from engine.model import Actor, Cell, Period, Report, ReportTable
from web import security
from web.errors import ensure_id
from web.i18n import _, readable_lanes

bp = Blueprint("monitoring", __name__)

AGGREGATES = ("funnel", "sla", "esf")
SUPPRESSED = "< 5"  # as in the downloads: fewer than five people
MAX_TEXT = 100
BAR_HEIGHT = 28


def _arg(name: str) -> str:
    return request.args.get(name, "").strip()[:MAX_TEXT]


def measures(column: str) -> bool:
    """A column of percentages or of days (a median, a 90th percentile), not of people."""
    return column.startswith("%") or "giorni" in column.casefold() or column.startswith("gg")


def cell_text(cell: Cell, column: str = "", row: str = "") -> str:
    """A figure as people read it: ``< 5`` for a suppressed count of people, ``n. d.`` for a
    percentage or a number of days suppressed because fewer than five people are behind it (``< 5``
    there would read as "under 5 %" or "under five days"), Italian number format, ``%``. A row
    can be the percentage ("% di lavoratori svantaggiati" in a column "Numero") as well as a column."""
    if cell.suppressed:
        return str(_("n. d.")) if measures(column) or row.startswith("%") else SUPPRESSED
    if cell.value is None:
        return "—"
    text = str(format_decimal(cell.value, format="#,##0.#"))
    return f"{text} %" if column.startswith("%") or row.startswith("%") else text


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart of a table's first column, drawn on the server as SVG."""

    key: str
    title: str
    description: str
    bars: tuple[Bar, ...]
    height: int


def chart(table: ReportTable, width: int = 420) -> Chart | None:
    """The chart of ``table``'s first column (without its total row, which would dwarf the
    parts); suppressed figures get no bar, only ``< 5``."""
    table = dataclasses.replace(table, rows=tuple(r for r in table.rows if r.key != "totale"))
    values = [r.cells[0].value if r.cells and not r.cells[0].suppressed else None for r in table.rows]
    numbers = [float(v) for v in values if isinstance(v, int | float)]
    if not numbers:
        return None
    top = max(numbers) or 1.0
    bars = tuple(
        Bar(
            label=r.label,
            value=float(v) if isinstance(v, int | float) else 0.0,
            text=cell_text(r.cells[0], table.columns[0]),
            y=i * BAR_HEIGHT,
            width=(float(v) / top * width) if isinstance(v, int | float) else 0.0,
        )
        for i, (r, v) in enumerate(zip(table.rows, values, strict=True))
    )
    description = "; ".join(f"{b.label}: {b.text}" for b in bars)
    return Chart(table.key, table.title, description, bars, len(bars) * BAR_HEIGHT)


CHARTED = {"imbuto", "esiti", "strumenti", "territori"}


def period_choices(selected: str) -> tuple[list[Period], str]:
    """The periods a select offers (templates/_period.html) and the code of ``selected`` among
    them: the engine's recent ones, plus ``selected`` when it is an older one (carried by a link
    or typed in the address), so that the select says what the page shows. A malformed or future
    ``selected`` adds nothing: the page says why."""
    reports = security.engine().reports
    choices = reports.periods()
    try:
        wanted = reports.period(selected)
    except errors.InvalidData:
        return choices, selected
    if wanted.code not in {p.code for p in choices}:
        choices.append(wanted)
    return choices, wanted.code


def page_problem(err: errors.InvalidData) -> str:
    """What the page says of refused filters. The engine names a bad period by its code and the
    codes' format (the words the API and the CLI need); a person chose it from a list, or followed
    an old link, so the page points back to the list instead."""
    if "period" in err.messages:
        return _(
            "Il periodo indicato nell'indirizzo non è tra quelli disponibili: sceglierne uno dall'elenco «Periodo»."
        )
    return "; ".join(str(m) for messages in err.messages.values() for m in messages) or err.message


def _reports(actor: Actor, period: str, territory: str | None) -> list[Report]:
    reports = security.engine().reports
    kinds = [*AGGREGATES, *(["wip"] if reports.may_operate(actor=actor) else [])]
    return [reports.report(kind, actor=actor, period=period, territory=territory) for kind in kinds]


@bp.get("/monitoraggio")
@security.area("monitoring")
def index() -> tuple[str, int]:
    actor = security.actor()
    engine = security.engine()
    period = _arg("periodo") or engine.reports.current_period()
    territory = _arg("territorio") or None
    problem = None
    found: list[Report] = []
    try:
        found = _reports(actor, period, territory)
    except errors.InvalidData as err:
        problem = page_problem(err)
    status = 422 if problem else 200
    periods, period = period_choices(period)
    return (
        render_template(
            "monitoring.html",
            reports=found,
            period=period,
            periods=periods,
            territory=territory or "",
            problem=problem,
            charted=CHARTED,
            chart=chart,
            cell_text=cell_text,
            bar_height=BAR_HEIGHT,
            may_operate=engine.reports.may_operate(actor=actor),
            may_participants=engine.reports.may_export_participants(actor=actor),
            files=_files(period, territory),
            documents=engine.reports.documents(actor=actor) if engine.reports.may_read_documents(actor=actor) else [],
        ),
        status,
    )


@bp.get("/monitoraggio/documenti/<int:case_id>.pdf")
@security.area("monitoring_documents")
def document_pdf(case_id: int) -> Response:
    """An approved semester report or evaluation as archived (the engine checks it against its
    hash and logs the download); the valutatore's way to it, who cannot open the case."""
    file = security.engine().reports.semester_report_pdf(
        ensure_id(case_id), actor=security.actor(), ip=security.client_ip()
    )
    response = Response(file.body, mimetype=file.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{file.name}"'
    return response


def _files(period: str, territory: str | None) -> dict[str, dict[str, str]]:
    """The download links of every report and file, with the page's filters."""
    query: dict[str, Any] = {"periodo": period, **({"territorio": territory} if territory else {})}
    links: dict[str, dict[str, str]] = {}
    for fmt in ("csv", "xlsx", "json"):
        for kind in AGGREGATES:
            links.setdefault(kind, {})[fmt] = url_for("monitoring.report_file", kind=kind, export_format=fmt, **query)
        links.setdefault("wip", {})[fmt] = url_for("monitoring.work_file", export_format=fmt, **query)
        links.setdefault("casi", {})[fmt] = url_for("monitoring.cases_file", export_format=fmt, **query)
        links.setdefault("partecipanti", {})[fmt] = url_for("monitoring.participants_file", export_format=fmt, **query)
    return links


def download(kind: str, export_format: str, actor: Actor, period: str, territory: str | None) -> Response:
    """A report, the case list (``casi``) or the participant file (``partecipanti``) as a file;
    CSV streams. The engine logs it in the access log with its filters."""
    file = security.engine().reports.export(
        kind, export_format, actor=actor, period=period, territory=territory, ip=security.client_ip()
    )
    response = Response(file.body, mimetype=file.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{file.name}"'
    return response


def _download(kind: str, export_format: str) -> Response:
    period = _arg("periodo") or security.engine().reports.current_period()
    return download(kind, export_format, security.actor(), period, _arg("territorio") or None)


@bp.get("/monitoraggio/<any(funnel, sla, esf):kind>.<any(csv, xlsx, json):export_format>")
@security.area("monitoring")
def report_file(kind: str, export_format: str) -> Response:
    return _download(kind, export_format)


@bp.get("/monitoraggio/wip.<any(csv, xlsx, json):export_format>")
@security.area("monitoring_operations")
def work_file(export_format: str) -> Response:
    return _download("wip", export_format)


@bp.get("/monitoraggio/casi.<any(csv, xlsx, json):export_format>")
@security.area("monitoring_operations")
def cases_file(export_format: str) -> Response:
    return _download("casi", export_format)


@bp.get("/monitoraggio/partecipanti.<any(csv, xlsx, json):export_format>")
@security.area("monitoring_participants")
def participants_file(export_format: str) -> Response:
    return _download("partecipanti", export_format)


DEFAULT_PROCESS = "valutazione_bisogno"


def heat_document(actor: Actor, process_id: str, period: str, territory: str | None) -> dict[str, Any]:
    """The diagram of ``process_id`` with, per user task, the figures and a heat level 0–3
    (the 90th percentile of days spent against the slowest task's); the page's script and the
    API read it."""
    load = security.engine().reports.bottlenecks(process_id, actor=actor, period=period, territory=territory)
    slowest = max((float(e.p90_days.value) for e in load.elements if e.p90_days.value is not None), default=0.0)
    elements = []
    for e in load.elements:
        p90 = e.p90_days.value
        level = None if p90 is None or slowest <= 0 else min(3, int(float(p90) / slowest * 4))
        elements.append(
            {
                "id": e.bpmn_id,
                "name": e.name,
                "passed": cell_text(e.passed),
                "now": cell_text(e.now),
                "median_days": cell_text(e.median_days, "giorni"),
                "p90_days": cell_text(e.p90_days, "giorni"),
                "overdue": cell_text(e.overdue_share, "%"),
                "level": level,
                "cases": list(e.cases),
            }
        )
    return {"process_id": load.process_id, "xml": load.xml, "elements": elements}


@bp.get("/monitoraggio/colli-di-bottiglia")
@security.area("monitoring")
def bottlenecks() -> tuple[str, int]:
    engine = security.engine()
    process_id = _arg("processo") or DEFAULT_PROCESS
    period = _arg("periodo") or engine.reports.current_period()
    territory = _arg("territorio") or None
    problem, document = None, None
    try:
        document = heat_document(security.actor(), process_id, period, territory)
    except errors.InvalidData as err:
        problem = page_problem(err)
    processes = [(p.process_id, p.name) for p in engine.design.processes(actor=security.actor())]
    periods, period = period_choices(period)
    query: dict[str, Any] = {
        "processo": process_id,
        "periodo": period,
        **({"territorio": territory} if territory else {}),
    }
    return (
        render_template(
            "monitoring_heat.html",
            document=document,
            processes=processes,
            process_id=process_id,
            period=period,
            periods=periods,
            territory=territory or "",
            problem=problem,
            data_url=url_for("monitoring.bottlenecks_json", **query),
        ),
        422 if problem else 200,
    )


@bp.get("/monitoraggio/colli-di-bottiglia.json")
@security.area("monitoring")
def bottlenecks_json() -> Response:
    engine = security.engine()
    document = heat_document(
        security.actor(),
        _arg("processo") or DEFAULT_PROCESS,
        _arg("periodo") or engine.reports.current_period(),
        _arg("territorio") or None,
    )
    return jsonify({**document, "xml": readable_lanes(document["xml"])})
