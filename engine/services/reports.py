"""Monitoring use cases: the programme reports read from the read model (``report_case`` and the
inbox rows), its rebuild from the audit events, and the exports' rows.

Reports: the funnel (referral → outcome → pact → start → result → follow-up), the work in
progress (open tasks by role and organisation, quiet cases, clock incidents), the times against
the agreed and legal limits, and the ESF+ common indicators. Every count of people under five is
suppressed (engine.monitoring). Definitions: docs/monitoring.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence

from engine import errors, exports
from engine.audit.replay import replay
from engine.degurba import DEGREES
from engine.model import (
    ENTERPRISE_LEGAL_FORMS,
    Actor,
    CaseFacts,
    Cell,
    DataFile,
    ElementLoad,
    ExportFile,
    FileValue,
    OpenTaskKey,
    Period,
    ProcessLoad,
    RebuildResult,
    Report,
    ReportRow,
    ReportTable,
    json_int,
)
from engine.monitoring import (
    ADI_LEGAL_DAYS,
    AGE_BANDS,
    CITIZENSHIP,
    CLOSURE_REASONS,
    CONDITIONS,
    EECO,
    EECR_6M,
    EECR_EXIT,
    EXIT_REASONS,
    GENDERS,
    HOUSING,
    IMPLEMENTATION_OUTCOMES,
    INSTRUMENTS,
    ISCED,
    LABOUR,
    OUTCOMES,
    STAGES,
    STATES,
    YES_NO,
    SummaryKey,
    count_cell,
    days_cells,
    facts_after,
    parse_period,
    previous_period,
    protect,
    share_cell,
)
from engine.policy import Permission, Target, is_system, require, roles_with
from engine.ports import AbstractUnitOfWork
from engine.quota import verify_quota
from engine.roles import ROLES
from engine.services.context import Context
from engine.services.dossier import pseudonym_key
from engine.services.enterprises import roster as enterprise_roster

KINDS = ("funnel", "wip", "sla", "esf")
TITLES = {
    "funnel": "Percorsi: dalla segnalazione al follow-up",
    "wip": "Lavoro in corso",
    "sla": "Tempi di presa in carico e di esito",
    "esf": "Indicatori comuni FSE+",
}
PEOPLE = "Persone"
OTHER = "Altro"


# --- who sees what ------------------------------------------------------------------------


def scope(actor: Actor, permission: Permission, territory: str | None) -> list[str] | None:
    """The territories a report covers for ``actor``: the one asked for (checked), or every
    territory where the actor holds the permission (None: all of them)."""
    if territory:
        require(actor, permission, Target(territory))
        return [territory]
    if is_system(actor):
        require(actor, permission)
        return None
    allowed = roles_with(permission)
    grants = actor.grants or {(r, t) for r in actor.roles for t in (actor.territories or {""})}
    places = {t for r, t in grants if r in allowed}
    if not places:
        raise errors.Forbidden(f"{actor.username} lacks permission {permission.value}")
    return None if "" in places else sorted(places)


def _where(territory: str | None) -> str:
    return f"nel territorio {territory}" if territory else "nei territori di competenza"


# --- the read model: rebuild --------------------------------------------------------------


def rebuild(ctx: Context, actor: Actor, *, batch: int = 200) -> RebuildResult:
    """Recompute every case's row from its audit events (a replay of each case on its pinned
    versions, folded with the same ``facts_after`` the commands use). A case that cannot be
    replayed keeps its row and is listed in ``kept``."""
    require(actor, Permission.CASE_ADMINISTER)
    after, cases, replayed, kept = 0, 0, 0, []
    while True:
        with ctx.uow(write=False) as uow:
            ids = uow.reports.case_ids(after, batch)
        if not ids:
            break
        for case_id in ids:
            cases += 1
            facts = _facts_from_events(ctx, case_id)
            if facts is None:
                kept.append(case_id)
                continue
            with ctx.uow() as uow:
                uow.reports.replace(facts)
                uow.commit()
            replayed += 1
        after = ids[-1]
    with ctx.uow() as uow:  # the counters, from the rows just written (and any a command wrote since)
        uow.reports.rebuild_summary()
        uow.commit()
    return RebuildResult(cases=cases, replayed=replayed, kept=tuple(kept))


def rebuilt(ctx: Context, case_id: int, actor: Actor) -> CaseFacts | None:
    """The case's row as a replay of its events gives it, without writing it (for who
    administers cases: it checks the read model against the events)."""
    require(actor, Permission.CASE_ADMINISTER)
    return _facts_from_events(ctx, case_id)


def _facts_from_events(ctx: Context, case_id: int) -> CaseFacts | None:
    """The case's row as its events say, or None when they cannot be replayed."""
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        events = uow.events.for_case(case_id)
        items = {t.id: t.context.get("item") for t in uow.tasks.for_case(case_id)}
        version_ids = {record.process_version_id} | {
            json_int(e.data[k]) for e in events if e.kind == "migrated" for k in ("from_version_id", "to_version_id")
        }
        versions = {vid: ctx.specs_for(uow, vid) for vid in version_ids}
    if not events:
        return None
    try:
        result = replay(
            versions.__getitem__,
            record.process_version_id,
            events,
            items,
            dict(ctx.parameters),
            limits=ctx.script_limits,
        )
    except (errors.EngineError, KeyError, ValueError, TypeError):
        return None
    facts: CaseFacts | None = None
    for step in result.steps:
        facts = facts_after(
            facts,
            case_id=record.id,
            process_id=record.process_id,
            territory=record.territory,
            status=step.status,
            phase=step.phase,
            data=step.data,
            at=step.at,
            created_at=record.created_at,
        )
    return facts


