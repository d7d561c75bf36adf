"""The programme's monitoring vocabulary: what a case's data says for the reports, periods, age
bands and small-cell suppression. Pure functions, no database (docs/monitoring.md).

``facts_after`` is the one definition of the read model: the engine calls it after every command
with the case's data as that command left it, and the rebuild calls it on every step of a replay
of the case's events, so the two give the same row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from engine import errors
from engine.degurba import RURAL, degree
from engine.model import CaseFacts, Cell, Period

# Aggregates on fewer people than this are never shown (pseudonymised data, small-cell rule).
MIN_CELL = 5

# DL 48/2023: a person receiving ADI/SFL must be seen by the social services within 120 days.
# A legal limit, not a programme parameter.
ADI_LEGAL_DAYS = 120

# The outcome of the assessment and the instrument codes, as the diagrams set them.
OUTCOMES = {
    "IDONEO_LAVORO": "Idoneo all'inserimento lavorativo",
    "IDONEO_IMPRESA": "Idoneo al percorso d'impresa",
    "IDONEO_PREVIA_INCLUSIONE": "Idoneo previo percorso di inclusione",
    "NON_IDONEO_REQUISITI": "Non idoneo (requisiti)",
    "NON_PRONTO": "Non ancora pronto",
    "ARCHIVIATO": "Segnalazione archiviata",
}
INSTRUMENTS = {
    "TIS": "Tirocinio di inclusione (TIS)",
    "TIROCINIO_EXTRACURRICOLARE": "Tirocinio extracurricolare",
    "FORMAZIONE": "Formazione",
    "ASSUNZIONE_COOP_B": "Assunzione in cooperativa B",
    "ASSUNZIONE_IMPRESA_SOCIALE": "Assunzione in impresa sociale",
    "ASSUNZIONE_IMPRESA_PROFIT": "Assunzione in impresa profit",
    "CONVENZIONE_L68": "Convenzione L. 68/1999",
    "STARTUP": "Avvio d'impresa sociale o di comunità",
}
IMPLEMENTATION_OUTCOMES = {
    "ASSUNTO": "Assunto",
    "ALTRO_PERCORSO": "Altro percorso",
    "CONCLUSO_SENZA_ESITO": "Concluso senza esito",
    "ABBANDONO": "Abbandono",
    "GRADINO_SUCCESSIVO": "Gradino successivo",
}
CLOSURE_REASONS = {
    "RINUNCIA": "Rinuncia al patto",
    "ABBANDONO": "Abbandono",
    "LISTA_ATTESA": "Lista d'attesa",
    "RIPROGETTAZIONI_ESAURITE": "Riprogettazioni esaurite",
    "CONCLUSO_SENZA_ESITO": "Concluso senza esito",
    "NON_IDONEO_REQUISITI": "Non idoneo (requisiti)",
    "NON_PRONTO": "Non ancora pronto",
    "ARCHIVIATO": "Segnalazione archiviata",
    "STARTUP_NON_SOSTENIBILE": "Impresa non sostenibile",
}
GENDERS = {"F": "Donne", "M": "Uomini", "NON_BINARIO": "Non binario", "NON_DICHIARATO": "Non dichiarato"}
AGE_BANDS = {"<18": "Meno di 18 anni", "18-29": "18–29 anni", "30-54": "30–54 anni", "55+": "55 anni e oltre"}
UNKNOWN = "Non rilevato"
LABOUR = {
    "DISOCCUPATO": "Disoccupato",
    "DISOCCUPATO_LUNGA_DURATA": "Disoccupato di lunga durata",
    "INATTIVO": "Inattivo",
    "OCCUPATO": "Occupato (anche autonomo)",
}
ISCED = {"ISCED_0_2": "ISCED 0–2", "ISCED_3_4": "ISCED 3–4", "ISCED_5_8": "ISCED 5–8"}
YES_NO = {"SI": "Sì", "NO": "No", "NON_DICHIARATO": "Non dichiarato", "NON_RILEVABILE": "Non rilevabile"}
CITIZENSHIP = {"ITALIANA": "Italiana", "UE": "Altro Paese UE", "EXTRA_UE": "Paese terzo", "APOLIDE": "Apolide"}
HOUSING = {
    "NESSUNA": "Nessuna esclusione abitativa",
    "SENZA_TETTO": "Senza tetto",
    "SENZA_CASA": "Senza casa",
    "SISTEMAZIONE_INSICURA": "Sistemazione insicura",
    "SISTEMAZIONE_INADEGUATA": "Sistemazione inadeguata",
}
EXIT_REASONS = {
    "COMPLETAMENTO": "Percorso completato",
    "ASSUNZIONE": "Assunzione",
    "ABBANDONO": "Abbandono",
    "RINUNCIA": "Rinuncia",
    "RIPROGETTAZIONI_ESAURITE": "Riprogettazioni esaurite",
    "LISTA_ATTESA": "Lista d'attesa",
    "ALTRO": "Altro",
}
CONDITIONS = {
    "OCCUPATO": "Occupato dipendente",
    "AUTONOMO": "Lavoratore autonomo",
    "IN_CERCA": "In cerca di lavoro",
    "IN_FORMAZIONE": "In istruzione o formazione",
    "INATTIVO": "Inattivo",
    "NON_RILEVATA": "Non rilevata",
}
STATES = {
    "SEGNALATO": "Segnalato",
    "IN_VALUTAZIONE": "In valutazione",
    "IN_PROGETTAZIONE": "In progettazione",
    "LISTA_ATTESA": "In lista d'attesa",
    "PATTO_SOTTOSCRITTO": "Patto sottoscritto",
    "IN_ATTUAZIONE": "In attuazione",
    "SOSPESO": "Sospeso",
    "CONCLUSO_CON_ESITO": "Concluso con esito",
    "CONCLUSO_SENZA_ESITO": "Concluso senza esito",
    "ABBANDONO": "Abbandono",
    "RINUNCIA": "Rinuncia",
    "FOLLOW_UP_6M": "Follow-up a 6 mesi",
    "FOLLOW_UP_12M": "Follow-up a 12 mesi",
    "CHIUSO": "Chiuso",
}

# Case states (stato_caso, as the diagrams set it) after which the person has left the path.
_CLOSED_STATES = ("CONCLUSO_CON_ESITO", "CONCLUSO_SENZA_ESITO", "ABBANDONO", "RINUNCIA", "CHIUSO")


def facts_after(
    previous: CaseFacts | None,
    *,
    case_id: int,
    process_id: str,
    territory: str | None,
    status: str,
    phase: str | None,
    data: Mapping[str, Any],
    at: dt.datetime,
    created_at: dt.datetime,
) -> CaseFacts:
    """The case's row after a command at ``at`` that left ``data``.

    Most facts are read from the data (its form dates and its ``storico_stati``); two are the
    instant of the first command that showed them, since no form records them: taking the
    referral in charge (the referral form is registered) and the assessment's outcome."""
    history = [h for h in data.get("storico_stati") or [] if isinstance(h, Mapping)]

    def first(*states: str) -> dt.date | None:
        return next((d for h in history if h.get("stato") in states and (d := _date(h.get("data")))), None)

    today = at.date()
    referral = _date(data.get("data_segnalazione"))
    created = created_at.date()
    taken = previous.taken_in_charge_on if previous else None
    if taken is None and data.get("data_segnalazione"):
        taken = today
    outcome = _code(data.get("esito"))
    outcome_on = previous.outcome_on if previous and previous.outcome_on else (today if outcome else None)
    entry = _date(data.get("data_ingresso"))
    stato = _code(data.get("stato_caso"))
    return CaseFacts(
        case_id=case_id,
        process_id=process_id,
        territory=territory or "",
        status=status,
        phase=phase,
        stato_caso=stato,
        referral_on=min(referral, created) if referral else (created if stato else None),
        taken_in_charge_on=taken,
        outcome=outcome,
        outcome_on=outcome_on,
        track=_code(data.get("traccia")),
        instrument=_code(data.get("strumento")),
        pact_on=first("PATTO_SOTTOSCRITTO"),
        started_on=_date(data.get("data_avvio")) or first("IN_ATTUAZIONE"),
        implementation_outcome=_code(data.get("esito_attuazione")),
        closure_reason=_code(data.get("motivo_chiusura")),
        closed_on=first(*_CLOSED_STATES),
        redesigns=_int(data.get("n_riprogettazioni")),
        adi=data.get("beneficiario_adi") is True,
        entry_on=entry,
        gender=_code(data.get("genere")),
        age_band=entry_age_band(data),
        labour_status=_code(data.get("condizione_occupazionale")),
        isced=_code(data.get("isced")),
        disability=_code(data.get("disabilita")),
        citizenship=_code(data.get("cittadinanza")),
        foreign_background=_code(data.get("origine_straniera")),
        minority=_code(data.get("minoranza")),
        housing=_code(data.get("condizione_abitativa_ethos")),
        municipality=_code(data.get("comune_residenza_istat")),
        exit_on=_date(data.get("data_uscita")),
        exit_reason=_code(data.get("motivo_uscita")),
        eecr01=_flag(data.get("eecr01_in_cerca")),
        eecr02=_flag(data.get("eecr02_in_formazione")),
        eecr03=_flag(data.get("eecr03_qualifica")),
        eecr04=_flag(data.get("eecr04_occupato")),
        follow_up_6m_on=_date(data.get("data_rilevazione_6m")),
        condition_6m=_code(data.get("condizione_6m")),
        improved_6m=_code(data.get("situazione_migliorata_6m")),
        follow_up_12m_on=_date(data.get("data_rilevazione_12m")),
        condition_12m=_code(data.get("condizione_12m")),
        last_activity_at=at,
    )


