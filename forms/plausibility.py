"""Plausible dates and texts: the checks every form shares.

- **Event dates** record something that happened (a referral, a signature, an exit): never after
  today (one day of margin for time zones and late-night entries) and never before
  ``EARLIEST_EVENT``. Which fields are event dates is listed per form in ``EVENT_DATES``: planned
  dates (a foreseen end, a deadline, the next check) may lie in the future.
- **Birth dates** give an age between ``MIN_AGE`` and ``MAX_AGE``.
- **Durations** declared in months must fit between their start and end dates.
- **Texts**: one ceiling, ``TEXT_MAX`` characters, for every free text the programme stores
  (fields may be stricter); a longer text is refused with a message, never cut.

"Today" is the calendar's today: the date a person types is checked against the real day.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

TEXT_MAX = 4000
EARLIEST_EVENT = dt.date(2000, 1, 1)
FUTURE_MARGIN = dt.timedelta(days=1)
MIN_AGE, MAX_AGE = 15, 100
DAYS_PER_MONTH = 365.25 / 12

EVENT_DATES: dict[str, tuple[str, ...]] = {
    "f2_segnalazione": ("data_segnalazione",),
    "f3_adesione_beneficiario": ("data_firma",),
    "f3_rinegoziazione": ("data_incontro",),
    "f3_studio_fattibilita": ("data_studio",),
    "f3_validazione_business_plan": ("data_validazione",),
    "f4_decisione_interruzione": ("data_decisione",),
    "f4_piano_correttivo": ("data_piano",),
    "f4_verifica_quota": ("data_verifica",),
    "f4_allerta_quota": ("data_seduta",),
    "f5_revisione_equipe": ("data_revisione",),
    "f5_sollecito_uscita": ("data_sollecito_uscita",),
    "f4_convenzione_pfi": ("data_convenzione",),
    "f4_comunicazione_avvio": ("data_comunicazione",),
    "f4_registro_presenze": ("periodo_al",),
    "f4_esito_finale": ("data_fine_effettiva", "data_comunicazione_assunzione"),
    "f4_sessione_mentoring": ("data_sessione",),
    "f4_rinuncia_beneficiario": ("data_rinuncia", "data_comunicazione_cessazione"),
    "f5_scheda_ingresso": ("data_ingresso",),
    "f5_monitoraggio_mensile": ("data_monitoraggio",),
    "f5_scheda_uscita": ("data_uscita", "data_rilevazione"),
    # the follow-ups after the exit: the day the person's situation was surveyed
    "f5_follow_up_6m": ("data_rilevazione_6m",),
    "f5_follow_up_12m": ("data_rilevazione_12m",),
}
# (no form asks a birth date: it is the person record's, checked there with ``birth_date_message``)
BIRTH_DATES: dict[str, tuple[str, ...]] = {}
# form → (start, end, months): the declared duration may not exceed the time between the dates
DURATIONS: dict[str, tuple[str, str, str]] = {
    "f4_convenzione_pfi": ("data_inizio_tirocinio", "data_fine_prevista", "durata_mesi"),
    "f4_avvio_inserimento": ("data_inizio_inserimento", "data_fine_inserimento", "durata_mesi"),
}


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _it(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def date_messages(form_key: str, data: dict[str, Any], today: dt.date | None = None) -> dict[str, list[str]]:
    """Field messages for implausible dates and durations in a loaded submission of ``form_key``."""
    today = today or dt.date.today()
    errors: dict[str, list[str]] = {}
    for name in EVENT_DATES.get(form_key, ()):
        day = _day(data.get(name))
        if day is None:
            continue
        if day > today + FUTURE_MARGIN:
            errors[name] = ["Inserisci una data non successiva a oggi."]
        elif day < EARLIEST_EVENT:
            errors[name] = [f"Inserisci una data non precedente al {_it(EARLIEST_EVENT)}."]
    for name in BIRTH_DATES.get(form_key, ()):
        day = _day(data.get(name))
        message = birth_date_message(day, today) if day is not None else None
        if message:
            errors[name] = [message]
    if form_key in DURATIONS:
        start_name, end_name, months_name = DURATIONS[form_key]
        start, end, months = _day(data.get(start_name)), _day(data.get(end_name)), data.get(months_name)
        if start and end and isinstance(months, int) and end > start:
            # the whole last day counts: 01/01 → 30/06 is six months
            span = math.ceil(((end - start).days + 1) / DAYS_PER_MONTH - 0.05)
            if months > span:
                errors[months_name] = [
                    f"La durata ({months} mesi) supera il periodo tra la data di inizio e la data di fine "
                    f"({span} mesi): correggi la durata o le date."
                ]
    return errors


def birth_date_message(day: dt.date, today: dt.date | None = None) -> str | None:
    """The message for a birth date that does not give an age between ``MIN_AGE`` and ``MAX_AGE``."""
    today = today or dt.date.today()
    age = today.year - day.year - ((today.month, today.day) < (day.month, day.day))
    if MIN_AGE <= age <= MAX_AGE:
        return None
    return f"Inserisci una data di nascita plausibile: un'età tra {MIN_AGE} e {MAX_AGE} anni."


def text_too_long(value: Any, limit: int = TEXT_MAX) -> int | None:
    """The length of the longest text in ``value`` (nested too) when it exceeds ``limit``."""
    if isinstance(value, str):
        return len(value) if len(value) > limit else None
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list | tuple) else ()
    found = [n for item in items if (n := text_too_long(item, limit)) is not None]
    return max(found) if found else None
