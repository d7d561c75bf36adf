"""What the engine adds to an answer: a user task whose diagram names ``engineData`` gets, when
it is completed, values only the engine can compute, merged into the validated answer.

Diagram code runs in a sandboxed worker that sees the case data and nothing else (no database),
so figures read from the engine cannot come from a script. Merging them into the answer instead
keeps everything the usual way: they are in the task-completed event (the replay feeds the same
answer to the diagram, so it is faithful without recomputing anything), in the case data the next
tasks read, and in the same transaction as the command.

- ``fotografia_monitoraggio``: the cockpit's funnel, times and ESF+ indicators for the case's
  territory and period (``periodo``), read with the completing person's rights, small cells
  suppressed as the reports do, frozen as rows of text (``cifre_monitoraggio``).
- ``archivio_relazione``: when the answer approves the report (``esito_revisione`` =
  ``APPROVATA``), the date and approver, and the SHA-256 of the report's PDF
  (``engine.semester_pdf``, deterministic: the download renders it again and checks the hash).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from engine import errors, semester_pdf
from engine.forms import from_person, get_form
from engine.model import (
    Actor,
    ArchivedDocument,
    CaseRecord,
    CaseStatus,
    Cell,
    ExportFile,
    PersonRecord,
    Report,
    age_on,
)
from engine.monitoring import GENDERS, age_band, current_period, parse_period
from engine.policy import Permission, Target, allows, require
from engine.ports import AbstractUnitOfWork
from engine.services.case_queries import log_access
from engine.services.context import Context
from engine.services.people import identity_of_case
from engine.services.reports import report_in

FROZEN_REPORTS = ("funnel", "sla", "esf")
SUPPRESSED = "< 5"
NO_DATA = "Nessun dato"

Hook = Callable[[Context, AbstractUnitOfWork, Actor, CaseRecord, dict[str, Any], dict[str, Any]], dict[str, Any]]


def frozen_rows(report: Report) -> list[dict[str, str]]:
    """A report as the rows the case keeps: table, row label, the row's figures as text."""
    if report.empty_reason or not report.tables:
        return [{"prospetto": report.title, "voce": NO_DATA, "valori": report.empty_reason or ""}]
    rows = []
    for table in report.tables:
        for row in table.rows:
            values = "; ".join(
                f"{column}: {_cell(cell, column)}" for column, cell in zip(table.columns, row.cells, strict=True)
            )
            rows.append({"prospetto": f"{report.title} – {table.title}", "voce": row.label, "valori": values})
    return rows


def _cell(cell: Cell, column: str) -> str:
    if cell.suppressed:
        return SUPPRESSED
    if cell.value is None:
        return "—"
    text = f"{cell.value:.1f}".replace(".", ",") if isinstance(cell.value, float) else str(cell.value)
    return f"{text} %" if column.startswith("%") else text


