"""The one access policy: which roles, in which relation to the target, hold each permission.

Every engine read and command names an actor and asks ``require(actor, permission, target)``;
the web layer derives its areas from the same table (``roles_with``) and the authorization-matrix
test walks it. No other module keeps a list of roles that may do something.

A rule grants a permission to a role *in a relation*:

- ``ANYWHERE``: the role held in any territory (the process library, process design);
- ``TERRITORY``: the role held in the target's territory (coordinators, the cabina di regia,
  auditors: territory-wide views without the beneficiary's personal data);
- ``TEAM``: the role held in the territory *and* the actor named in the case's team (or, for
  a limited time, having broken the glass on it with a reason);
- ``ORGANISATION``: the role held in the territory *and* the actor a member of an organisation
  the case's team names (the host firm of a tutor, the ASL in charge, the partner answering).

The CLI, the scheduler, the demo seed and the web server's startup act as system actors granted by
name (``SYSTEM_GRANTS``):
a person can never hold the ``sistema`` role, since user roles come from ``engine.roles.ROLES``.
The people and data classes behind the table are in docs/access.md.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from engine import errors
from engine.model import Actor
from engine.roles import ROLES


class Permission(enum.StrEnum):
    PROCESS_READ = "process_read"  # the process library: diagrams, versions (no personal data)
    DESIGN = "design"  # drafts, deploy, dry run
    MIGRATE = "migrate"  # move running cases to another process version
    CASE_START = "case_start"
    CASE_LIST = "case_list"  # case summaries (pseudonym title, phase, status)
    CASE_READ = "case_read"  # a case's page, data (filtered by class), diagram and history
    TASK_WORK = "task_work"  # see, claim, draft and complete a task of one's lane
    TASK_SUPERVISE = "task_supervise"  # reassign, release others' tasks, route unrouted tasks
    CASE_ADMINISTER = "case_administer"  # cancel, correct data, reset
    ERASE_PERSONAL_DATA = "erase_personal_data"  # blank a closed case's personal data after retention
    CASE_MANAGE = "case_manage"  # suspend, resume, close d'ufficio (with a reason)
    MESSAGE_SEND = "message_send"  # a message to a running case (e.g. the beneficiary withdraws)
    HEALTH_ALERT = "health_alert"  # the health service in charge alerts the case team (relapse, incompatibility)
    TEAM_MANAGE = "team_manage"  # name the case manager, équipe members, organisations in charge
    READ_HEALTH = "read_health"  # class C2 fields (art. 9 GDPR)
    READ_JUDICIAL = "read_judicial"  # class C3 fields (art. 10 GDPR)
    IDENTITY_READ = "identity_read"  # the person record in clear (name, codice fiscale, contacts)
    IDENTITY_WRITE = "identity_write"  # enter or correct it; the art. 15 copy for the person
    BREAK_GLASS = "break_glass"  # open a case outside one's team, giving a reason
    BREAK_GLASS_REVIEW = "break_glass_review"
    AUDIT_READ = "audit_read"  # full timeline, replay, dossiers, access log, chain verification
    AUDIT_ANCHOR = "audit_anchor"
    REGISTRY_READ = "registry_read"  # organisations, members, protocols
    REGISTRY_MANAGE = "registry_manage"
    PARTNERSHIP_MANAGE = "partnership_manage"  # open or suspend a territory's partnership
    EXPORT_PSEUDONYMISED = "export_pseudonymised"
    USERS_MANAGE = "users_manage"
    KEY_ROTATE = "key_rotate"  # re-encrypt the person records under a new key
    KEY_CHECK = "key_check"  # check that the keyring opens what the database holds (answers a key id)
    ACCOUNT = "account"  # one's own API tokens and session
    ENTERPRISE_READ = "enterprise_read"  # an enterprise's record, links and roster (track B)
    ENTERPRISE_MANAGE = "enterprise_manage"  # create it, record registrations, hires, links
    DRAFT_UNLOCK = "draft_unlock"  # free a process draft someone else is editing
    CLOCK = "clock"  # fire due timers, deliver waiting messages, send notices: the scheduler's round
    METRICS_READ = "metrics_read"  # operational figures (no case data): the metrics page
    REPORT_AGGREGATES = "report_aggregates"  # the cockpit's figures, small cells suppressed
    REPORT_OPERATIONS = "report_operations"  # open work, quiet cases, the case list
    REPORT_PARTICIPANTS = "report_participants"  # the ESF+ participant file, keyed by pseudonym
    REPORT_DOCUMENTS = "report_documents"  # the approved semester reports and evaluations (archived PDFs)


class Relation(enum.StrEnum):
    ANYWHERE = "anywhere"
    TERRITORY = "territory"
    TEAM = "team"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    relation: Relation


@dataclass(frozen=True)
class Target:
    """What an actor asks about: a territory, and how the actor stands to the case there.

    ``relations`` is what the services found in the case's team for this actor: ``TEAM`` when
    named in it (or after a break-glass), ``ORGANISATION`` when one of their organisations is.
    A territory-level target (a list, a start, a partnership) has no relations.
    """

    territory: str | None = None
    relations: frozenset[Relation] = frozenset()


EVERYWHERE = Target()

_STAFF = frozenset({"coordinatore", "amministratore"})
_DESIGNERS = frozenset({"progettista", "coordinatore", "amministratore"})
_AUDITORS = frozenset({"auditor", "coordinatore", "amministratore"})
# Territory-wide overview of non-sensitive data: coordinators and the steering committee
# (docs/domain.md, "Roles").
_OVERVIEW = frozenset({"coordinatore", "cabina_di_regia", "auditor", "amministratore"})
# Named in a case's team as people: the case manager, the équipe, the job-centre operator.
_TEAM_PEOPLE = frozenset({"assistente_sociale", "equipe_multidisciplinare", "operatore_cpi"})
# Acting for an organisation the case's team names.
ORGANISATION_ROLES = frozenset(
    {
        "operatore_cpi",
        "referente_sanitario",
        "referente_giustizia",
        "tutor_aziendale",
        "referente_ente_partner",
        "job_coach",  # acts for the third-sector body the team names in the relation job_coach
    }
)
# Who opens a case: the services that refer a person to the programme (the social services, the
# job centre, the health and justice services in charge; docs/domain.md, "Who refers a person"),
# the lead body (its help desk takes self-referrals, and it opens the partnership and the
# programme's reports) and the steering committee. Never the host firm's tutor, a partner
# organisation, the job coach or the équipe, which work on a case once it exists.
_STARTERS = frozenset(
    {
        "coordinatore",
        "cabina_di_regia",
        "assistente_sociale",
        "operatore_cpi",
        "referente_sanitario",
        "referente_giustizia",
        "amministratore",
    }
)
# Lanes whose tasks are the territory's, not one case team's (partnership, committee decisions).
TERRITORY_LANES = frozenset({"coordinatore", "cabina_di_regia"})
# Who may break the glass: professionals who could be on a team; never firms, partners, evaluators.
_EMERGENCY = frozenset(
    {"assistente_sociale", "equipe_multidisciplinare", "operatore_cpi", "referente_sanitario", "referente_giustizia"}
)


def _rules(*pairs: tuple[Iterable[str], Relation]) -> tuple[Rule, ...]:
    return tuple(Rule(frozenset(roles), relation) for roles, relation in pairs)


T, TEAM, ORG, ANY = Relation.TERRITORY, Relation.TEAM, Relation.ORGANISATION, Relation.ANYWHERE

# The table. Read a line as: "<permission> is granted to <roles> <relation>".
POLICY: Mapping[Permission, tuple[Rule, ...]] = {
    Permission.PROCESS_READ: _rules((ROLES, ANY)),
    Permission.DESIGN: _rules((_DESIGNERS, ANY)),
    # moving running cases touches a territory's cases: only where the role is held
    Permission.MIGRATE: _rules((_DESIGNERS, T)),
    Permission.CASE_START: _rules((_STARTERS, T)),
    Permission.CASE_LIST: _rules((_OVERVIEW, T), (_TEAM_PEOPLE, TEAM), (ORGANISATION_ROLES, ORG)),
    Permission.CASE_READ: _rules((_OVERVIEW, T), (_TEAM_PEOPLE, TEAM), (ORGANISATION_ROLES, ORG)),
    Permission.TASK_WORK: _rules(
        (TERRITORY_LANES | {"amministratore"}, T), (_TEAM_PEOPLE, TEAM), (ORGANISATION_ROLES, ORG)
    ),
    Permission.TASK_SUPERVISE: _rules((_STAFF, T)),
    Permission.CASE_ADMINISTER: _rules((_STAFF, T)),
    # erasure is irreversible: the system administrator of the territory (and the console)
    Permission.ERASE_PERSONAL_DATA: _rules(({"amministratore"}, T)),
    Permission.CASE_MANAGE: _rules((_STAFF, T), ({"assistente_sociale"}, TEAM)),
    Permission.MESSAGE_SEND: _rules((_STAFF, T), ({"assistente_sociale", "operatore_cpi"}, TEAM)),
    # only the ASL/DSM/SerD the case's team names: the alert is health data for that team
    Permission.HEALTH_ALERT: _rules(({"referente_sanitario"}, ORG)),
    Permission.TEAM_MANAGE: _rules((_STAFF, T), ({"assistente_sociale"}, TEAM)),
    # Need to know (docs/domain.md, "Data classes and who sees them"): the team's social side sees
    # both; the service in charge its own class.
    Permission.READ_HEALTH: _rules(
        ({"assistente_sociale", "equipe_multidisciplinare"}, TEAM), ({"referente_sanitario"}, ORG)
    ),
    Permission.READ_JUDICIAL: _rules(
        ({"assistente_sociale", "equipe_multidisciplinare"}, TEAM), ({"referente_giustizia"}, ORG)
    ),
    Permission.IDENTITY_READ: _rules((_TEAM_PEOPLE, TEAM), (ORGANISATION_ROLES - {"referente_ente_partner"}, ORG)),
    Permission.IDENTITY_WRITE: _rules(({"assistente_sociale"}, TEAM)),
    Permission.BREAK_GLASS: _rules((_EMERGENCY, T)),
    Permission.BREAK_GLASS_REVIEW: _rules(({"coordinatore", "auditor", "amministratore"}, T)),
    Permission.AUDIT_READ: _rules((_AUDITORS, T)),
    Permission.AUDIT_ANCHOR: _rules((_STAFF, T)),
    Permission.REGISTRY_READ: _rules((frozenset(ROLES) - {"progettista", "valutatore"}, T)),
    Permission.REGISTRY_MANAGE: _rules((_STAFF, T)),
    Permission.PARTNERSHIP_MANAGE: _rules((_STAFF, T)),
    Permission.EXPORT_PSEUDONYMISED: _rules(({"valutatore", "amministratore"}, T)),
    Permission.USERS_MANAGE: _rules((_STAFF, T)),
    Permission.KEY_ROTATE: (),
    # the server's and the console's startup check, by name: no person runs it
    Permission.KEY_CHECK: (),
    Permission.ACCOUNT: _rules((ROLES, ANY)),
    # The roster carries workers' disadvantage categories: the territory's staff, the steering
    # committee (which receives the quota alerts) and auditors; never firms or partners.
    Permission.ENTERPRISE_READ: _rules((_OVERVIEW, T)),
    Permission.ENTERPRISE_MANAGE: _rules((_STAFF, T)),
    Permission.DRAFT_UNLOCK: _rules(({"amministratore"}, ANY)),
    # no person runs the clock: the scheduler (and the console) by name
    Permission.CLOCK: (),
    Permission.METRICS_READ: _rules(({"amministratore"}, ANY)),
    # The monitoring cockpit: aggregates to the coordinator, the steering committee and the
    # evaluator; what waits on whom and the case list to those who steer the work.
    Permission.REPORT_AGGREGATES: _rules(({"coordinatore", "cabina_di_regia", "valutatore", "amministratore"}, T)),
    Permission.REPORT_OPERATIONS: _rules(({"coordinatore", "cabina_di_regia", "amministratore"}, T)),
    Permission.REPORT_PARTICIPANTS: _rules(({"coordinatore", "valutatore", "amministratore"}, T)),
    # The programme's approved documents hold the frozen aggregates (small cells suppressed) and
    # the commentary, never a case: who reads the aggregates, and the auditors.
    Permission.REPORT_DOCUMENTS: _rules(
        ({"coordinatore", "cabina_di_regia", "valutatore", "auditor", "amministratore"}, T)
    ),
}

SYSTEM_ROLE = "sistema"
CLI_OPERATOR = Actor("sistema:cli", frozenset({SYSTEM_ROLE}))
SCHEDULER = Actor("sistema:scheduler", frozenset({SYSTEM_ROLE}))
DEMO = Actor("sistema:demo", frozenset({SYSTEM_ROLE}))
SERVER = Actor("sistema:server", frozenset({SYSTEM_ROLE}))

# System actors by name. The CLI is the operator at the server's console (who holds the database
# and the key anyway); the scheduler only moves cases on; the demo seeds a territory; the web
# server, as it starts and before anyone signs in, only checks its data keys.
SYSTEM_GRANTS: Mapping[str, frozenset[Permission]] = {
    CLI_OPERATOR.username: frozenset(Permission),
    SCHEDULER.username: frozenset(
        {Permission.CLOCK, Permission.TASK_WORK, Permission.CASE_READ, Permission.MESSAGE_SEND, Permission.AUDIT_ANCHOR}
    ),
    DEMO.username: frozenset(Permission) - {Permission.KEY_ROTATE},
    SERVER.username: frozenset({Permission.KEY_CHECK}),
    # the engine's own name, inside a command already authorised, for what the diagram does by
    # itself (a timer's events, a partnership's notices, the anchor after a bulk migration)
    "system": frozenset({Permission.TASK_WORK, Permission.MESSAGE_SEND, Permission.AUDIT_ANCHOR}),
}


def is_system(actor: Actor) -> bool:
    return actor.roles == {SYSTEM_ROLE} and actor.username in SYSTEM_GRANTS


def allows(actor: Actor, permission: Permission, target: Target = EVERYWHERE) -> bool:
    """Whether ``actor`` holds ``permission`` on ``target`` (see the module docstring)."""
    if is_system(actor):
        return permission in SYSTEM_GRANTS[actor.username]
    return any(_grants(actor, rule, target) for rule in POLICY[permission])


def require(actor: Actor, permission: Permission, target: Target = EVERYWHERE) -> None:
    """Raise ``Forbidden`` unless ``allows``; the message names the permission, never data."""
    if not allows(actor, permission, target):
        where = f" in territory {target.territory!r}" if target.territory else ""
        raise errors.Forbidden(f"{actor.username} lacks permission {permission.value}{where}")


def _grants(actor: Actor, rule: Rule, target: Target) -> bool:
    if rule.relation is Relation.ANYWHERE:
        return bool(actor.roles & rule.roles)
    if not actor.covers(target.territory) or not actor.roles_in(target.territory) & rule.roles:
        return False
    return rule.relation is Relation.TERRITORY or rule.relation in target.relations


def roles_with(*permissions: Permission) -> frozenset[str]:
    """Every role some rule grants one of ``permissions`` to, in whatever relation (web areas)."""
    return frozenset(role for p in permissions for rule in POLICY[p] for role in rule.roles)


@dataclass(frozen=True)
class Reach:
    """How far a permission reaches in one territory: all of it, or the actor's team cases,
    or the cases of the actor's organisations (a list query ORs the last two)."""

    territory_wide: bool = False
    team: bool = False
    organisation: bool = False

    @property
    def anything(self) -> bool:
        return self.territory_wide or self.team or self.organisation


