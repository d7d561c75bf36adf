"""The degree of urbanisation (DEGURBA) of the municipalities the programme knows, by ISTAT code:
what the ESF+ indicator EECO17 (participants living in rural areas) and the breakdown of the
people entered by area of residence read (docs/monitoring.md).

A small kept classification: the demo territory's municipalities, from ISTAT's classification of
municipalities by degree of urbanisation. A code not listed is "non classificato" and counted
apart, never guessed; a programme adds its own municipalities here from ISTAT's table.
"""

from __future__ import annotations

# DEGURBA classes (Eurostat), with the names ISTAT uses.
DEGREES = {
    "1": "Città (zone densamente popolate)",
    "2": "Piccole città e sobborghi (zone a densità intermedia)",
    "3": "Zone rurali (zone scarsamente popolate)",
    "NC": "Comune non classificato",
}
RURAL = "3"
UNCLASSIFIED = "NC"

# ISTAT municipality code → (name, DEGURBA class)
MUNICIPALITIES: dict[str, tuple[str, str]] = {
    "042002": ("Ancona", "1"),
    "042021": ("Jesi", "2"),
    "042003": ("Arcevia", "3"),
}


def degree(code: str | None) -> str:
    """The DEGURBA class of a municipality (``1``, ``2``, ``3``), or ``NC`` when not classified."""
    found = MUNICIPALITIES.get((code or "").strip())
    return found[1] if found else UNCLASSIFIED