def read_model(ctx: Context, actor: Actor) -> list[CaseFacts]:
    """Every row of the read model (checks and tests compare it with a rebuild)."""
    require(actor, Permission.CASE_ADMINISTER)
    with ctx.uow(write=False) as uow:
        return uow.reports.all()


def summary(ctx: Context, actor: Actor) -> dict[SummaryKey, int]:
    """Every counter the commands kept (checks and tests compare it with ``summary_of`` the rows)."""
    require(actor, Permission.CASE_ADMINISTER)
    with ctx.uow(write=False) as uow:
        return uow.reports.summary_all()


def task_counters(ctx: Context, actor: Actor) -> tuple[dict[OpenTaskKey, int], dict[OpenTaskKey, int]]:
    """The open-task counters as kept, and as the inbox rows say (equal when whole)."""
    require(actor, Permission.CASE_ADMINISTER)
    with ctx.uow(write=False) as uow:
        kept, now = uow.reports.open_task_counts()
        return kept, now


# --- reports ------------------------------------------------------------------------------


def report(ctx: Context, kind: str, actor: Actor, *, period: str, territory: str | None = None) -> Report:
    """One report (``funnel`` | ``wip`` | ``sla`` | ``esf``) on ``period`` and ``territory``."""
    if kind not in KINDS:
        raise errors.InvalidData(f"unknown report {kind!r}", {"report": [f"Report non previsto: {', '.join(KINDS)}."]})
    now = ctx.clock.now()
    when = parse_period(period, now.date())
    with ctx.uow(write=False) as uow:
        return report_in(ctx, uow, kind, actor, when, territory)


def report_in(
    ctx: Context, uow: AbstractUnitOfWork, kind: str, actor: Actor, when: Period, territory: str | None
) -> Report:
    """One report read in ``uow``: a command that freezes the figures into a case reads them in
    its own transaction, so they are exactly what the cockpit showed at that instant."""
    now = ctx.clock.now()
    permission = Permission.REPORT_OPERATIONS if kind == "wip" else Permission.REPORT_AGGREGATES
    places = scope(actor, permission, territory)
    builder = {"funnel": _funnel, "wip": _wip, "sla": _sla, "esf": _esf}[kind]
    tables, cases, empty = builder(ctx, uow, places, when, now)
    return Report(
        kind=kind,
        title=TITLES[kind],
        period=when,
        territory=territory or None,
        tables=tuple(tables) if not empty else (),
        generated_at=now,
        empty_reason=empty,
        cases=cases,
    )


Built = tuple[list[ReportTable], int, str | None]
Counts = dict[tuple[str, str], int]  # (territory, key) → people, from the summary


def _none_referred(when: Period, places: Sequence[str] | None) -> str:
    where = f"nel territorio {places[0]}" if places and len(places) == 1 else "nei territori di competenza"
    return f"Nessuna persona segnalata {where} nel periodo «{when.label}»."


def _total(counts: Counts, key: str) -> int:
    return sum(n for (_, k), n in counts.items() if k == key)


def _values(counts: Counts, dimension: str) -> Counter[str]:
    """People by the value of ``dimension`` (keys ``dimension|value``), over every territory."""
    prefix = f"{dimension}|"
    found: Counter[str] = Counter()
    for (_, key), n in counts.items():
        if key.startswith(prefix):
            found[key[len(prefix) :]] += n
    return found


def _breakdown(
    key: str, title: str, values: Mapping[str, int], labels: Mapping[str, str], *, unknown: str = OTHER
) -> ReportTable:
    """A partition of people by one code (``values``: code → people), with its total; codes
    outside ``labels`` count as ``unknown``."""
    counts: Counter[str] = Counter()
    for code, n in values.items():
        counts[code if code in labels else "_"] += n
    keys = [k for k in labels if counts[k]] + (["_"] if counts["_"] else [])
    cells = protect(counts[k] for k in keys)
    rows = [ReportRow(k, labels.get(k, unknown), (c,)) for k, c in zip(keys, cells, strict=True)]
    rows.append(ReportRow("totale", "Totale", (count_cell(sum(counts.values())),)))
    return ReportTable(key, title, (PEOPLE,), tuple(rows))


