"""Case teams: the relations a person or organisation can have to a case, and who a task is for.

A task's lane is a role; the case's team decides which holders of that role the task is for
(its *audience*, written on the inbox row when the task appears):

- ``territory``: every holder of the role in the case's territory (the coordinator's and the
  cabina di regia's lanes; a social-worker or équipe task of a case with nobody yet in that
  relation: the intake queue, until someone takes the case);
- ``team``: the holders of the role named in the case's team;
- ``organisation``: the holders of the role who are members of one organisation (the host firm
  for the tutor, the ASL or UEPE in charge, the partner a partnership task is addressed to);
- ``supervisor``: nobody yet: an organisation lane whose organisation the team does not name
  (a coordinator routes it). Never the whole territory: that is how a tutor of firm A would be
  offered firm B's trainee.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.model import TeamMember
from engine.policy import TERRITORY_LANES

# relation → (Italian label, person or organisation, organisation kinds it may name)
RELATIONS: Mapping[str, tuple[str, str, frozenset[str]]] = {
    "responsabile": ("Responsabile del caso (case manager)", "person", frozenset()),
    "equipe": ("Componente dell'équipe multidisciplinare", "person", frozenset()),
    "cpi": ("Centro per l'Impiego", "either", frozenset({"centro_impiego"})),
    "inviante": (
        "Servizio inviante",
        "organisation",
        frozenset(
            {"servizio_sociale", "centro_impiego", "servizio_sanitario", "giustizia", "terzo_settore", "istituzione"}
        ),
    ),
    "sanitario": ("Servizio sanitario in carico (ASL, DSM, SerD)", "organisation", frozenset({"servizio_sanitario"})),
    "giustizia": ("Servizio della giustizia in carico (UEPE, istituto)", "organisation", frozenset({"giustizia"})),
    "ospitante": (
        "Organizzazione ospitante",
        "organisation",
        frozenset({"impresa_mentor", "terzo_settore", "ente_formazione"}),
    ),
    "partner": ("Ente partner", "organisation", frozenset()),  # any kind of organisation
    # the third-sector body whose job coach supports the person in design (F3) and implementation (F4)
    "job_coach": ("Ente del job coach (Terzo settore)", "organisation", frozenset({"terzo_settore"})),
}

# A lane's relation in the team: whose members (people or organisations) its tasks are for.
LANE_RELATION: Mapping[str, str] = {
    "assistente_sociale": "responsabile",
    "equipe_multidisciplinare": "equipe",
    "operatore_cpi": "cpi",
    "referente_sanitario": "sanitario",
    "referente_giustizia": "giustizia",
    "tutor_aziendale": "ospitante",
    "referente_ente_partner": "partner",
    "job_coach": "job_coach",
}
# Lanes that fall back to the territory's holders while the team names nobody in the relation.
OPEN_WHILE_UNSTAFFED = frozenset({"assistente_sociale", "equipe_multidisciplinare", "operatore_cpi"})


@dataclass(frozen=True)
class Route:
    audience: str  # territory | team | organisation | supervisor
    organisation_id: int | None = None


def route(
    lane: str | None,
    team: Iterable[TeamMember],
    item: Any = None,
    organisation_codes: Mapping[str, int] | None = None,
) -> Route:
    """Who a task of ``lane`` is for, given the case's current team (see the module docstring).

    ``item`` is a multi-instance task's item: a partnership task addressed to one partner
    (``{"codice": ...}``) goes to that organisation's members, whatever the team says.
    """
    if lane is None or lane in TERRITORY_LANES or lane not in LANE_RELATION:
        return Route("territory")
    if isinstance(item, Mapping) and item.get("codice") and lane == "referente_ente_partner":
        organisation_id = (organisation_codes or {}).get(str(item["codice"]))
        return Route("organisation", organisation_id) if organisation_id else Route("supervisor")
    relation = LANE_RELATION[lane]
    current = [m for m in team if m.relation == relation and m.ended_at is None]
    if any(m.username for m in current):
        return Route("team")
    organisations = sorted(m.organisation_id for m in current if m.organisation_id is not None)
    if organisations:
        return Route("organisation", organisations[0])
    return Route("territory") if lane in OPEN_WHILE_UNSTAFFED else Route("supervisor")
