"""The Italian codice fiscale of a person: validation (python-stdnum) and agreement with the
stated date of birth and gender.

stdnum checks length, characters, the check character and omocodia (the letters that replace
digits when two people would share a code). A code that is valid but disagrees with the stated
birth date or gender is not refused: it is a warning the operator confirms (an error in the
stated data is as likely as one in the code, and a temporary code may not follow the rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.it import codicefiscale as stdnum_cf


@dataclass(frozen=True)
class Checked:
    code: str
    birth_date: dt.date | None
    gender: str | None  # "M" | "F"


def normalise(value: str) -> str:
    return stdnum_cf.compact(value)


def check(value: str) -> Checked:
    """The code compacted and validated; ``ValueError`` with an Italian message naming the problem."""
    code = normalise(value)
    try:
        stdnum_cf.validate(code)
    except InvalidLength as err:
        raise ValueError(f"Il codice fiscale deve avere 16 caratteri (ne ha {len(code)}).") from err
    except InvalidChecksum as err:
        raise ValueError("Il carattere di controllo del codice fiscale non è corretto.") from err
    except (InvalidFormat, InvalidComponent) as err:
        raise ValueError("Il codice fiscale contiene caratteri non ammessi in quella posizione.") from err
    except ValidationError as err:
        raise ValueError("Codice fiscale non valido.") from err
    if len(code) != 16:  # 11-digit numeric codes belong to organisations, not people
        raise ValueError("Il codice fiscale di una persona ha 16 caratteri.")
    try:
        born: dt.date | None = stdnum_cf.get_birth_date(code)
    except ValidationError:
        born = None
    return Checked(code, born, "F" if int(_digits(code[9:11])) > 40 else "M")


# Omocodia replaces digits with these letters (0 → L … 9 → V); stdnum's gender reader misses them.
_OMOCODIA = str.maketrans("LMNPQRSTUV", "0123456789")


def _digits(part: str) -> str:
    return part.translate(_OMOCODIA)


def disagreements(checked: Checked, birth_date: dt.date | None, gender: str | None) -> list[str]:
    """Warnings (to confirm) where the code disagrees with the stated birth date or gender."""
    found = []
    # the code holds the year in two digits: stdnum picks the century, so compare day, month, year % 100
    if birth_date is not None and checked.birth_date is not None:
        coded = checked.birth_date
        if (coded.day, coded.month, coded.year % 100) != (birth_date.day, birth_date.month, birth_date.year % 100):
            found.append(
                f"Il codice fiscale indica la nascita il {coded:%d/%m/%y}, "
                f"diversa dalla data dichiarata ({birth_date:%d/%m/%Y})."
            )
    if gender in ("M", "F") and checked.gender is not None and gender != checked.gender:
        found.append("Il codice fiscale indica un sesso diverso da quello dichiarato.")
    return found
