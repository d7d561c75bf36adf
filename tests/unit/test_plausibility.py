"""Guarded entry: event dates not in the future nor implausibly old, birth dates giving a working
age, durations that fit their dates, one text ceiling refused whole, never cut (forms.plausibility
through the engine's validation), each with an Italian field message."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from engine import errors
from engine.forms import check_free_data, validate_submission
from forms.plausibility import TEXT_MAX, birth_date_message
from tests.unit.test_forms_f1_f2 import VALID as VALID_F1_F2
from tests.unit.test_forms_f3_f5 import VALID as VALID_F3_F5

TODAY = dt.date.today()


def _refused(form_key: str, **changes: Any) -> dict[str, Any]:
    sample = copy.deepcopy({**VALID_F3_F5, **VALID_F1_F2}[form_key])
    with pytest.raises(errors.InvalidData) as err:
        validate_submission(form_key, {**sample, **changes})
    return err.value.messages


def test_the_samples_pass() -> None:
    for key in ("f2_segnalazione", "f5_scheda_ingresso", "f4_convenzione_pfi", "f5_scheda_uscita"):
        validate_submission(key, copy.deepcopy({**VALID_F3_F5, **VALID_F1_F2}[key]))


@pytest.mark.parametrize(
    ("form_key", "name"),
    [
        ("f2_segnalazione", "data_segnalazione"),
        ("f5_scheda_ingresso", "data_ingresso"),
        ("f5_scheda_uscita", "data_rilevazione"),
        ("f4_rinuncia_beneficiario", "data_comunicazione_cessazione"),
        ("f3_adesione_beneficiario", "data_firma"),
        ("f4_verifica_quota", "data_verifica"),
        ("f3_rinegoziazione", "data_incontro"),
        ("f5_follow_up_6m", "data_rilevazione_6m"),
        ("f5_follow_up_12m", "data_rilevazione_12m"),
    ],
)
def test_an_event_date_in_the_future_is_refused(form_key: str, name: str) -> None:
    assert _refused(form_key, **{name: "3000-01-01"}) == {name: ["Inserisci una data non successiva a oggi."]}
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()  # the margin: another time zone, midnight
    validate_submission(form_key, {**copy.deepcopy({**VALID_F3_F5, **VALID_F1_F2}[form_key]), name: tomorrow})


def test_a_future_date_is_named_with_the_other_mistakes_at_once() -> None:
    """One round: a person who leaves fields empty and types a future date sees every message."""
    messages = _refused("f2_segnalazione", data_segnalazione="3000-01-01", servizio_inviante=None, urgenza="")
    assert messages["data_segnalazione"] == ["Inserisci una data non successiva a oggi."]
    assert "servizio_inviante" in messages and "urgenza" in messages


def test_an_event_date_before_the_programme_is_refused() -> None:
    assert _refused("f2_segnalazione", data_segnalazione="1999-12-31") == {
        "data_segnalazione": ["Inserisci una data non precedente al 01/01/2000."]
    }


def test_a_birth_date_must_give_a_working_age() -> None:
    message = "Inserisci una data di nascita plausibile: un'età tra 15 e 100 anni."
    for born in ("3000-01-01", "1900-01-01", (TODAY - dt.timedelta(days=365 * 10)).isoformat()):
        assert birth_date_message(dt.date.fromisoformat(born), TODAY) == message, born
    assert birth_date_message(dt.date(1990, 4, 12), TODAY) is None


def test_a_planned_date_may_lie_in_the_future() -> None:
    sample = copy.deepcopy(VALID_F3_F5["f4_convenzione_pfi"])
    start = TODAY - dt.timedelta(days=10)
    sample.update(
        data_convenzione=start.isoformat(),
        data_inizio_tirocinio=start.isoformat(),
        data_fine_prevista=(start + dt.timedelta(days=180)).isoformat(),
    )
    validate_submission("f4_convenzione_pfi", sample)


def test_a_duration_longer_than_its_dates_is_refused() -> None:
    dates = {
        "data_convenzione": "2026-01-01",
        "data_inizio_tirocinio": "2026-01-01",
        "data_fine_prevista": "2026-06-30",
    }
    messages = _refused("f4_convenzione_pfi", durata_mesi=12, **dates)
    assert messages == {
        "durata_mesi": [
            "La durata (12 mesi) supera il periodo tra la data di inizio e la data di fine (6 mesi): "
            "correggi la durata o le date."
        ]
    }
    validate_submission(
        "f4_convenzione_pfi", {**copy.deepcopy(VALID_F3_F5["f4_convenzione_pfi"]), **dates, "durata_mesi": 6}
    )


def test_a_long_text_is_refused_whole_with_its_field_limit() -> None:
    messages = _refused("f2_segnalazione", note_invio="x" * 10_000)
    assert messages == {"note_invio": ["Inserire al massimo 500 caratteri."]}


def test_one_ceiling_for_every_text_without_a_limit_of_its_own() -> None:
    with pytest.raises(errors.InvalidData) as err:
        check_free_data({"nota": "x" * (TEXT_MAX + 1)})
    assert err.value.messages == {
        "nota": [f"Il testo supera il limite di {TEXT_MAX} caratteri ({TEXT_MAX + 1} inseriti): accorcialo."]
    }
    check_free_data({"nota": "x" * TEXT_MAX})
