"""The deployment's operational figures (open work, its age, the clock's backlog) for the metrics
page: counts only, never case data."""

from __future__ import annotations

from engine.model import Actor, OperationalFigures
from engine.policy import Permission, require
from engine.services.context import Context


def figures(ctx: Context, actor: Actor) -> OperationalFigures:
    require(actor, Permission.METRICS_READ)
    with ctx.uow(write=False) as uow:
        return uow.operations.figures(ctx.clock.now())