def _funnel(
    ctx: Context, uow: AbstractUnitOfWork, places: Sequence[str] | None, when: Period, now: dt.datetime
) -> Built:
    cohort = uow.reports.summary("referral", when.start, when.end, places, by_territory=False)
    people = _total(cohort, "stage|segnalati")
    if not people:
        return [], 0, _none_referred(when, places)
    before = previous_period(when)
    earlier = _values(
        uow.reports.summary("referral", before.start, before.end, places, prefix="stage|", by_territory=False), "stage"
    )
    stages = _values(cohort, "stage")
    funnel = ReportTable(
        "imbuto",
        "Dalla segnalazione al follow-up",
        (PEOPLE, f"{PEOPLE} – {before.label.lower()}"),
        tuple(ReportRow(k, label, (count_cell(stages[k]), count_cell(earlier[k]))) for k, label, _ in STAGES),
        note="Persone segnalate nel periodo, seguite in ogni fase fino a oggi; accanto, quelle del periodo precedente.",
    )
    outcomes = _breakdown("esiti", "Esito della valutazione", _values(cohort, "outcome"), OUTCOMES)
    instruments = _breakdown("strumenti", "Percorsi avviati per strumento", _values(cohort, "instrument"), INSTRUMENTS)
    results = _breakdown(
        "esiti_attuazione", "Esito dell'attuazione", _values(cohort, "result"), IMPLEMENTATION_OUTCOMES
    )
    dropouts = _breakdown(
        "uscite_anticipate",
        "Uscite dal percorso prima del risultato, per motivo",
        _values(cohort, "left"),
        CLOSURE_REASONS,
    )
    tables = [funnel, outcomes, instruments, results, dropouts]
    startups = _startups(uow, places, when, now.date())
    return [*tables, *([startups] if startups else [])], people, None


def _startups(
    uow: AbstractUnitOfWork, places: Sequence[str] | None, when: Period, today: dt.date
) -> ReportTable | None:
    """Enterprises created in the period (track B), by legal form, with the disadvantaged workers'
    quota (L. 381/1991, D.Lgs. 112/2017) checked today on each one's roster."""
    start = dt.datetime.combine(when.start, dt.time(), dt.UTC)
    end = dt.datetime.combine(when.end, dt.time(), dt.UTC)
    created = [
        e for e in uow.enterprises.all(frozenset(places) if places is not None else None) if start <= e.created_at < end
    ]
    if not created:
        return None
    forms = Counter(e.forma_giuridica for e in created)
    met = below = workers = counted = founders = founders_hired = 0
    for e in created:
        links = uow.enterprises.links(e.id)
        programme_founders, hired = dataclasses.replace(e, links=tuple(links)).founders_hired
        founders, founders_hired = founders + programme_founders, founders_hired + hired
        check = verify_quota(e.forma_giuridica, enterprise_roster(links), today)
        if check["richiesta"]:
            met += 1 if check["rispettata"] else 0
            below += 0 if check["rispettata"] else 1
            workers += int(check.get("base") or 0)
            counted += int(check.get("svantaggiati_conteggiati") or 0)
    rows = [ReportRow("imprese", "Imprese costituite", (Cell(len(created)),))]
    rows += [ReportRow(f, ENTERPRISE_LEGAL_FORMS.get(f, OTHER), (Cell(n),)) for f, n in sorted(forms.items())]
    rows += [
        ReportRow("quota_rispettata", "Con la quota di lavoratori svantaggiati rispettata (30 %)", (Cell(met),)),
        ReportRow("quota_non_rispettata", "Sotto la quota", (Cell(below),)),
        ReportRow("lavoratori", "Lavoratori nella base della quota", (count_cell(workers),)),
        ReportRow("svantaggiati", "Lavoratori svantaggiati conteggiati", (count_cell(counted),)),
        ReportRow("quota_svantaggiati", "% di lavoratori svantaggiati", (share_cell(counted, workers),)),
        # employment of the programme's own people through the enterprises they founded (people:
        # small cells suppressed)
        ReportRow("fondatori", "Soci fondatori seguiti dal programma", (count_cell(founders),)),
        ReportRow("fondatori_assunti", "Soci fondatori assunti dalla loro impresa", (count_cell(founders_hired),)),
    ]
    follow_ups = [uow.cases.get(e.case_id).data for e in created]
    for months in (12, 24):
        surveyed = [f for d in follow_ups if isinstance(f := d.get(f"follow_up_{months}m"), dict)]
        active = sum(1 for f in surveyed if f.get("impresa_attiva") is True)
        rows += [
            ReportRow(
                f"rilevate_{months}m",
                f"Rilevate a {months} mesi dalla fine dell'accompagnamento",
                (Cell(len(surveyed)),),
            ),
            ReportRow(f"attive_{months}m", f"Ancora attive a {months} mesi", (Cell(active),)),
            ReportRow(
                f"sopravvivenza_{months}m",
                f"% di sopravvivenza a {months} mesi (sulle rilevate)",
                (Cell(round(100.0 * active / len(surveyed), 1)) if surveyed else Cell(None),),
            ),
        ]
    return ReportTable(
        "imprese",
        "Imprese sociali e di comunità avviate nel periodo",
        ("Numero",),
        tuple(rows),
        note="Imprese, non persone: il loro numero è mostrato per intero; i lavoratori e i soci fondatori sotto "
        "cinque no. La quota è verificata oggi sull'organico di ciascuna; la sopravvivenza è quella dichiarata "
        "nei follow-up a 12 e 24 mesi dalla fine dell'accompagnamento (processo dell'impresa).",
    )