def same_facts(a: CaseFacts, b: CaseFacts) -> bool:
    return dataclasses.astuple(a) == dataclasses.astuple(b)


def entry_age_band(data: Mapping[str, Any]) -> str | None:
    """The ESF+ age group at entry: the one the engine derived from the person record when the
    entry form was completed (``fascia_eta``), or, for the cases whose entry form still asked
    the birth date (their events hold it), computed from it."""
    band = data.get("fascia_eta")
    if isinstance(band, str) and band in AGE_BANDS:
        return band
    birth, entry = _date(data.get("data_nascita")), _date(data.get("data_ingresso"))
    return age_band(birth, entry) if birth and entry else None


def age_band(birth: dt.date, on: dt.date) -> str:
    """The ESF+ age group at entry (EECO06–08): under 18, 18–29, 30–54, 55 and over."""
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if age < 18:
        return "<18"
    if age < 30:
        return "18-29"
    if age < 55:
        return "30-54"
    return "55+"


_PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]))?$")
PERIOD_FORMAT = "AAAA, AAAA-H1/H2 o AAAA-Q1…Q4 (per esempio 2026, 2026-H2, 2026-Q3)"


def parse_period(code: str, today: dt.date) -> Period:
    """``2026`` | ``2026-H1`` | ``2026-H2`` | ``2026-Q1``…``Q4``; a period starting after
    ``today`` or another shape is ``InvalidData`` naming the format."""
    match = _PERIOD.match((code or "").strip().upper())
    if not match or not 2000 <= int(match.group(1)) <= 2999:
        raise errors.InvalidData(
            f"period {code!r} is malformed", {"period": [f"Periodo non valido: usare il formato {PERIOD_FORMAT}."]}
        )
    year, part = int(match.group(1)), match.group(2)
    if part is None:
        start, end, label = dt.date(year, 1, 1), dt.date(year + 1, 1, 1), f"Anno {year}"
    elif part.startswith("H"):
        half = int(part[1])
        start = dt.date(year, 1 + 6 * (half - 1), 1)
        end = dt.date(year, 7, 1) if half == 1 else dt.date(year + 1, 1, 1)
        label = f"{'Primo' if half == 1 else 'Secondo'} semestre {year}"
    else:
        quarter = int(part[1])
        start = dt.date(year, 1 + 3 * (quarter - 1), 1)
        end = dt.date(year, start.month + 3, 1) if quarter < 4 else dt.date(year + 1, 1, 1)
        label = f"{quarter}º trimestre {year}"
    if start > today:
        raise errors.InvalidData(
            f"period {code!r} is in the future",
            {"period": [f"Il periodo {code} non è ancora iniziato: usare il formato {PERIOD_FORMAT}."]},
        )
    return Period(code=match.group(0), label=label, start=start, end=end)


