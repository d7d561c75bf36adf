"""Case teams and break-glass openings."""

from __future__ import annotations

import builtins

from engine.areas.base import Area
from engine.model import Actor, BreakGlass, TeamMember
from engine.services import teams


class Teams(Area):
    def of_case(self, case_id: int, *, actor: Actor) -> builtins.list[TeamMember]:
        return teams.team(self._ctx, case_id, actor=actor)

    def add(
        self,
        case_id: int,
        relation: str,
        *,
        actor: Actor,
        username: str | None = None,
        organisation: str | None = None,
    ) -> builtins.list[TeamMember]:
        return teams.add_to_team(
            self._ctx, case_id, relation, username=username, organisation=organisation, actor=actor
        )

    def remove(self, case_id: int, member_id: int, *, actor: Actor) -> builtins.list[TeamMember]:
        return teams.remove_from_team(self._ctx, case_id, member_id, actor=actor)

    def break_glass(self, case_id: int, reason: str, *, actor: Actor, ip: str | None = None) -> BreakGlass:
        return teams.break_glass(self._ctx, case_id, reason, actor=actor, ip=ip)

    def glass_log(self, *, actor: Actor, unreviewed: bool = False) -> builtins.list[BreakGlass]:
        return teams.glass_log(self._ctx, actor=actor, unreviewed=unreviewed)

    def review_glass(self, glass_id: int, *, actor: Actor) -> BreakGlass:
        return teams.review_glass(self._ctx, glass_id, actor=actor)