def _wip(ctx: Context, uow: AbstractUnitOfWork, places: Sequence[str] | None, when: Period, now: dt.datetime) -> Built:
    groups = uow.reports.open_work(places, now)
    quiet_days = int(ctx.param("giorni_caso_fermo") or 30)
    stalled = uow.reports.stalled(places, now - dt.timedelta(days=quiet_days), 200)
    incidents = uow.timers.incidents(places)
    if not groups and not stalled and not incidents:
        return [], 0, f"Nessuna attività aperta {_where(places[0] if places and len(places) == 1 else None)}."
    rows = []
    for g in groups:
        role = ROLES.get(g["role"] or "", ("Ruolo non indicato", ""))[0]
        label = f"{role} – {g['organisation']}" if g["organisation"] else role
        oldest = g["oldest"]
        age = (now - (oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.UTC))).days if oldest else 0
        rows.append(
            ReportRow(
                f"{g['role']}|{g['organisation'] or ''}",
                label,
                (Cell(int(g["open"])), Cell(int(g["overdue"] or 0)), Cell(int(g["unclaimed"] or 0)), Cell(age)),
            )
        )
    open_table = ReportTable(
        "attivita_aperte",
        "Attività aperte per ruolo e organizzazione",
        ("Aperte", "Scadute", "Da prendere in carico", "Giorni della più vecchia"),
        tuple(rows),
        note="Attività, non persone: i numeri piccoli non identificano nessuno e restano visibili.",
    )
    quiet = ReportTable(
        "casi_fermi",
        f"Percorsi senza attività da oltre {quiet_days} giorni",
        ("Giorni senza attività",),
        tuple(
            ReportRow(
                str(f.case_id),
                f"Caso {f.case_id}",
                (Cell((now - f.last_activity_at).days if f.last_activity_at else None),),
            )
            for f in stalled
        ),
    )
    clock = ReportTable(
        "incidenti",
        "Scadenze automatiche in errore (da riprovare)",
        ("Casi",),
        (ReportRow("incidenti", "Incidenti aperti", (Cell(len(incidents)),)),),
    )
    return [open_table, quiet, clock], len(stalled), None


# the times a partnership agreement (F1) fixes for a referral ← the agreement's fields (days)
AGREED_LIMITS = {"take": "sla_presa_in_carico_giorni", "decide": "sla_esito_valutazione_giorni"}
_STEP_NAMES = {"take": "presa in carico", "decide": "esito"}


def _limits(uow: AbstractUnitOfWork, ctx: Context, places: Sequence[str] | None) -> dict[str, dict[str, int]]:
    """The times agreed in each territory's partnership in force (F1), where it set them."""
    return uow.reports.agreed_limits(places, ctx.settings.partnership_process, AGREED_LIMITS)


def _limits_note(
    territories: Sequence[str], agreed: Mapping[str, Mapping[str, int]], default: Mapping[str, int]
) -> str:
    """Which limit each territory of the report is held to: the agreed ones named, and the
    territories without an agreed time (they get the programme's) named apart."""
    parts, missing = [], []
    for t in sorted(territories):
        times = agreed.get(t, {})
        named = [f"{_STEP_NAMES[s]} {times[s]} giorni" for s in AGREED_LIMITS if s in times]
        if named:
            parts.append(f"{t}: {', '.join(named)}")
        if any(s not in times for s in AGREED_LIMITS):
            missing.append(t if named else f"{t} (nessun tempo concordato)")
    programme = ", ".join(f"{_STEP_NAMES[s]} {default[s]} giorni" for s in AGREED_LIMITS)
    text = ("Limiti concordati negli accordi di partenariato in vigore: " + "; ".join(parts) + ". ") if parts else ""
    if missing:
        text += (
            f"Dove l'accordo non ha fissato un tempo vale il limite predefinito del programma ({programme}): "
            + ", ".join(missing)
            + ". "
        )
    return text + "ADI/SFL: primo appuntamento entro 120 giorni (DL 48/2023)."


