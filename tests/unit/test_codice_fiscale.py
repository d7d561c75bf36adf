"""The codice fiscale: python-stdnum's checks with Italian messages, omocodia, and agreement with
the stated birth date and gender as warnings to confirm."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.codice_fiscale import check, disagreements

VALID = "RCCMNL83S18D969H"  # born 18/11/1983, male
OMOCODE = "RCCMNL83S1UD969E"  # the same with the day's last digit written as a letter (8 → U)


def test_a_valid_code_gives_birth_date_and_gender() -> None:
    checked = check(" rccmnl83s18d969h ")
    assert (checked.code, checked.birth_date, checked.gender) == (VALID, dt.date(1983, 11, 18), "M")


def test_a_wrong_check_character_is_named() -> None:
    with pytest.raises(ValueError, match="carattere di controllo"):
        check("RCCMNL83S18D969A")


def test_a_wrong_length_is_named() -> None:
    with pytest.raises(ValueError, match="16 caratteri"):
        check("RCCMNL83S18D96")


def test_a_character_out_of_place_is_named() -> None:
    with pytest.raises(ValueError, match="caratteri non ammessi"):
        check("RCCMNL83Z18D969H")


def test_an_omocode_is_valid_and_decodes_to_the_same_birth_date_and_gender() -> None:
    checked = check(OMOCODE)
    assert (checked.birth_date, checked.gender) == (dt.date(1983, 11, 18), "M")


def test_a_woman_s_code_adds_forty_to_the_day() -> None:
    assert check("RSSMRA85T50H501S").gender == "F"


def test_disagreement_with_birth_date_or_gender_is_a_warning_not_an_error() -> None:
    checked = check(VALID)
    assert disagreements(checked, dt.date(1983, 11, 18), "M") == []
    warnings = disagreements(checked, dt.date(1983, 11, 19), "F")
    assert len(warnings) == 2 and "19/11/1983" in warnings[0]
