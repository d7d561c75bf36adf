"""Every endpoint × every role × {in the case's team, out of it, in another territory} (and
anonymous): who gets in, who gets 403, who must log in — checked against the one policy table.

Each row names an endpoint, the area of ``web.security.AREAS`` that guards it and the status a
permitted caller gets with the row's (often deliberately unknown or incomplete) input: that
status proves the request passed the role gate and reached the engine. A row about one case
also names the permission of ``engine.policy`` it needs on that case: a caller then gets the
row's status only when the policy grants it that permission in their relation to the case
(named in the team, or a member of an organisation it names; neither; another territory).
Everyone else gets 403; anonymous browsers are sent to the login page, anonymous API calls get
401. The lists (cases, tasks) answer everyone they admit, and show the case only to whom the
policy grants it: zero unexpected grants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from engine import Actor, Engine
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR, Permission, Relation, Target, allows
from engine.roles import ROLES
from tests.web.conftest import login_as, make_app, start_case
from web.security import AREAS

MISSING_TASK = "00000000-0000-0000-0000-000000000000"
CASE = "{case}"
# A well-formed health alert dated before the case started: past the policy, the engine answers 422.
ALERT = {"tipo": "RICADUTA", "descrizione": "Ricaduta nella settimana passata", "data": "2020-01-01"}
API_ALERT = {"description": ALERT["descrizione"], "date": ALERT["data"]}

# (method, path, area, status for a permitted role, JSON body or form)
HTML: list[tuple[str, str, str, int, Any]] = [
    ("GET", "/inbox", "inbox", 200, None),
    ("GET", "/inbox?tab=all", "inbox", 200, None),
    ("POST", "/inbox/filters", "inbox", 302, {"name": "f", "tab": "mine"}),
    ("POST", "/inbox/filters/999/delete", "inbox", 404, {}),
    ("GET", f"/tasks/{MISSING_TASK}", "inbox", 404, None),
    ("POST", f"/tasks/{MISSING_TASK}", "inbox", 404, {}),
    ("POST", f"/tasks/{MISSING_TASK}/claim", "inbox", 404, {}),
    ("POST", f"/tasks/{MISSING_TASK}/release", "inbox", 404, {}),
    ("POST", f"/tasks/{MISSING_TASK}/reassign", "supervise", 404, {"assignee": "x"}),
    ("GET", "/cases", "cases", 200, None),
    ("GET", f"/cases/{CASE}", "cases", 200, None),
    ("GET", f"/cases/{CASE}/diagram.json", "cases", 200, None),
    ("GET", f"/cases/{CASE}/relazione.pdf", "monitoring_documents", 404, None),
    ("GET", f"/cases/{CASE}/persona", "identity", 200, None),
    ("GET", f"/cases/{CASE}/persona/modifica", "identity_write", 200, None),
    ("POST", f"/cases/{CASE}/persona/modifica", "identity_write", 422, {}),
    ("GET", f"/cases/{CASE}/persona.pdf", "identity_write", 404, None),
    ("GET", f"/cases/{CASE}/cancellazione-dati", "erase", 200, None),
    ("POST", f"/cases/{CASE}/cancellazione-dati", "erase", 422, {}),
    ("GET", "/cases/new", "start", 200, None),
    ("POST", "/cases/new", "start", 422, {}),
    ("POST", "/partnerships", "supervise", 302, {}),
    ("POST", f"/cases/{CASE}/actions/suspend", "case_actions", 422, {"reason": "x"}),
    ("POST", f"/cases/{CASE}/health-alert", "health_alert", 422, {f"{k}_allerta": v for k, v in ALERT.items()}),
    ("GET", f"/cases/{CASE}/timeline", "audit", 200, None),
    ("GET", f"/cases/{CASE}/timeline?kind=started&from=2026-01-01", "audit", 200, None),
    ("GET", f"/cases/{CASE}/replay", "audit", 200, None),
    ("GET", f"/cases/{CASE}/replay.json", "audit", 200, None),
    ("GET", f"/cases/{CASE}/dossier.pdf", "audit", 200, None),
    ("GET", f"/cases/{CASE}/dossier.json", "audit", 200, None),
    ("GET", "/audit/access-log", "audit", 200, None),
    ("GET", "/audit/verify", "audit", 200, None),
    ("GET", "/exports/pseudonymised.json", "export", 200, None),
    ("GET", "/account/tokens", "account", 200, None),
    ("POST", "/account/tokens", "account", 422, {}),
    ("POST", "/account/tokens/999/revoke", "account", 404, {}),
    ("GET", "/design", "design", 200, None),
    ("POST", "/design/new", "design", 422, {}),
    ("POST", "/design/open", "design", 404, {}),
    ("POST", "/design/upload", "design", 422, {}),
    ("GET", "/design/library/download", "design", 404, None),
    ("GET", "/design/drafts/999", "design", 404, None),
    ("GET", "/design/drafts/999.json", "design", 404, None),
    ("POST", "/design/drafts/999.json", "design", 404, None),
    ("GET", "/design/drafts/999/diff.json", "design", 404, None),
    ("POST", "/design/drafts/999/edit", "design", 404, {}),
    ("POST", "/design/drafts/999/lock.json", "design", 404, None),
    ("POST", "/design/drafts/999/scenarios/999/delete", "design", 404, {}),
    ("GET", "/design/drafts/999/decision-tests.json", "design", 404, None),
    ("POST", "/design/drafts/999/decision-tests.json", "design", 404, None),
    ("POST", "/design/drafts/999/decision-tests/delete.json", "design", 404, None),
    ("GET", "/design/drafts/999/rules-diff.json", "design", 404, None),
    ("POST", "/design/drafts/999/release", "design", 404, {}),
    ("POST", "/design/drafts/999/break-lock", "design", 404, {"reason": "x"}),
    ("GET", "/design/library/view", "design", 404, None),
    ("GET", "/design/library/file.json", "design", 404, None),
    ("GET", "/design/drafts/999/download", "design", 404, None),
    ("POST", "/design/drafts/999/delete", "design", 404, {}),
    ("POST", "/design/drafts/999/deploy", "design", 404, {}),
    ("GET", "/design/drafts/999/dry-run", "design", 404, None),
    ("POST", "/design/drafts/999/dry-run", "design", 404, {}),
    ("GET", "/design/processes/valutazione_bisogno/versions", "design", 200, None),
    ("GET", "/design/processes/valutazione_bisogno/diff.json", "design", 200, None),
    ("GET", "/design/processes/valutazione_bisogno/download", "design", 404, None),
    ("GET", "/design/processes/valutazione_bisogno/migrate", "design", 200, None),
    ("POST", "/design/processes/valutazione_bisogno/migrate", "design", 422, {"action": "migrate"}),
    ("GET", "/registry", "registry", 200, None),
    ("GET", "/registry/network", "registry", 200, None),
    ("GET", "/registry/mine", "registry", 200, None),
    ("GET", "/registry/organisations/NESSUNO", "registry", 404, None),
    ("GET", "/registry/organisations/new", "registry_manage", 200, None),
    ("POST", "/registry/organisations/new", "registry_manage", 422, {}),
    ("GET", "/registry/organisations/NESSUNO/history", "registry", 404, None),
    ("GET", "/registry/organisations/NESSUNO/edit", "registry_manage", 404, None),
    ("POST", "/registry/organisations/NESSUNO/edit", "registry_manage", 404, {}),
    ("POST", "/registry/organisations/NESSUNO/members", "registry_manage", 404, {}),
    ("GET", "/registry/protocols/999", "registry", 404, None),
    ("GET", "/registry/protocols/new", "registry_manage", 200, None),
    ("POST", "/registry/protocols/new", "registry_manage", 422, {}),
    ("GET", "/registry/protocols/999/edit", "registry_manage", 404, None),
    ("POST", "/registry/protocols/999/edit", "registry_manage", 404, {}),
    ("POST", "/registry/protocols/999/sign", "registry_manage", 404, {}),
    ("POST", "/registry/protocols/999/activate", "registry_manage", 404, {}),
    ("POST", "/registry/protocols/999/documents", "registry_manage", 404, {}),
    ("POST", "/registry/protocols/999/withdraw", "registry_manage", 404, {}),
    ("GET", "/registry/protocols/999/documents/999", "registry", 404, None),
    ("GET", "/enterprises", "enterprises", 200, None),
    ("GET", "/enterprises/new", "enterprises_manage", 200, None),
    ("POST", "/enterprises/new", "enterprises_manage", 422, {}),
    ("GET", "/enterprises/999", "enterprises", 404, None),
    ("POST", "/enterprises/999/details", "enterprises_manage", 404, {}),
    ("POST", "/enterprises/999/registrations", "enterprises_manage", 404, {}),
    ("POST", "/enterprises/999/links", "enterprises_manage", 404, {}),
    ("POST", "/enterprises/999/links/999/end", "enterprises_manage", 404, {}),
    ("POST", "/enterprises/999/links/999/delete", "enterprises_manage", 404, {}),
    ("POST", "/enterprises/999/links/999/hire", "enterprises_manage", 404, {}),
    ("GET", "/monitoraggio", "monitoring", 200, None),
    ("GET", "/monitoraggio/funnel.csv", "monitoring", 200, None),
    ("GET", "/monitoraggio/wip.csv", "monitoring_operations", 200, None),
    ("GET", "/monitoraggio/casi.csv", "monitoring_operations", 200, None),
    ("GET", "/monitoraggio/partecipanti.csv", "monitoring_participants", 200, None),
    ("GET", "/monitoraggio/colli-di-bottiglia", "monitoring", 200, None),
    ("GET", "/monitoraggio/colli-di-bottiglia.json", "monitoring", 200, None),
    ("GET", f"/monitoraggio/documenti/{CASE}.pdf", "monitoring_documents", 404, None),
]
API: list[tuple[str, str, str, int, Any]] = [
    ("GET", "/api/v1/cases", "cases", 200, None),
    ("POST", "/api/v1/cases", "start", 422, {}),
    ("GET", f"/api/v1/cases/{CASE}", "cases", 200, None),
    ("GET", f"/api/v1/cases/{CASE}/history", "cases", 200, None),
    ("GET", f"/api/v1/cases/{CASE}/outlook", "cases", 200, None),
    # the identity through the API: none recorded yet (404); an empty name is answered with its
    # field message (422) to whom may write it
    ("GET", f"/api/v1/cases/{CASE}/persona", "identity", 404, None),
    ("PUT", f"/api/v1/cases/{CASE}/persona", "identity_write", 422, {"nome": "", "cognome": ""}),
    ("PATCH", f"/api/v1/cases/{CASE}/persona", "identity_write", 422, {"nome": ""}),
    ("GET", f"/api/v1/cases/{CASE}/relazione.pdf", "monitoring_documents", 404, None),
    ("POST", f"/api/v1/cases/{CASE}/withdrawal", "case_actions", 422, {}),
    ("POST", f"/api/v1/cases/{CASE}/health-alerts", "health_alert", 422, {"kind": "RICADUTA", **API_ALERT}),
    ("POST", f"/api/v1/cases/{CASE}/suspension", "case_actions", 422, {}),
    ("POST", f"/api/v1/cases/{CASE}/resumption", "case_actions", 422, {}),
    ("POST", f"/api/v1/cases/{CASE}/closure", "case_actions", 422, {}),
    ("POST", f"/api/v1/cases/{CASE}/cancellation", "case_actions", 422, {}),
    ("GET", "/api/v1/tasks", "inbox", 200, None),
    ("GET", f"/api/v1/tasks/{MISSING_TASK}", "inbox", 404, None),
    ("POST", f"/api/v1/tasks/{MISSING_TASK}/claim", "inbox", 404, None),
    ("POST", f"/api/v1/tasks/{MISSING_TASK}/release", "inbox", 404, None),
    ("POST", f"/api/v1/tasks/{MISSING_TASK}/reassign", "supervise", 422, {}),
    ("PUT", f"/api/v1/tasks/{MISSING_TASK}/draft", "inbox", 404, {"data": {}}),
    ("POST", f"/api/v1/tasks/{MISSING_TASK}/complete", "inbox", 404, {"data": {}}),
    ("GET", "/api/v1/processes", "processes", 200, None),
    ("GET", "/api/v1/processes/valutazione_bisogno", "processes", 200, None),
    ("GET", f"/api/v1/cases/{CASE}/replay", "audit", 200, None),
    ("GET", f"/api/v1/cases/{CASE}/replay?upto=1", "audit", 200, None),
    ("GET", f"/api/v1/cases/{CASE}/dossier.pdf", "audit", 200, None),
    ("GET", f"/api/v1/cases/{CASE}/dossier.json", "audit", 200, None),
    ("GET", "/api/v1/audit/verify", "audit", 200, None),
    ("GET", "/api/v1/audit/access-log", "audit", 200, None),
    ("GET", "/api/v1/exports/pseudonymised", "export", 200, None),
    ("GET", "/api/v1/tokens", "account", 200, None),
    ("POST", "/api/v1/tokens", "account", 422, {}),
    ("DELETE", "/api/v1/tokens/999", "account", 404, None),
    ("GET", "/api/v1/drafts", "design", 200, None),
    ("POST", "/api/v1/drafts", "design", 422, {}),
    ("POST", "/api/v1/drafts/upload", "design", 422, {}),
    ("GET", "/api/v1/drafts/999", "design", 404, None),
    ("PUT", "/api/v1/drafts/999", "design", 404, {"content": "<x/>"}),
    ("DELETE", "/api/v1/drafts/999", "design", 404, None),
    ("POST", "/api/v1/drafts/999/deploy", "design", 404, {"note": "x"}),
    ("GET", "/api/v1/drafts/999/diff", "design", 404, None),
    ("GET", "/api/v1/drafts/999/decision-tests", "design", 404, None),
    ("POST", "/api/v1/drafts/999/decision-tests", "design", 404, {}),
    ("PUT", "/api/v1/drafts/999/decision-tests/T_x", "design", 404, {}),
    ("DELETE", "/api/v1/drafts/999/decision-tests/T_x", "design", 404, None),
    ("GET", "/api/v1/drafts/999/rule-diff", "design", 404, None),
    ("POST", "/api/v1/drafts/999/lock", "design", 404, None),
    ("DELETE", "/api/v1/drafts/999/lock", "design", 404, None),
    ("POST", "/api/v1/drafts/999/lock/break", "design", 404, {"reason": "x"}),
    ("POST", "/api/v1/drafts/999/dry-run", "design", 404, {"process_id": "x"}),
    ("GET", "/api/v1/processes/valutazione_bisogno/versions", "processes", 200, None),
    ("GET", "/api/v1/processes/valutazione_bisogno/diff?from=1&to=1", "processes", 200, None),
    ("POST", f"/api/v1/cases/{CASE}/migrate", "design", 200, {"to_version": 1, "dry_run": True}),
    ("POST", "/api/v1/processes/valutazione_bisogno/migrate", "design", 200, {"to_version": 1, "dry_run": True}),
    ("GET", "/api/v1/metrics", "metrics", 200, None),
    ("GET", "/api/v1/organisations", "registry", 200, None),
    ("POST", "/api/v1/organisations", "registry_manage", 422, {}),
    ("GET", "/api/v1/organisations/NESSUNO", "registry", 404, None),
    ("PUT", "/api/v1/organisations/NESSUNO", "registry_manage", 422, {}),
    ("POST", "/api/v1/organisations/NESSUNO/members", "registry_manage", 422, {}),
    ("GET", "/api/v1/protocols", "registry", 200, None),
    ("POST", "/api/v1/protocols", "registry_manage", 422, {}),
    ("GET", "/api/v1/protocols/999", "registry", 404, None),
    ("PUT", "/api/v1/protocols/999", "registry_manage", 422, {}),
    ("POST", "/api/v1/protocols/999/signature", "registry_manage", 422, {}),
    ("POST", "/api/v1/protocols/999/activation", "registry_manage", 404, None),
    ("POST", "/api/v1/protocols/999/documents", "registry_manage", 422, {}),
    ("GET", "/api/v1/protocols/999/documents/999", "registry", 404, None),
    ("GET", "/api/v1/protocols/999/history", "registry", 404, None),
    ("POST", "/api/v1/protocols/999/withdrawal", "registry_manage", 422, {}),
    ("GET", "/api/v1/protocols/999/dependent-cases", "registry_manage", 404, None),
    ("GET", "/api/v1/enterprises", "enterprises", 200, None),
    ("POST", "/api/v1/enterprises", "enterprises_manage", 422, {}),
    ("GET", "/api/v1/enterprises/999", "enterprises", 404, None),
    ("PATCH", "/api/v1/enterprises/999", "enterprises_manage", 404, {}),
    ("POST", "/api/v1/enterprises/999/registrations", "enterprises_manage", 422, {}),
    ("POST", "/api/v1/enterprises/999/links", "enterprises_manage", 422, {}),
    ("POST", "/api/v1/enterprises/999/links/999/leaving", "enterprises_manage", 422, {}),
    ("DELETE", "/api/v1/enterprises/999/links/999", "enterprises_manage", 404, None),
    ("GET", "/api/v1/reports/funnel?period=2026", "monitoring", 200, None),
    ("GET", "/api/v1/reports/wip?period=2026", "monitoring_operations", 200, None),
    ("GET", "/api/v1/reports/cases?period=2026", "monitoring_operations", 200, None),
    ("GET", "/api/v1/reports/participants?period=2026", "monitoring_participants", 200, None),
    ("GET", "/api/v1/reports/bottlenecks?period=2026", "monitoring", 200, None),
]
# The permission a row about the case needs on it (rows not listed touch no particular case).
CASE_PERMISSION: dict[tuple[str, str], Permission] = {
    ("GET", f"/cases/{CASE}"): Permission.CASE_READ,
    ("GET", f"/cases/{CASE}/diagram.json"): Permission.CASE_READ,
    # the case has no approved semester report: whoever may read the case gets 404
    ("GET", f"/cases/{CASE}/relazione.pdf"): Permission.REPORT_DOCUMENTS,
    ("GET", f"/monitoraggio/documenti/{CASE}.pdf"): Permission.REPORT_DOCUMENTS,
    ("GET", f"/api/v1/cases/{CASE}/relazione.pdf"): Permission.REPORT_DOCUMENTS,
    ("GET", f"/api/v1/cases/{CASE}"): Permission.CASE_READ,
    ("GET", f"/api/v1/cases/{CASE}/history"): Permission.CASE_READ,
    ("GET", f"/api/v1/cases/{CASE}/outlook"): Permission.CASE_READ,
    # the page answers a short reason with its form again (422) to whoever may read the case
    ("POST", f"/cases/{CASE}/actions/suspend"): Permission.CASE_READ,
    ("POST", f"/api/v1/cases/{CASE}/migrate"): Permission.MIGRATE,
    # a health alert only from the health service the case's team names (dated too early: 422)
    ("POST", f"/cases/{CASE}/health-alert"): Permission.HEALTH_ALERT,
    ("POST", f"/api/v1/cases/{CASE}/health-alerts"): Permission.HEALTH_ALERT,
    # the identity: the person page to whom may read it; the form (an empty one is answered with
    # its field messages) and the art. 15 copy (none recorded yet: 404) to whom may write it
    ("GET", f"/cases/{CASE}/persona"): Permission.IDENTITY_READ,
    ("GET", f"/cases/{CASE}/persona/modifica"): Permission.IDENTITY_WRITE,
    ("POST", f"/cases/{CASE}/persona/modifica"): Permission.IDENTITY_WRITE,
    ("GET", f"/cases/{CASE}/persona.pdf"): Permission.IDENTITY_WRITE,
    # erasure: the plan of the person's cases to whom may erase in the territory; unconfirmed: 422
    ("GET", f"/cases/{CASE}/cancellazione-dati"): Permission.ERASE_PERSONAL_DATA,
    ("POST", f"/cases/{CASE}/cancellazione-dati"): Permission.ERASE_PERSONAL_DATA,
    ("GET", f"/api/v1/cases/{CASE}/persona"): Permission.IDENTITY_READ,
    ("PUT", f"/api/v1/cases/{CASE}/persona"): Permission.IDENTITY_WRITE,
    ("PATCH", f"/api/v1/cases/{CASE}/persona"): Permission.IDENTITY_WRITE,
    **{
        ("GET", f"{prefix}/cases/{CASE}/{page}"): Permission.AUDIT_READ
        for prefix in ("", "/api/v1")
        for page in ("timeline", "replay", "replay.json", "dossier.pdf", "dossier.json")
    },
}
CALLERS = [*sorted(ROLES), None]  # None: anonymous
ELSEWHERE = "ATS-Altrove"
# The three standings of a caller towards the case: prefix of their user name, and territory.
STANDINGS = {"in": ("m", TERRITORY), "out": ("o", TERRITORY), "far": ("x", ELSEWHERE)}
# Roles named in a team as people; the others that act for an organisation join one.
TEAM_PEOPLE = {"assistente_sociale": "equipe", "equipe_multidisciplinare": "equipe", "operatore_cpi": "cpi"}
TEAM_ORGANISATIONS = {
    "referente_sanitario": ("sanitario", "servizio_sanitario"),
    "referente_giustizia": ("giustizia", "giustizia"),
    "tutor_aziendale": ("ospitante", "impresa_mentor"),
    "referente_ente_partner": ("partner", "terzo_settore"),
    "job_coach": ("job_coach", "terzo_settore"),
}
PUBLIC = {
    "/login",
    "/logout",
    "/health",
    "/health/live",
    "/health/ready",
    "/",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/static/<path:filename>",
}


def allowed(role: str | None, area: str, method: str = "GET") -> bool:
    if role == "auditor" and method != "GET" and area != "account":
        return False  # read-only: only their own tokens
    return role is not None and (not AREAS[area] or role in AREAS[area])


def concrete(rule: str, case: str = CASE, task: str = MISSING_TASK) -> str:
    """A URL rule with its parameters filled in."""
    return (
        rule.replace("<task_id>", task)
        .replace("<int:case_id>", case)
        .replace("<int:filter_id>", "999")
        .replace("<int:token_id>", "999")
        .replace("<int:draft_id>", "999")
        .replace("<int:scenario_id>", "999")
        .replace("<process_id>", "valutazione_bisogno")
        .replace("<action>", "suspend")
        .replace("<code>", "NESSUNO")
        .replace("<int:protocol_id>", "999")
        .replace("<int:document_id>", "999")
        .replace("<int:enterprise_id>", "999")
        .replace("<int:link_id>", "999")
        .replace("<test_id>", "T_x")
        .replace("<any(funnel, sla, esf):kind>", "funnel")
        .replace("<any(csv, xlsx, json):export_format>", "csv")
    )


@dataclass
class World:
    app: Flask
    case_id: int
    tokens: dict[str, str]  # user name → API token
    actors: dict[str, Actor]  # user name → actor
    relations: dict[str, frozenset[Relation]]  # user name → their relations to the case


def user(role: str, standing: str) -> str:
    return f"{STANDINGS[standing][0]}_{role}"


@pytest.fixture
def world(demo: Engine) -> World:
    """Per role three users: named in the case's team (or a member of an organisation it names),
    out of the team (of another organisation of the same kind), and of another territory; one
    running case of the demo territory (its case manager is the demo social worker)."""
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    case = start_case(demo)
    relations: dict[str, frozenset[Relation]] = {}
    for role in ROLES:
        for prefix, territory in STANDINGS.values():
            demo.users.add(f"{prefix}_{role}", f"{prefix} {role}", [(role, territory)], actor=CLI_OPERATOR)
            relations[f"{prefix}_{role}"] = frozenset()
    for role, (relation, kind) in TEAM_ORGANISATIONS.items():
        for standing in ("in", "out"):
            code = f"{standing.upper()}_{kind.upper()}"
            if code not in {o.code for o in demo.registry.organisations(actor=coordinator)}:  # kinds repeat
                demo.registry.add_organisation(code, code, kind, TERRITORY, actor=coordinator)
            demo.registry.add_member(code, user(role, standing), actor=coordinator)
        demo.teams.add(case.id, relation, organisation=f"IN_{kind.upper()}", actor=coordinator)
        relations[user(role, "in")] = frozenset({Relation.ORGANISATION})
    for role, relation in TEAM_PEOPLE.items():
        demo.teams.add(case.id, relation, username=user(role, "in"), actor=coordinator)
        relations[user(role, "in")] = frozenset({Relation.TEAM})
    tokens, actors = {}, {}
    for name in relations:
        actors[name] = demo.users.get(name, actor=CLI_OPERATOR)
        tokens[name] = demo.accounts.create_token("matrix", actor=actors[name])[1]
    return World(make_app(demo), case.id, tokens, actors, relations)


def expected_status(world: World, name: str, role: str, method: str, path: str, area: str, ok: int) -> int:
    """What the policy table says ``name`` (holding ``role``) gets from the row."""
    if not allowed(role, area, method):
        return 403
    permission = CASE_PERMISSION.get((method, path.split("?")[0]))
    if permission is None:
        return ok
    standing = Target(TERRITORY, world.relations[name])
    return ok if allows(world.actors[name], permission, standing) else 403


def callers() -> list[tuple[str | None, str | None]]:
    """(user name, role) of every caller: each role in each standing, and anonymous."""
    return [(user(role, standing), role) for role in sorted(ROLES) for standing in STANDINGS] + [(None, None)]


def test_every_html_endpoint_for_every_role_and_standing(world: World) -> None:
    problems = []
    for method, path, area, ok, form in HTML:
        url = path.replace(CASE, str(world.case_id))
        for name, role in callers():
            client = world.app.test_client()
            if name:
                login_as(client, name)
            response = client.open(url, method=method, data=form)
            if name is None or role is None:
                expected = 302
                good = response.status_code == 302 and "/login" in response.headers["Location"]
            else:
                expected = expected_status(world, name, role, method, path, area, ok)
                good = response.status_code == expected
            if not good:
                problems.append(f"{method} {path} as {name}: {response.status_code}, expected {expected}")
    assert not problems, "\n".join(problems)


def test_every_api_endpoint_for_every_role_and_standing(world: World) -> None:
    problems = []
    for method, path, area, ok, body in API:
        url = path.replace(CASE, str(world.case_id))
        for name, role in callers():
            headers = {"Authorization": f"Bearer {world.tokens[name]}"} if name else {}
            response = world.app.test_client().open(url, method=method, json=body, headers=headers)
            if name is None or role is None:
                expected = 401
            else:
                expected = expected_status(world, name, role, method, path, area, ok)
            if response.status_code != expected:
                problems.append(f"{method} {path} as {name}: {response.status_code}, expected {expected}")
            elif expected >= 400 and response.mimetype != "application/problem+json":
                problems.append(f"{method} {path} as {name}: {response.mimetype}")
    assert not problems, "\n".join(problems)


def test_the_lists_show_the_case_only_to_whom_the_policy_grants_it(world: World) -> None:
    """Case lists (API and page) and inboxes (API and page, with counts): no unexpected grant. The
    case's open task is in the coordinators' lane: offered to the territory's coordinators only."""
    problems = []
    [task] = world.app.extensions["engine"].cases.get(world.case_id, actor=world.actors["m_coordinatore"]).open_tasks
    assert (task.role, task.audience) == ("coordinatore", "territory")
    for name, role in callers():
        if name is None or role is None:
            continue
        listed = allowed(role, "cases") and allows(
            world.actors[name], Permission.CASE_LIST, Target(TERRITORY, world.relations[name])
        )
        headers = {"Authorization": f"Bearer {world.tokens[name]}"}
        cases = world.app.test_client().get("/api/v1/cases", headers=headers)
        shown = cases.status_code == 200 and world.case_id in [c["id"] for c in cases.get_json()]
        page = login_as(world.app.test_client(), name).get("/cases")
        on_page = page.status_code == 200 and "BEN-0001" in page.get_data(as_text=True)
        if (shown, on_page) != (listed, listed):
            problems.append(f"cases as {name}: API {shown}, page {on_page}, policy {listed}")
        offered = role == task.role and world.actors[name].holds(role, TERRITORY)
        tasks = world.app.test_client().get("/api/v1/tasks?scope=claimable", headers=headers)
        got = tasks.status_code == 200 and [t["id"] for t in tasks.get_json()["items"]] == [task.id]
        counted = tasks.status_code == 200 and tasks.get_json()["total"] == int(offered)
        if (got, counted) != (offered, True) and not (tasks.status_code == 403 and not offered):
            problems.append(f"tasks as {name}: {tasks.status_code} {tasks.get_json()}, policy {offered}")
        inbox = login_as(world.app.test_client(), name).get("/inbox?tab=role")
        html = inbox.get_data(as_text=True)
        if inbox.status_code == 200 and ((task.id in html) != offered or f'count-role">{int(offered)}<' not in html):
            problems.append(f"inbox as {name}: offered {task.id in html}, policy {offered}")
    assert not problems, "\n".join(problems)


def test_the_matrix_covers_every_route(world: World) -> None:
    app = world.app
    covered = {(m, p.split("?")[0]) for m, p, *_ in HTML + API}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.rule in PUBLIC:
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            if (method, concrete(rule.rule)) not in covered:
                missing.append(f"{method} {rule.rule}")
    assert not missing, missing


def test_case_reading_and_the_engine_territory_check(demo: Engine, app: Flask) -> None:
    """A territorial user sees cases of their territory only (the engine's own check)."""
    here = start_case(demo)
    other = demo.cases.start(
        "accordo_partenariato", {"territorio": "ATS-Altrove"}, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR)
    )
    client = login_as(app.test_client(), "assistente")
    assert client.get(f"/cases/{here.id}").status_code == 200
    assert client.get(f"/cases/{other.id}").status_code == 403
    assert client.get(f"/cases/{other.id}/diagram.json").status_code == 403