def _step_counts(
    uow: AbstractUnitOfWork,
    step: str,
    when: Period,
    places: Sequence[str] | None,
    territories: Sequence[str],
    limit: Callable[[str], int],
) -> list[tuple[int, dict[str, int]]]:
    """The counters of ``step`` (days to it, or waiting since a referral day), summed in the
    database over the territories that are held to the same limit: (limit, key → people) for
    each limit the cohort's ``territories`` are held to.

    Summed by key, not by territory and key: the day histograms fill up with people (about 5,300
    groups for twenty territories at 100k cases), while their keys summed over the territories
    stay as many as the distinct days (a few hundred); the territories' limits, which the
    report compares each person with, are a handful, so the sums are split only by them."""
    by_limit: dict[int, list[str]] = {}
    for territory in territories:
        by_limit.setdefault(limit(territory), []).append(territory)
    if len(by_limit) == 1:  # one limit for everyone (the usual case): the scope's counters at once
        groups = [(next(iter(by_limit)), places)]
    else:
        groups = [(days, sorted(names)) for days, names in sorted(by_limit.items())]
    found = []
    for days, names in groups:
        counts = uow.reports.summary(step, when.start, when.end, names, by_territory=False)
        found.append((days, {key: n for (_, key), n in counts.items()}))
    return found


@dataclasses.dataclass
class _Times:
    """One row of the times report, summed over groups of people held to the same limit."""

    days: Counter[int] = dataclasses.field(default_factory=Counter)  # days to the step → people
    within: int = 0
    waiting: int = 0  # still waiting, for longer than their limit

    def add(self, counts: Mapping[str, int], step: str, limit: int, today: dt.date, adi_only: bool = False) -> None:
        """Add the counters ``step|[adi|]days`` and ``step_wait|[adi|]referral day`` of people
        held to ``limit`` (``adi_only``: only the ADI/SFL recipients', flag 1)."""
        by_adi = step == "take"
        for key, n in counts.items():
            name, _, rest = key.partition("|")
            if name not in (step, f"{step}_wait"):
                continue
            flag, value = rest.split("|") if by_adi else ("0", rest)
            if adi_only and flag != "1":
                continue
            if name == step:
                days = int(value)
                self.days[days] += n
                self.within += n if days <= limit else 0
            elif (today - dt.date.fromisoformat(value)).days > limit:
                self.waiting += n

    def row(self, key: str, label: str, limits: set[int]) -> ReportRow:
        measured = sum(self.days.values())
        pair = protect([self.within, measured - self.within])
        median, p90 = days_cells(self.days)
        return ReportRow(
            key,
            label,
            (
                Cell(next(iter(limits))) if len(limits) == 1 else Cell(None),
                count_cell(measured),
                *pair,
                count_cell(self.waiting),
                share_cell(self.within, measured),
                median,
                p90,
            ),
        )


def _sla(ctx: Context, uow: AbstractUnitOfWork, places: Sequence[str] | None, when: Period, now: dt.datetime) -> Built:
    today = now.date()
    cohort = uow.reports.summary("referral", when.start, when.end, places, keys=("stage|segnalati", "adi"))
    people = _total(cohort, "stage|segnalati")
    if not people:
        return [], 0, _none_referred(when, places)
    referred = sorted({t for (t, k), n in cohort.items() if k == "stage|segnalati"})
    agreed = _limits(uow, ctx, places)
    default = {
        "take": int(ctx.param("giorni_presa_in_carico") or 15),
        "decide": int(ctx.param("giorni_esito_valutazione") or 60),
    }

    def limit_of(step: str) -> Callable[[str], int]:
        return lambda territory: agreed.get(territory, {}).get(step, default[step])

    # each territory is held to the times its partnership agreed: the people are compared with
    # their territory's limit, summed in the database per limit
    taken, decided, adi = _Times(), _Times(), _Times()
    take_counts = _step_counts(uow, "take", when, places, referred, limit_of("take"))
    for limit, counts in take_counts:
        taken.add(counts, "take", limit, today)
        adi.add(counts, "take", ADI_LEGAL_DAYS, today, adi_only=True)
    for limit, counts in _step_counts(uow, "decide", when, places, referred, limit_of("decide")):
        decided.add(counts, "decide", limit, today)
    rows = [
        taken.row("presa_in_carico", "Presa in carico della segnalazione", {limit_of("take")(t) for t in referred}),
        decided.row("esito", "Esito della valutazione", {limit_of("decide")(t) for t in referred}),
    ]
    # an ADI/SFL row when anyone referred receives it (their days to being taken in charge, if any)
    recipients = _total(cohort, "adi")
    if recipients or any(
        n for _, counts in take_counts for k, n in counts.items() if k.startswith(("take|1|", "take_wait|1|"))
    ):
        rows.append(adi.row("adi", "Beneficiari ADI/SFL: primo appuntamento (limite di legge)", {ADI_LEGAL_DAYS}))
    table = ReportTable(
        "tempi",
        "Tempi dalla segnalazione",
        (
            "Limite (giorni)",
            "Persone con la data",
            "Entro il limite",
            "Oltre il limite",
            "In attesa oltre il limite",
            "% entro il limite",
            "Mediana (giorni)",
            "90° percentile (giorni)",
        ),
        tuple(rows),
        note=_limits_note(referred, agreed, default),
    )
    return [table], people, None