def previous_period(period: Period) -> Period:
    """The period of the same length just before ``period`` (the trend beside each figure)."""
    year, _, part = period.code.partition("-")
    if not part:
        code = str(int(year) - 1)
    elif part.startswith("H"):
        code = f"{year}-H1" if part == "H2" else f"{int(year) - 1}-H2"
    else:
        quarter = int(part[1])
        code = f"{year}-Q{quarter - 1}" if quarter > 1 else f"{int(year) - 1}-Q4"
    return parse_period(code, period.start)


def current_period(today: dt.date) -> str:
    return f"{today.year}-H{1 if today.month <= 6 else 2}"


def count_cell(n: int) -> Cell:
    """A count of people: from 1 to 4 it is suppressed. A zero is shown: it identifies nobody,
    and hiding it would blank every table where nothing went wrong."""
    return Cell(None, True) if 0 < n < MIN_CELL else Cell(n)


def protect(counts: Iterable[int]) -> list[Cell]:
    """The cells of a breakdown whose total is shown: the small ones suppressed, and when only one
    would be, the next smallest too, so the total minus the others does not give it away."""
    values = list(counts)
    cells = [count_cell(n) for n in values]
    hidden = [i for i, c in enumerate(cells) if c.suppressed]
    shown = [i for i, c in enumerate(cells) if not c.suppressed and values[i] > 0]
    if len(hidden) == 1 and shown:
        cells[min(shown, key=lambda i: values[i])] = Cell(None, True)
    return cells