def reach(actor: Actor, permission: Permission, territory: str | None) -> Reach:
    """What a list of ``permission`` targets shows ``actor`` in ``territory`` (``None``: any)."""
    if is_system(actor):
        return Reach(territory_wide=permission in SYSTEM_GRANTS[actor.username])
    if not actor.covers(territory):
        return Reach()
    held = actor.roles_in(territory)
    relations = {rule.relation for rule in POLICY[permission] if held & rule.roles}
    return Reach(
        territory_wide=bool(relations & {Relation.TERRITORY, Relation.ANYWHERE}),
        team=Relation.TEAM in relations,
        organisation=Relation.ORGANISATION in relations,
    )


def wide_territories(actor: Actor, permission: Permission) -> tuple[bool, frozenset[str]]:
    """Where ``actor`` holds ``permission`` territory-wide: (every territory, else which ones).
    Elsewhere a list shows only what the actor's team and organisations reach."""
    if is_system(actor):
        return permission in SYSTEM_GRANTS[actor.username], frozenset()
    wide = frozenset(
        role
        for rule in POLICY[permission]
        if rule.relation in (Relation.TERRITORY, Relation.ANYWHERE)
        for role in rule.roles
    )
    if not actor.grants:
        if not actor.roles & wide:
            return False, frozenset()
        return (not actor.territories), frozenset(actor.territories)
    found = {territory for role, territory in actor.grants if role in wide}
    if "" in found:
        return True, frozenset()
    return False, frozenset(found)


def lane_roles_reaching(actor: Actor, territory: str | None, relation: Relation) -> frozenset[str]:
    """The actor's roles whose tasks they work in ``relation`` (for routing the inbox)."""
    held = actor.roles_in(territory)
    return frozenset(
        role for rule in POLICY[Permission.TASK_WORK] if rule.relation is relation for role in rule.roles & held
    )
