"""Test drivers that walk a beneficiary case through F2 need what the social worker records at
referral: the person record, whose birth date gives the preliminary assessment its age (the
form does not ask it). ``ensure_person`` records one when the case has none yet."""

from __future__ import annotations

from engine import Actor, Engine
from engine.policy import CLI_OPERATOR

# 35 on the tests' usual clock (January 2026) and for a year and a half after it: the age the
# assessment's samples stood for when it was typed (30–54 for the ESF+ bands, 25–49 for DT-2)
BORN = "1990-06-15"
PERSON = {"nome": "Giulia", "cognome": "Ferretti", "data_nascita": BORN, "sesso": "F"}


def has_person(engine: Engine, case_id: int) -> bool:
    """Whether the case has a person record (read without a showing: nothing is opened)."""
    with engine._ctx.uow(write=False) as uow:
        return uow.people.of_case(case_id) is not None


def ensure_person(engine: Engine, case_id: int, actor: Actor = CLI_OPERATOR, born: str = BORN) -> None:
    """Record the sample person on the case unless it already has a person record."""
    if not has_person(engine, case_id):
        engine.people.record(case_id, {**PERSON, "data_nascita": born}, actor=actor)