_GENDER_COLUMNS = ("Totale", "Donne", "Uomini", "Altro o non dichiarato")


def _by_gender(key: str, label: str, by_group: Mapping[str, int]) -> ReportRow:
    """A row of people by gender group (``F``, ``M``, ``X``: anyone else), with its total."""
    women, men, other = by_group.get("F", 0), by_group.get("M", 0), by_group.get("X", 0)
    return ReportRow(key, label, (count_cell(women + men + other), *protect([women, men, other])))


def _esf(ctx: Context, uow: AbstractUnitOfWork, places: Sequence[str] | None, when: Period, now: dt.datetime) -> Built:
    entered = uow.reports.summary("entry", when.start, when.end, places, by_territory=False)
    left = uow.reports.summary("exit", when.start, when.end, places, by_territory=False)
    followed = uow.reports.summary("fu6", when.start, when.end, places, by_territory=False)
    indicators = _values(entered, "eeco") + _values(left, "eecr") + _values(followed, "eecr")
    ages, areas = _values(entered, "eta"), _values(entered, "degurba")

    def by_gender(counts: Counter[str], code: str) -> dict[str, int]:
        return {g: counts[f"{code}|{g}"] for g in ("F", "M", "X")}

    people = sum(by_gender(indicators, "EECO01").values())
    if (
        not people
        and not indicators["usciti|F"] + indicators["usciti|M"] + indicators["usciti|X"]
        and not any(by_gender(indicators, "follow_up_6m").values())
    ):
        where = f"nel territorio {places[0]}" if places and len(places) == 1 else "nei territori di competenza"
        return [], 0, f"Nessuna scheda di ingresso, di uscita o di follow-up FSE+ {where} nel periodo «{when.label}»."
    territories: Counter[str] = Counter()
    for (t, _), n in uow.reports.summary("entry", when.start, when.end, places, prefix="eeco|EECO01|").items():
        territories[t] += n
    tables = [
        ReportTable(
            "eeco",
            "Indicatori di output: partecipanti entrati nel periodo",
            _GENDER_COLUMNS,
            tuple(_by_gender(k, label, by_gender(indicators, k)) for k, label, _ in EECO),
            note="EECO17: residenti in un comune classificato come zona rurale (DEGURBA 3); "
            "i comuni non ancora classificati sono contati a parte nella tabella per grado di urbanizzazione.",
        ),
        ReportTable(
            "eecr",
            "Indicatori di risultato: uscite e follow-up a 6 mesi nel periodo",
            _GENDER_COLUMNS,
            (
                _by_gender("usciti", "Partecipanti usciti nel periodo", by_gender(indicators, "usciti")),
                *(_by_gender(k, label, by_gender(indicators, k)) for k, label, _ in EECR_EXIT),
                _by_gender(
                    "follow_up_6m", "Partecipanti rilevati a 6 mesi nel periodo", by_gender(indicators, "follow_up_6m")
                ),
                *(_by_gender(k, label, by_gender(indicators, k)) for k, label, _ in EECR_6M),
            ),
        ),
        ReportTable(
            "eta",
            "Partecipanti entrati per fascia d'età",
            _GENDER_COLUMNS,
            tuple(_by_gender(k, label, by_gender(ages, k)) for k, label in AGE_BANDS.items()),
        ),
        ReportTable(
            "urbanizzazione",
            "Partecipanti entrati per grado di urbanizzazione del comune di residenza",
            _GENDER_COLUMNS,
            tuple(_by_gender(k, label, by_gender(areas, k)) for k, label in DEGREES.items()),
        ),
        _breakdown(
            "territori",
            "Partecipanti entrati per territorio",
            territories,
            {t: t or "Senza territorio" for t in sorted(territories)},
        ),
    ]
    return tables, people, None


# --- exports' rows ------------------------------------------------------------------------


