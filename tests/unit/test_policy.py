"""The access policy table, read directly: relations, territories, system actors."""

from __future__ import annotations

import pytest

from engine import errors
from engine.model import Actor
from engine.policy import (
    CLI_OPERATOR,
    POLICY,
    SCHEDULER,
    Permission,
    Relation,
    Target,
    allows,
    reach,
    require,
    roles_with,
)
from engine.roles import ROLES


def person(role: str, territory: str = "T1") -> Actor:
    return Actor(role, frozenset({role}), frozenset({territory}), frozenset({(role, territory)}))


IN_TEAM = Target("T1", frozenset({Relation.TEAM}))
IN_ORGANISATION = Target("T1", frozenset({Relation.ORGANISATION}))
OUTSIDE = Target("T1")


def test_every_permission_has_a_line_in_the_table() -> None:
    assert set(POLICY) == set(Permission)


def test_the_table_names_only_known_roles() -> None:
    named = {role for rules in POLICY.values() for rule in rules for role in rule.roles}
    assert named <= set(ROLES)


def test_a_tutor_reads_a_case_only_through_their_organisation() -> None:
    tutor = person("tutor_aziendale")
    assert allows(tutor, Permission.CASE_READ, IN_ORGANISATION)
    assert not allows(tutor, Permission.CASE_READ, OUTSIDE)
    assert not allows(tutor, Permission.CASE_READ, IN_TEAM)


def test_a_role_counts_only_in_the_territory_it_was_granted_for() -> None:
    social_worker = person("assistente_sociale", "T2")
    assert not allows(social_worker, Permission.CASE_READ, IN_TEAM)


def test_the_coordinator_sees_the_territory_but_no_health_data() -> None:
    coordinator = person("coordinatore")
    assert allows(coordinator, Permission.CASE_READ, OUTSIDE)
    assert not allows(coordinator, Permission.READ_HEALTH, OUTSIDE)
    assert not allows(coordinator, Permission.IDENTITY_READ, OUTSIDE)


def test_an_asl_referent_sees_health_data_only_of_cases_their_organisation_is_in_charge_of() -> None:
    referent = person("referente_sanitario")
    assert allows(referent, Permission.READ_HEALTH, IN_ORGANISATION)
    assert not allows(referent, Permission.READ_HEALTH, OUTSIDE)
    assert not allows(referent, Permission.READ_JUDICIAL, IN_ORGANISATION)


def test_require_refuses_with_forbidden_naming_the_permission() -> None:
    with pytest.raises(errors.Forbidden, match="case_read"):
        require(person("tutor_aziendale"), Permission.CASE_READ, OUTSIDE)


def test_system_actors_are_granted_by_name_and_a_person_cannot_pose_as_one() -> None:
    assert allows(CLI_OPERATOR, Permission.KEY_ROTATE)
    assert allows(SCHEDULER, Permission.TASK_WORK, OUTSIDE)
    assert not allows(SCHEDULER, Permission.KEY_ROTATE)
    impostor = Actor("sistema:cli", frozenset({"coordinatore"}))
    assert not allows(impostor, Permission.KEY_ROTATE)


def test_reach_tells_territory_wide_from_team_and_organisation_views() -> None:
    assert reach(person("coordinatore"), Permission.CASE_LIST, "T1").territory_wide
    social = reach(person("assistente_sociale"), Permission.CASE_LIST, "T1")
    assert (social.territory_wide, social.team, social.organisation) == (False, True, False)
    tutor = reach(person("tutor_aziendale"), Permission.CASE_LIST, "T1")
    assert (tutor.territory_wide, tutor.team, tutor.organisation) == (False, False, True)
    assert not reach(person("tutor_aziendale"), Permission.CASE_LIST, "T2").anything


def test_web_areas_come_from_the_table() -> None:
    assert roles_with(Permission.EXPORT_PSEUDONYMISED) == {"valutatore", "amministratore"}
    assert "progettista" not in roles_with(Permission.CASE_READ)
    assert "valutatore" not in roles_with(Permission.CASE_READ)


def test_firms_partners_and_evaluators_cannot_break_the_glass() -> None:
    for role in ("tutor_aziendale", "referente_ente_partner", "valutatore", "cabina_di_regia"):
        assert not allows(person(role), Permission.BREAK_GLASS, OUTSIDE), role
    assert allows(person("referente_sanitario"), Permission.BREAK_GLASS, OUTSIDE)


def test_the_services_that_refer_a_person_open_cases_and_no_one_else() -> None:
    """Social services, job centre, health and justice services refer a person; the lead body's
    help desk takes self-referrals (docs/domain.md, "Who refers a person"). The host firm's tutor,
    a partner organisation, the job coach, the équipe and the evaluator work on existing cases."""
    starters = {"assistente_sociale", "operatore_cpi", "referente_sanitario", "referente_giustizia", "coordinatore"}
    for role in starters:
        assert allows(person(role), Permission.CASE_START, OUTSIDE), role
    for role in ("tutor_aziendale", "referente_ente_partner", "job_coach", "equipe_multidisciplinare", "valutatore"):
        assert not allows(person(role), Permission.CASE_START, OUTSIDE), role
    assert not allows(person("referente_giustizia", "T2"), Permission.CASE_START, OUTSIDE)