def share_cell(part: int, whole: int) -> Cell:
    """A percentage of people, shown only when neither the part, the whole nor the rest is a
    small cell."""
    if 0 < part < MIN_CELL or whole < MIN_CELL or 0 < whole - part < MIN_CELL:
        return Cell(None, True)
    return Cell(round(100.0 * part / whole, 1))


def days_cells(days: Iterable[int] | Mapping[int, int]) -> tuple[Cell, Cell]:
    """Median and 90th percentile of durations in days (a list, or days → how many people), on at
    least ``MIN_CELL`` people."""
    counted = Counter(days) if not isinstance(days, Mapping) else Counter(dict(days))
    total = sum(counted.values())
    if not total:
        return Cell(None), Cell(None)  # nobody to measure: nothing to hide either
    if total < MIN_CELL:
        return Cell(None, True), Cell(None, True)
    ordered = sorted(counted.items())

    def nth(i: int) -> int:  # the i-th duration (from 0) in ascending order
        for value, n in ordered:
            if i < n:
                return value
            i -= n
        raise IndexError(i)

    mid = total // 2
    median = nth(mid) if total % 2 else (nth(mid - 1) + nth(mid)) / 2
    p90 = nth(min(total - 1, -(-9 * total // 10) - 1))  # nearest rank
    return Cell(median), Cell(p90)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _code(value: Any) -> str | None:
    return value[:60] if isinstance(value, str) and value else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


# --- the summary: counts kept per territory, month and key -----------------------------------
#
# Programme-wide views must not group every person's row: each case also adds 1 to a few counters
# (``report_summary``: territory × basis × month × key), and the reports sum the counters of the
# period's months. ``marks`` is the one definition of what a case counts in; the live write adds
# the new marks and takes away the old ones in the command's transaction, the rebuild recomputes
# them from the rows. Periods are whole quarters (a year, a half, a quarter), so a month is finer
# than needed; the times from referral (bases ``take`` and ``decide``) count by day and waiting
# date, keys that fill in as cases grow, so they are kept by quarter: a month's would hold up to
# three times the counters for the same figures.

# Funnel stages (key, label, who reached it): nested, each counted among the people referred.
STAGES: tuple[tuple[str, str, Any], ...] = (
    ("segnalati", "Persone segnalate", lambda f: True),
    ("valutati", "Valutazioni concluse con un esito", lambda f: bool(f.outcome)),
    ("idonei", "Idonee a un percorso", lambda f: (f.outcome or "").startswith("IDONEO")),
    ("patto", "Patti sottoscritti", lambda f: f.pact_on is not None),
    ("avviati", "Percorsi avviati", lambda f: f.started_on is not None),
    ("conclusi", "Percorsi conclusi con un esito", lambda f: bool(f.implementation_outcome)),
    ("uscita", "Schede di uscita compilate", lambda f: f.exit_on is not None),
    ("follow_up_6m", "Follow-up a 6 mesi", lambda f: f.follow_up_6m_on is not None),
    ("follow_up_12m", "Follow-up a 12 mesi", lambda f: f.follow_up_12m_on is not None),
)

_UNEMPLOYED = ("DISOCCUPATO", "DISOCCUPATO_LUNGA_DURATA")
# ESF+ common output indicators on the people entered (EECO08 is the 30–54 band of the age table).
EECO: tuple[tuple[str, str, Any], ...] = (
    ("EECO01", "EECO01 Partecipanti", lambda f: True),
    ("EECO02", "EECO02 Disoccupati, compresi i disoccupati di lunga durata", lambda f: f.labour_status in _UNEMPLOYED),
    ("EECO03", "EECO03 Disoccupati di lunga durata", lambda f: f.labour_status == "DISOCCUPATO_LUNGA_DURATA"),
    ("EECO04", "EECO04 Inattivi", lambda f: f.labour_status == "INATTIVO"),
    ("EECO05", "EECO05 Occupati, compresi gli autonomi", lambda f: f.labour_status == "OCCUPATO"),
    ("EECO06", "EECO06 Partecipanti di età inferiore a 30 anni", lambda f: f.age_band in ("<18", "18-29")),
    ("EECO07", "EECO07 Partecipanti di età superiore a 54 anni", lambda f: f.age_band == "55+"),
    ("EECO09", "EECO09 Istruzione fino a ISCED 2", lambda f: f.isced == "ISCED_0_2"),
    ("EECO10", "EECO10 Istruzione ISCED 3–4", lambda f: f.isced == "ISCED_3_4"),
    ("EECO11", "EECO11 Istruzione ISCED 5–8", lambda f: f.isced == "ISCED_5_8"),
    ("EECO12", "EECO12 Partecipanti con disabilità", lambda f: f.disability == "SI"),
    ("EECO13", "EECO13 Cittadini di paesi terzi", lambda f: f.citizenship in ("EXTRA_UE", "APOLIDE")),
    ("EECO14", "EECO14 Partecipanti di origine straniera", lambda f: f.foreign_background == "SI"),
    ("EECO15", "EECO15 Minoranze (comprese le comunità emarginate)", lambda f: f.minority == "SI"),
    ("EECO16", "EECO16 Senza dimora o colpiti da esclusione abitativa", lambda f: f.housing not in (None, "NESSUNA")),
    ("EECO17", "EECO17 Partecipanti residenti in zone rurali", lambda f: degree(f.municipality) == RURAL),
)
# ESF+ common result indicators: at exit (EECR01–04) and six months after (EECR05–06).
EECR_EXIT: tuple[tuple[str, str, Any], ...] = (
    ("EECR01", "EECR01 In cerca di lavoro all'uscita", lambda f: f.eecr01 is True),
    ("EECR02", "EECR02 In istruzione o formazione all'uscita", lambda f: f.eecr02 is True),
    ("EECR03", "EECR03 Hanno ottenuto una qualifica all'uscita", lambda f: f.eecr03 is True),
    ("EECR04", "EECR04 Occupati, anche autonomi, all'uscita", lambda f: f.eecr04 is True),
)
EECR_6M: tuple[tuple[str, str, Any], ...] = (
    (
        "EECR05",
        "EECR05 Occupati, anche autonomi, sei mesi dopo l'uscita",
        lambda f: f.condition_6m in ("OCCUPATO", "AUTONOMO"),
    ),
    ("EECR06", "EECR06 Situazione lavorativa migliorata sei mesi dopo l'uscita", lambda f: f.improved_6m == "SI"),
)

# Reasons for closing that are not a drop-out (a result, or the assessment's own outcome).
_NOT_DROPOUT = ("ASSUNTO", "ALTRO_PERCORSO", *OUTCOMES)

Mark = tuple[str, dt.date, str]  # basis, first day of the month (of the quarter: take, decide), key


def gender_group(gender: str | None) -> str:
    """The ESF+ tables' columns: women, men, anyone else (another gender or not declared)."""
    return gender if gender in ("F", "M") else "X"


def marks(f: CaseFacts) -> list[Mark]:
    """The counters a case adds 1 to (beneficiary cases only: those with a case state).

    The basis is the date that puts the person in a period: ``referral`` (the funnel), ``take``
    and ``decide`` (the times from referral to being taken in charge and to the outcome, by
    referral quarter: read only by the times report), ``entry``, ``exit`` and ``fu6`` (the ESF+
    indicators). Keys are ``dimension|value[|…]``: ``stage|patto``,
    ``outcome|IDONEO_LAVORO``, ``take|1|12`` (an ADI/SFL person taken in charge 12 days after
    referral), ``take_wait|0|2026-03-02`` (still waiting, referred on that day: the age is counted
    when the report is read), ``decide|40``, ``eeco|EECO02|F``."""
    if f.stato_caso is None:
        return []
    found: list[Mark] = []
    if f.referral_on is not None:
        month = f.referral_on.replace(day=1)
        keys = [f"stage|{k}" for k, _, reached in STAGES if reached(f)]
        if f.outcome:
            keys.append(f"outcome|{f.outcome}")
        if f.started_on is not None:
            keys.append(f"instrument|{f.instrument or ''}")
        if f.implementation_outcome:
            keys.append(f"result|{f.implementation_outcome}")
        if f.closure_reason and f.closure_reason not in _NOT_DROPOUT:
            keys.append(f"left|{f.closure_reason}")
        if f.adi:
            keys.append("adi")
        found += [("referral", month, k) for k in keys]
        quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        for step, done, group in (("take", f.taken_in_charge_on, f"{int(f.adi)}|"), ("decide", f.outcome_on, "")):
            if done is not None:
                found.append((step, quarter, f"{step}|{group}{(done - f.referral_on).days}"))
            elif f.status == "running":
                found.append((step, quarter, f"{step}_wait|{group}{f.referral_on.isoformat()}"))
    g = gender_group(f.gender)
    if f.entry_on is not None:
        month = f.entry_on.replace(day=1)
        found += [("entry", month, f"eeco|{k}|{g}") for k, _, test in EECO if test(f)]
        if f.age_band in AGE_BANDS:
            found.append(("entry", month, f"eta|{f.age_band}|{g}"))
        found.append(("entry", month, f"degurba|{degree(f.municipality)}|{g}"))
    if f.exit_on is not None:
        month = f.exit_on.replace(day=1)
        found.append(("exit", month, f"eecr|usciti|{g}"))
        found += [("exit", month, f"eecr|{k}|{g}") for k, _, test in EECR_EXIT if test(f)]
    if f.follow_up_6m_on is not None:
        month = f.follow_up_6m_on.replace(day=1)
        found.append(("fu6", month, f"eecr|follow_up_6m|{g}"))
        found += [("fu6", month, f"eecr|{k}|{g}") for k, _, test in EECR_6M if test(f)]
    return found


SummaryKey = tuple[str, str, dt.date, str]  # territory, basis, month, key


def _count_marks(counts: dict[SummaryKey, int], facts: CaseFacts, step: int) -> None:
    for basis, month, key in marks(facts):
        k = (facts.territory, basis, month, key)
        counts[k] = counts.get(k, 0) + step


def summary_delta(before: CaseFacts | None, after: CaseFacts | None) -> dict[SummaryKey, int]:
    """What a change of a case's row does to the counters: +1 for each new mark, -1 for each
    mark gone (a moved territory moves them all). Empty when nothing counted changed."""
    delta: dict[SummaryKey, int] = {}
    if before is not None:
        _count_marks(delta, before, -1)
    if after is not None:
        _count_marks(delta, after, 1)
    return {k: n for k, n in sorted(delta.items()) if n}


def summary_of(rows: Iterable[CaseFacts]) -> dict[SummaryKey, int]:
    """The counters as the rows say (the rebuild; tests compare it with what the commands kept)."""
    counts: dict[SummaryKey, int] = {}
    for facts in rows:
        _count_marks(counts, facts, 1)
    return dict(sorted(counts.items()))