_PARTICIPANT_COLUMNS: tuple[tuple[str, str, Mapping[str, str] | None], ...] = (
    ("territory", "Territorio", None),
    ("entry_on", "Data di ingresso", None),
    ("gender", "Genere", GENDERS),
    ("age_band", "Fascia d'età", AGE_BANDS),
    ("labour_status", "Condizione all'ingresso", LABOUR),
    ("isced", "Titolo di studio (ISCED)", ISCED),
    ("disability", "Disabilità (dichiarata)", YES_NO),
    ("citizenship", "Cittadinanza", CITIZENSHIP),
    ("foreign_background", "Origine straniera", YES_NO),
    ("minority", "Minoranza", YES_NO),
    ("housing", "Condizione abitativa (ETHOS)", HOUSING),
    ("exit_on", "Data di uscita", None),
    ("exit_reason", "Motivo dell'uscita", EXIT_REASONS),
    ("eecr01", "In cerca di lavoro all'uscita (EECR01)", None),
    ("eecr02", "In istruzione o formazione all'uscita (EECR02)", None),
    ("eecr03", "Qualifica all'uscita (EECR03)", None),
    ("eecr04", "Occupato all'uscita (EECR04)", None),
    ("condition_6m", "Condizione a 6 mesi", CONDITIONS),
    ("improved_6m", "Situazione migliorata a 6 mesi", YES_NO),
    ("condition_12m", "Condizione a 12 mesi", CONDITIONS),
)
_CASE_COLUMNS: tuple[tuple[str, str, Mapping[str, str] | None], ...] = (
    ("territory", "Territorio", None),
    ("stato_caso", "Stato", STATES),
    ("referral_on", "Segnalazione", None),
    ("taken_in_charge_on", "Presa in carico", None),
    ("outcome", "Esito della valutazione", OUTCOMES),
    ("outcome_on", "Data dell'esito", None),
    ("pact_on", "Patto sottoscritto", None),
    ("instrument", "Strumento", INSTRUMENTS),
    ("started_on", "Avvio", None),
    ("implementation_outcome", "Esito dell'attuazione", IMPLEMENTATION_OUTCOMES),
    ("exit_on", "Uscita", None),
    ("follow_up_6m_on", "Follow-up a 6 mesi", None),
    ("follow_up_12m_on", "Follow-up a 12 mesi", None),
    ("last_activity_at", "Ultima attività", None),
)


def _value(f: CaseFacts, name: str, labels: Mapping[str, str] | None) -> FileValue:
    value: FileValue = getattr(f, name)
    if labels is not None and isinstance(value, str):
        return labels.get(value, OTHER)
    return value


def participants(
    ctx: Context, actor: Actor, *, period: str, territory: str | None = None, ip: str | None = None
) -> DataFile:
    """The ESF+ participant file: one row per person entered in the period, keyed by pseudonym,
    categories only (no identity, no date of birth). Logged in the access log, per case too."""
    now = ctx.clock.now()
    when = parse_period(period, now.date())
    places = scope(actor, Permission.REPORT_PARTICIPANTS, territory)
    key = pseudonym_key(ctx)  # the evaluators' export's key: the same case, the same pseudonym
    with ctx.uow() as uow:
        entered = uow.reports.cohort(places, "entry_on", when.start, when.end)
        pseudonyms = uow.people.pseudonyms_by_case() if entered else {}
        titles = uow.reports.titles([f.case_id for f in entered])
        rows = tuple(
            (
                pseudonyms.get(f.case_id)
                or hmac.new(key, f"{f.case_id}:{titles.get(f.case_id, '')}".encode(), hashlib.sha256).hexdigest()[:20],
                *(_value(f, name, labels) for name, _, labels in _PARTICIPANT_COLUMNS),
            )
            for f in entered
        )
        _log_export(ctx, uow, actor, "partecipanti FSE+", when, territory, ip, [f.case_id for f in entered])
        uow.commit()
    return DataFile(
        key="partecipanti",
        title="Partecipanti FSE+",
        period=when,
        territory=territory or None,
        columns=("Pseudonimo", *(label for _, label, _ in _PARTICIPANT_COLUMNS)),
        rows=rows,
    )


def case_list(
    ctx: Context, actor: Actor, *, period: str, territory: str | None = None, ip: str | None = None
) -> DataFile:
    """The cases referred in the period with where each stands (no personal data beyond the
    case's pseudonym title), for coordinators and the cabina di regia. Logged with its filters."""
    now = ctx.clock.now()
    when = parse_period(period, now.date())
    places = scope(actor, Permission.REPORT_OPERATIONS, territory)
    with ctx.uow() as uow:
        cohort = uow.reports.cohort(places, "referral_on", when.start, when.end)
        titles = uow.reports.titles([f.case_id for f in cohort])
        rows = tuple(
            (f.case_id, titles.get(f.case_id, ""), *(_value(f, name, labels) for name, _, labels in _CASE_COLUMNS))
            for f in cohort
        )
        _log_export(ctx, uow, actor, "elenco casi", when, territory, ip, [])
        uow.commit()
    return DataFile(
        key="casi",
        title="Elenco dei casi",
        period=when,
        territory=territory or None,
        columns=("Caso", "Titolo", *(label for _, label, _ in _CASE_COLUMNS)),
        rows=rows,
    )


def log_report_export(ctx: Context, actor: Actor, report_: Report, export_format: str, ip: str | None = None) -> None:
    """Record that an aggregate report left the system, with its filters."""
    with ctx.uow() as uow:
        _log_export(
            ctx, uow, actor, f"report {report_.kind} ({export_format})", report_.period, report_.territory, ip, []
        )
        uow.commit()