def with_period(data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """A case started with a reporting period (``periodo``) gets it checked at once, so that a
    malformed or future one is refused at the start, not when the figures are frozen; it is
    kept in its normal form with its description (``periodo_descrizione``), which the pages
    show instead of the code."""
    if data.get("periodo") in (None, ""):
        return data
    try:
        when = parse_period(str(data["periodo"]), today)
    except errors.InvalidData as err:
        raise errors.InvalidData(str(err), {"periodo": err.messages.get("period", [])}) from None
    return {**data, "periodo": when.code, "periodo_descrizione": when.label}


def _freeze(
    ctx: Context,
    uow: AbstractUnitOfWork,
    actor: Actor,
    record: CaseRecord,
    case: dict[str, Any],
    answer: dict[str, Any],
) -> dict[str, Any]:
    now = ctx.clock.now()
    try:
        # no period given at the start: the half-year the clock is in, as the cockpit opens
        when = parse_period(str(case.get("periodo") or current_period(now.date())), now.date())
    except errors.InvalidData as err:
        raise errors.InvalidData(str(err), {"periodo": err.messages.get("period", [])}) from None
    figures: list[dict[str, str]] = []
    for kind in FROZEN_REPORTS:
        figures += frozen_rows(report_in(ctx, uow, kind, actor, when, record.territory))
    return {
        "periodo": when.code,
        "cifre_monitoraggio": figures,
        "periodo_descrizione": when.label,
        "data_fotografia": now.isoformat(),
    }


def _archive(
    ctx: Context,
    uow: AbstractUnitOfWork,
    actor: Actor,
    record: CaseRecord,
    case: dict[str, Any],
    answer: dict[str, Any],
) -> dict[str, Any]:
    if answer.get("esito_revisione") != "APPROVATA":
        return {}
    approval = {"data_approvazione": ctx.clock.now().date().isoformat(), "approvata_da": actor.username}
    pdf = semester_pdf.render({**case, **answer, **approval})
    return {**approval, "relazione_pdf_sha256": hashlib.sha256(pdf).hexdigest()}


HOOKS: dict[str, Hook] = {"fotografia_monitoraggio": _freeze, "archivio_relazione": _archive}


def identity_facts(
    ctx: Context, uow: AbstractUnitOfWork, form_key: str | None, record: CaseRecord, answer: dict[str, Any]
) -> dict[str, Any]:
    """What a form that takes the person record (``from_person``) adds to its answer, the facts
    it names in ``derived``: for the ESF+ entry form the age group at entry (``fascia_eta``) and
    the gender (``genere``); for the preliminary assessment the age in completed years on the
    day the task is completed (``eta``, which the decision tables read). So the read model, the
    reports and the replay have them while the birth date stays sealed in the person record,
    never in an event. The form's rules that need the birth date are asked here (422 on the
    answer's fields, ``person_messages``).

    A record lacking a field the form cannot do without (``person_required``) refuses the
    answer (422, the message names what to complete in the person record); otherwise nothing is
    derived from a missing field, and the reports count the person as "not recorded"."""
    if not from_person(form_key) or form_key is None:
        return {}
    cls = get_form(form_key)
    person = identity_of_case(ctx, uow, record.id)
    missing = [f for f in cls.person_required if person is None or getattr(person, f, None) in (None, "")]
    if missing:
        raise errors.InvalidData(
            f"form {form_key}: the person record lacks {', '.join(missing)}", {"_schema": [_missing_message(person)]}
        )
    if person is None:
        return {}
    today = ctx.clock.now().date()  # the completion day, as the diagrams' fn_today() reads it
    facts = {name: value for name in cls.derived if (value := _DERIVED[name](person, answer, today)) is not None}
    messages = cls.person_messages(answer, person.data_nascita, facts)
    if messages:
        raise errors.InvalidData(f"form {form_key}: contradicts the person record", messages)
    return facts


def _missing_message(person: PersonRecord | None) -> str:
    if person is None:
        return (
            "La persona non ha ancora una scheda anagrafica: l'età si calcola dalla sua data di nascita. "
            "Compila la scheda anagrafica, poi completa l'attività."
        )
    return (
        "La scheda anagrafica della persona non riporta la data di nascita: l'età si calcola da lì. "
        "Completa la scheda anagrafica, poi completa l'attività."
    )


def _age(person: PersonRecord, answer: dict[str, Any], today: dt.date) -> int | None:
    return age_on(person.data_nascita, today) if person.data_nascita is not None else None


def _entry_age_band(person: PersonRecord, answer: dict[str, Any], today: dt.date) -> str | None:
    entry = answer.get("data_ingresso")
    if person.data_nascita is None or not entry:
        return None
    return age_band(person.data_nascita, dt.date.fromisoformat(str(entry)[:10]))


def _gender(person: PersonRecord, answer: dict[str, Any], today: dt.date) -> str | None:
    return person.sesso if person.sesso in GENDERS else None


# each fact a form may name in ``derived``: from the person record, the answer and the completion day
_DERIVED: dict[str, Callable[[PersonRecord, dict[str, Any], dt.date], Any]] = {
    "eta": _age,
    "fascia_eta": _entry_age_band,
    "genere": _gender,
}


# The person a dry run stands in for: no case, no record, yet the decision tables read the facts a
# record gives (the age on the completion day, the gender). Thirty years old on the run's day.
SAMPLE_AGE = 30


def sample_facts(form_key: str | None, answer: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The facts ``identity_facts`` would add to ``answer`` for a sample person (``SAMPLE_AGE``
    years old on ``today``, a woman): what a dry run answers in place of the person record."""
    if not from_person(form_key) or form_key is None:
        return {}
    born = dt.date(today.year - SAMPLE_AGE, today.month, min(today.day, 28))  # 30 on ``today``
    person = PersonRecord(id="", pseudonym="", nome="", cognome="", codice_fiscale=None, data_nascita=born, sesso="F")
    derived = get_form(form_key).derived
    return {name: value for name in derived if (value := _DERIVED[name](person, answer, today)) is not None}


def added(
    ctx: Context,
    uow: AbstractUnitOfWork,
    name: str | None,
    actor: Actor,
    record: CaseRecord,
    case: dict[str, Any],
    answer: dict[str, Any],
) -> dict[str, Any]:
    """The values the task's ``engineData`` adds to ``answer`` ({} when it names none)."""
    if not name:
        return {}
    if name not in HOOKS:
        raise errors.ProcessFailed(f"unknown engineData {name!r} on the task")
    return HOOKS[name](ctx, uow, actor, record, case, answer)


ARCHIVE = "archivio_relazione"


def _archives(ctx: Context, uow: AbstractUnitOfWork, version_id: int) -> bool:
    """Whether a process version archives an approved document (a task names ``archivio_relazione``)."""
    return any(task.engine_data == ARCHIVE for task in ctx.specs_for(uow, version_id).user_tasks.values())


def report_document(ctx: Context, case_id: int, actor: Actor, ip: str | None = None) -> ExportFile:
    """The approved report's PDF, rendered again from the case data and checked against the hash
    recorded at approval (a change of the data since then is a conflict, never a different file).

    It holds the frozen aggregates and the commentary, no case: those who may read the programme's
    documents in the case's territory download it (``report_documents``: the valutatore too, who
    has no access to the case itself); every download is in the access log."""
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        require(actor, Permission.REPORT_DOCUMENTS, Target(record.territory))
        expected = record.data.get("relazione_pdf_sha256")
        if not expected or not _archives(ctx, uow, record.process_version_id):
            raise errors.NotFound(f"case {case_id} has no approved report")
        pdf = semester_pdf.render(record.data)
        if hashlib.sha256(pdf).hexdigest() != expected:
            raise errors.Conflict(f"case {case_id}: the report's data changed after its approval")
        what = str(record.data.get("titolo_documento") or "relazione semestrale").lower()
        log_access(ctx, uow, actor, case_id, list(semester_pdf.CONTENT_KEYS), f"{what} (PDF)", ip)
        uow.commit()
    period = str(record.data.get("periodo") or "")
    where = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in (record.territory or "tutti"))
    kind = {"INTERMEDIA": "valutazione_intermedia", "FINALE": "valutazione_finale"}.get(
        str(record.data.get("tipo_valutazione")), "relazione_semestrale"
    )
    return ExportFile(name=f"{kind}_{period}_{where}.pdf", media_type="application/pdf", body=pdf)


def archived_documents(ctx: Context, actor: Actor) -> list[ArchivedDocument]:
    """The approved documents (semester reports, evaluations) the actor may download, newest
    period first: the completed cases of the processes that archive one, in the actor's territories."""
    found: list[ArchivedDocument] = []
    with ctx.uow(write=False) as uow:
        for version in uow.processes.list_latest():
            if not _archives(ctx, uow, version.id):
                continue
            offset = 0
            while True:
                batch = uow.cases.search(
                    process_id=version.process_id, status=CaseStatus.COMPLETED, with_data=True, limit=200, offset=offset
                )
                for record in batch:
                    data = record.data
                    if data.get("relazione_pdf_sha256") and allows(
                        actor, Permission.REPORT_DOCUMENTS, Target(record.territory)
                    ):
                        found.append(
                            ArchivedDocument(
                                case_id=record.id,
                                title=str(data.get("titolo_documento") or "Relazione semestrale di monitoraggio"),
                                period=str(data.get("periodo") or ""),
                                period_label=str(data.get("periodo_descrizione") or data.get("periodo") or ""),
                                territory=record.territory,
                                approved_on=str(data.get("data_approvazione") or ""),
                            )
                        )
                if len(batch) < 200:
                    break
                offset += 200
    return sorted(found, key=lambda d: (d.period, d.approved_on, d.case_id), reverse=True)
