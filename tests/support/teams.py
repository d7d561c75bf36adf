"""Test drivers that act for every lane of a case (one actor completing a diagram's tasks of
several roles) need what a real user of an organisation lane has: membership of an organisation
the case's team names. ``act_for_every_organisation`` gives it, as the coordinator would."""

from __future__ import annotations

import re

from engine import Actor, Engine, errors
from engine.model import TaskView
from engine.policy import CLI_OPERATOR

# team relation → the kind of organisation it may name (engine.teams.RELATIONS)
KINDS = {
    "sanitario": "servizio_sanitario",
    "giustizia": "giustizia",
    "ospitante": "terzo_settore",
    "partner": "terzo_settore",
}


def act_for_every_organisation(engine: Engine, case_id: int, actor: Actor, territory: str | None = None) -> None:
    """Make ``actor`` a member of organisations named in every organisation relation of the case:
    the health and justice services in charge, the host and the partner."""
    territory = territory or next(iter(sorted(actor.territories)), "T1")
    stem = re.sub(r"[^A-Z0-9]", "_", actor.username.upper())[:40]
    try:
        engine.users.get(actor.username, actor=CLI_OPERATOR)
    except errors.NotFound:
        engine.users.add(
            actor.username, actor.username, [(role, "") for role in sorted(actor.roles)], actor=CLI_OPERATOR
        )
    known = {o.code for o in engine.registry.organisations(actor=CLI_OPERATOR)}
    for relation, kind in KINDS.items():
        code = f"{stem}_{kind.upper()}"[:60]
        if code not in known:
            engine.registry.add_organisation(code, code, kind, territory, actor=CLI_OPERATOR)
            engine.registry.add_member(code, actor.username, actor=CLI_OPERATOR)
            known.add(code)
        engine.teams.add(case_id, relation, organisation=code, actor=CLI_OPERATOR)


# organisation lane → (team relation, kind of organisation it names)
ORGANISATION_LANES = {
    "tutor_aziendale": ("ospitante", "impresa_mentor"),
    "referente_sanitario": ("sanitario", "servizio_sanitario"),
    "referente_giustizia": ("giustizia", "giustizia"),
    "referente_ente_partner": ("partner", "terzo_settore"),
}


def route_to(engine: Engine, task: TaskView, who: Actor) -> None:
    """What the coordinator does for a task nobody is offered yet (an organisation lane whose
    organisation the case's team does not name): name one in the team, ``who`` acting for it.
    A partnership answer addressed to a partner (``item["codice"]``) names that partner."""
    if task.audience != "supervisor" or task.role not in ORGANISATION_LANES:
        return
    relation, kind = ORGANISATION_LANES[task.role]
    territory = task.territory or "T1"
    item = task.context.get("item")
    code = str(item["codice"]) if isinstance(item, dict) and item.get("codice") else f"{territory}_{relation}"
    code = re.sub(r"[^A-Z0-9_-]", "_", code.upper())[:60]
    try:
        engine.users.get(who.username, actor=CLI_OPERATOR)
    except errors.NotFound:
        engine.users.add(
            who.username, who.username, [(role, territory) for role in sorted(who.roles)], actor=CLI_OPERATOR
        )
    found = {o.code: o for o in engine.registry.organisations(actor=CLI_OPERATOR)}
    if code not in found:
        engine.registry.add_organisation(code, code, kind, territory, actor=CLI_OPERATOR)
    if code not in found or who.username not in {m.username for m in found[code].members}:
        engine.registry.add_member(code, who.username, actor=CLI_OPERATOR)
    engine.teams.add(task.case_id, relation, organisation=code, actor=CLI_OPERATOR)