def _log_export(
    ctx: Context,
    uow: AbstractUnitOfWork,
    actor: Actor,
    what: str,
    when: Period,
    territory: str | None,
    ip: str | None,
    case_ids: Sequence[int],
) -> None:
    purpose = f"esportazione {what}: periodo {when.code}, territorio {territory or 'tutti'}"
    now = ctx.clock.now()
    uow.access_log.record(at=now, username=actor.username, case_id=None, purpose=purpose, fields=(), ip=ip)
    for case_id in case_ids:
        uow.access_log.record(
            at=now, username=actor.username, case_id=case_id, purpose=purpose, fields=("micro-dati FSE+",), ip=ip
        )


def may(actor: Actor, permission: Permission) -> bool:
    """Whether the actor holds ``permission`` somewhere (the web layer's menus)."""
    try:
        scope(actor, permission, None)
    except errors.Forbidden:
        return False
    return True


EXPORTS = (*KINDS, "casi", "partecipanti")


def export(
    ctx: Context,
    kind: str,
    export_format: str,
    actor: Actor,
    *,
    period: str,
    territory: str | None = None,
    ip: str | None = None,
) -> ExportFile:
    """A report (``funnel``/``sla``/``esf``/``wip``), the case list (``casi``) or the ESF+
    participant file (``partecipanti``) as CSV (streamed), XLSX or JSON; logged with its filters."""
    if kind not in EXPORTS:
        raise errors.InvalidData(f"unknown export {kind!r}", {"report": [f"Non previsto: {', '.join(EXPORTS)}."]})
    if export_format not in exports.FORMATS:
        raise errors.InvalidData(
            f"unknown format {export_format!r}", {"format": ["Formato non previsto: csv, xlsx o json."]}
        )
    body: bytes | str | Iterator[str]
    if kind in ("casi", "partecipanti"):
        getter = case_list if kind == "casi" else participants
        data = getter(ctx, actor, period=period, territory=territory, ip=ip)
        body = (
            exports.data_csv(data)
            if export_format == "csv"
            else exports.data_xlsx(data)
            if export_format == "xlsx"
            else exports.data_json(data)
        )
        code = data.period.code
    else:
        found = report(ctx, kind, actor, period=period, territory=territory)
        log_report_export(ctx, actor, found, export_format, ip)
        body = (
            exports.report_csv(found)
            if export_format == "csv"
            else exports.report_xlsx(found)
            if export_format == "xlsx"
            else exports.report_json(found)
        )
        code = found.period.code
    return ExportFile(
        name=exports.file_name(kind, code, territory, export_format),
        media_type=exports.MEDIA_TYPES[export_format],
        body=body,
    )


def bottlenecks(
    ctx: Context, process_id: str, actor: Actor, *, period: str, territory: str | None = None
) -> ProcessLoad:
    """Per user task of ``process_id``, over the tasks created in the period: cases passed and
    there now, days spent (median, 90th percentile), the share that went past its due date.
    Counts of cases under five are suppressed; the cases there now are listed only for viewers
    who may open the case list."""
    now = ctx.clock.now()
    when = parse_period(period, now.date())
    places = scope(actor, Permission.REPORT_AGGREGATES, territory)
    drill = allows_operations(actor, territory)
    since = dt.datetime.combine(when.start, dt.time(), dt.UTC)
    until = dt.datetime.combine(when.end, dt.time(), dt.UTC)
    with ctx.uow(write=False) as uow:
        latest = uow.processes.latest(process_id)
        if latest is None:
            raise errors.NotFound(f"process {process_id!r} is not deployed")
        files = dict(uow.processes.files(latest.id))
        rows = uow.reports.element_times(process_id, places, since, until)
    xml = files.get(f"{process_id}.bpmn", b"").decode("utf-8")
    by_element: dict[str, list[tuple[str, str, int, str, dt.datetime, dt.datetime | None, dt.datetime | None]]] = {}
    for row in rows:
        by_element.setdefault(row[0], []).append(row)
    elements = []
    for bpmn_id, tasks in sorted(by_element.items()):
        done = [t for t in tasks if t[3] == "completed" and t[5] is not None]
        open_ = [t for t in tasks if t[3] == "ready"]
        spent = [round((t[5] - t[4]).total_seconds() / 86400) for t in done if t[5] is not None]
        with_due = [t for t in tasks if t[6] is not None and t[3] != "cancelled"]
        late = sum(1 for t in with_due if t[6] is not None and ((t[5] or now) > t[6]))
        median, p90 = days_cells(spent)
        elements.append(
            ElementLoad(
                bpmn_id=bpmn_id,
                name=tasks[0][1],
                passed=count_cell(len({t[2] for t in done})),
                now=count_cell(len({t[2] for t in open_})),
                median_days=median,
                p90_days=p90,
                overdue_share=share_cell(late, len(with_due)) if with_due else Cell(None),
                cases=tuple(sorted({t[2] for t in open_})) if drill else (),
            )
        )
    return ProcessLoad(process_id=process_id, xml=xml, elements=tuple(elements))


def allows_operations(actor: Actor, territory: str | None) -> bool:
    try:
        scope(actor, Permission.REPORT_OPERATIONS, territory)
    except errors.Forbidden:
        return False
    return True
