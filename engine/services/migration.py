"""Migrating running cases to another version of their process, one or in bulk, with a dry run.

A migration is an administrative command: it checks the plan (``engine.bpmn.migration``), moves
the live workflow, proves the result stores and reloads with the new version, and writes it with
a MIGRATED event (from, to, mapping, reason) in one transaction. Any failure leaves the case on
its version, untouched. A bulk migration handles each case in its own transaction and reports
per case.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from engine import errors
from engine.bpmn import migration
from engine.model import (
    SYSTEM,
    Actor,
    CaseMigration,
    CaseRecord,
    CaseStatus,
    CaseView,
    EventKind,
    MigrationBlock,
    MigrationReason,
)
from engine.policy import Permission, Target, allows, require
from engine.ports import AbstractUnitOfWork
from engine.services.audit import take_anchor
from engine.services.case_sync import event, view_of, write_command
from engine.services.context import Context


def may_migrate(actor: Actor, territory: str | None) -> bool:
    """The policy's ``MIGRATE`` in the case's territory (a designer of T1 never sees T2's cases)."""
    return allows(actor, Permission.MIGRATE, Target(territory))


def _require_some(actor: Actor) -> None:
    """Refuse outright an actor whom no rule of ``MIGRATE`` names, in any territory."""
    require(actor, Permission.MIGRATE)


def _running(uow: AbstractUnitOfWork, process_id: str, actor: Actor, limit: int) -> list[CaseRecord]:
    found = uow.cases.search(
        status=CaseStatus.RUNNING, process_id=process_id, territories=sorted(actor.territories) or None, limit=limit
    )
    return [c for c in found if may_migrate(actor, c.territory)]


def migratable_cases(ctx: Context, process_id: str, actor: Actor, limit: int = 500) -> list[CaseView]:
    """The running cases of a process that the actor may migrate (summaries, no case data)."""
    _require_some(actor)
    with ctx.uow(write=False) as uow:
        return [
            dataclasses.replace(view_of(uow, c, with_tasks=False), data={})
            for c in _running(uow, process_id, actor, limit)
        ]


def migrate_case(
    ctx: Context,
    case_id: int,
    to_version: int,
    actor: Actor,
    *,
    reason: str = "",
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
) -> CaseMigration:
    _require_some(actor)
    if not dry_run and not reason.strip():
        raise errors.InvalidData("a reason is required", {"reason": ["Campo obbligatorio."]})
    with ctx.uow(write=not dry_run) as uow:
        record = uow.cases.get(case_id)
        if not may_migrate(actor, record.territory):
            raise errors.Forbidden(f"case {case_id} is outside your territories")
        target = next((v for v in uow.processes.list_versions(record.process_id) if v.version == to_version), None)
        if target is None:
            raise errors.NotFound(f"process {record.process_id!r} has no version {to_version}")
        if record.status is not CaseStatus.RUNNING:
            raise errors.CaseClosed(f"case {case_id} is {record.status.value}")
        specs, wf = ctx.workflow_for(uow, record)
        new_specs = ctx.specs_for(uow, target.id)
        plan = migration.plan(wf, new_specs, mapping, now=ctx.clock.now)
        if target.id == record.process_version_id:
            already = MigrationReason(
                MigrationBlock.ALREADY_ON_VERSION,
                f"the case is already on version {to_version}",
                {"version": str(to_version)},
            )
            plan.can_migrate, plan.reasons = False, [already]
        result = CaseMigration(
            case_id,
            record.process_version,
            to_version,
            plan.can_migrate,
            False,
            plan.reasons,
            plan.active,
            plan.changed,
            plan.removed,
            plan.added,
            plan.rebuilt_named,
            plan.elements,
        )
        if dry_run or not plan.can_migrate:
            ctx.workflows.put(record.id, record.version, wf)  # untouched by planning: keep it warm
            return result
        before = ctx.runner.ready_ids(wf)
        migration.apply(wf, new_specs, mapping, now=ctx.clock.now)
        fired = ctx.runner.fire_timers(wf)  # run the engine steps the new version makes possible
        ctx.runner.load(new_specs, ctx.runner.dump(wf), list)  # proves the state reloads on the new version
        data = {
            "from_version": record.process_version,
            "to_version": to_version,
            "from_version_id": record.process_version_id,
            "to_version_id": target.id,
            "mapping": dict(mapping or {}),
            "reason": reason,
        }
        if plan.rebuilt:
            data["rebuilt"] = plan.rebuilt  # called processes re-run on the new version (engine.bpmn.rebuild)
        record.process_version_id, record.process_version = target.id, target.version
        write_command(
            ctx,
            uow,
            record,
            wf,
            new_specs,
            actor,
            [event(record, ctx.clock.now(), actor, EventKind.MIGRATED, data=data)],
            before=before,
            refresh=True,
            fired=fired,
        )
        uow.commit()
    ctx.workflows.put(record.id, record.version, wf)
    return dataclasses.replace(result, migrated=True)


def migrate_cases(
    ctx: Context,
    process_id: str,
    to_version: int,
    actor: Actor,
    *,
    from_version: int | None = None,
    reason: str = "",
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
) -> list[CaseMigration]:
    """Every running case of the process (optionally only those on ``from_version``), one by one."""
    _require_some(actor)
    with ctx.uow(write=False) as uow:
        cases = [
            c
            for c in _running(uow, process_id, actor, 100_000)
            if from_version is None or c.process_version == from_version
        ]
    return _one_by_one(
        ctx,
        [(c.id, c.process_version) for c in sorted(cases, key=lambda c: c.id)],
        to_version,
        actor,
        reason=reason,
        mapping=mapping,
        dry_run=dry_run,
    )


def migrate_selected(
    ctx: Context,
    case_ids: Sequence[int],
    to_version: int,
    actor: Actor,
    *,
    reason: str = "",
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
) -> list[CaseMigration]:
    """The chosen cases, one by one (each in its own transaction): a case that cannot move is
    reported with the reason and the others go on; a case outside the actor's territories refuses
    the whole request."""
    _require_some(actor)
    return _one_by_one(
        ctx,
        [(case_id, 0) for case_id in case_ids],
        to_version,
        actor,
        reason=reason,
        mapping=mapping,
        dry_run=dry_run,
        report_forbidden=False,
    )


def _one_by_one(
    ctx: Context,
    cases: Sequence[tuple[int, int]],
    to_version: int,
    actor: Actor,
    *,
    reason: str,
    mapping: dict[str, str] | None,
    dry_run: bool,
    report_forbidden: bool = True,
) -> list[CaseMigration]:
    results = []
    for case_id, from_version in cases:
        try:
            results.append(
                migrate_case(ctx, case_id, to_version, actor, reason=reason, mapping=mapping, dry_run=dry_run)
            )
        except errors.EngineError as err:
            if isinstance(err, errors.Forbidden) and not report_forbidden:
                raise
            results.append(CaseMigration.refused(case_id, from_version, to_version, _refusal(err)))
    if len(cases) > 1 and any(r.migrated for r in results):
        # bulk work moves many chains at once: anchor them right away, not at the next scheduled anchor
        take_anchor(ctx, SYSTEM)
    return results


def _refusal(err: errors.EngineError) -> MigrationReason:
    """The engine's refusal of one case of a bulk migration, as a reason the page can word."""
    code = MigrationBlock.REFUSED
    if isinstance(err, errors.NotFound):
        code = MigrationBlock.CASE_NOT_FOUND
    elif isinstance(err, errors.CaseClosed):
        code = MigrationBlock.CASE_CLOSED
    elif isinstance(err, errors.Forbidden):
        code = MigrationBlock.FORBIDDEN
    return MigrationReason(code, err.message)
