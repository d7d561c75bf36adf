"""Case commands: start a case, complete a human task, cancel a case.

Each public function is one transaction: it opens the unit of work, runs the workflow, hands the
outcome to ``case_sync.write_command`` (state, inbox rows, timers, audit events together), commits
once, and returns plain values. A failure anywhere (invalid form, script error, lost race) leaves
the database exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine import errors
from engine.bpmn.loader import ProcessSpecs
from engine.bpmn.runner import json_safe
from engine.forms import check_against_case, check_free_data, registry_codes, registry_members, validate_submission
from engine.model import (
    SYSTEM,
    Actor,
    CaseEvent,
    CaseRecord,
    CaseStatus,
    CaseView,
    EventKind,
    ProcessVersionView,
    TaskStatus,
    TaskView,
)
from engine.policy import Permission, Target, is_system, require
from engine.ports import AbstractUnitOfWork
from engine.services import case_actions, engine_data
from engine.services.case_actions import check_reason
from engine.services.case_sync import (
    check_running,
    event,
    fire_due_first,
    on_running_case,
    ready_before,
    write_command,
)
from engine.services.context import Context
from engine.services.teams import join_as_case_manager, join_on_taking, may_work, target_of

TITLE_MAX = 200  # a pseudonym or a case title: refused when longer, never cut
# The start data of a path with the times agreed in F1 (``agreed_times``) ← the F1 fields they come from.
AGREED_FIELDS = {
    "giorni_presa_in_carico_concordati": "sla_presa_in_carico_giorni",
    "giorni_esito_concordati": "sla_esito_valutazione_giorni",
}


def start_case(
    ctx: Context,
    process_id: str,
    data: dict[str, Any],
    actor: Actor,
    *,
    territory: str | None = None,
    then: Callable[[AbstractUnitOfWork, CaseRecord], None] | None = None,
) -> CaseView:
    """Start a case; ``then`` writes what belongs with the new case in the same transaction
    (an enterprise's record)."""
    data = check_free_data(data, "start data", variables=True)
    territory = territory or (str(data["territorio"]) if data.get("territorio") else None)
    with ctx.uow() as uow:
        latest = uow.processes.list_latest(with_files=False)
        version = next((v for v in latest if v.process_id == process_id), None)
        if version is None:
            raise errors.NotFound(f"process {process_id!r} is not deployed")
        if process_id in called_processes(ctx, uow, latest):
            # a phase of a path (F2, monthly monitoring…) starts when its path reaches it, never alone
            raise errors.InvalidData(
                "not an entry process",
                {"process_id": ["Questo processo è una fase di un percorso e si avvia da solo: avvia il percorso."]},
            )
        if then is None and process_id in ctx.settings.service_started:
            raise errors.InvalidData(
                "opened by its own command",
                {"process_id": ["Questo caso si apre registrando l'impresa o il protocollo, dalla loro pagina."]},
            )
        specs = ctx.specs_for(uow, version.id)
        _check_may_start(specs, actor, territory)
        if process_id in ctx.settings.partnership_required_for:
            if territory is None:
                raise errors.InvalidData("territory required", {"territorio": ["Campo obbligatorio."]})
            if not uow.partnerships.is_active(territory):
                raise errors.Conflict(f"no active partnership in territory {territory!r}")
            data = {**data, **agreed_times(uow, territory)}
        too_long = {
            k: [f"Al massimo {TITLE_MAX} caratteri ({len(v)} inseriti)."]
            for k in ("beneficiario_pseudonimo", "titolo")
            if isinstance(v := data.get(k), str) and len(v) > TITLE_MAX
        }
        if too_long:
            raise errors.InvalidData("title too long", too_long)
        data = engine_data.with_period(data, ctx.clock.now().date())
        pseudonym = data.get("beneficiario_pseudonimo")
        if process_id in ctx.settings.pseudonym_required_for and not (isinstance(pseudonym, str) and pseudonym.strip()):
            raise errors.InvalidData(
                "pseudonym required",
                {"beneficiario_pseudonimo": ["Inserisci lo pseudonimo del beneficiario (un codice, mai il nome)."]},
            )
        wf = ctx.runner.start(specs, dict(data))
        now = ctx.clock.now()
        record = CaseRecord(
            id=0,
            process_id=process_id,
            process_version_id=version.id,
            process_version=version.version,
            status=CaseStatus.RUNNING,
            state="",
            data={},
            territory=territory,
            version=1,
            event_seq=0,
            created_at=now,
            updated_at=now,
            started_by=actor.username,
            title=case_title(data),
        )
        events = [event(record, now, actor, EventKind.STARTED, data=json_safe(data))]
        view = write_command(ctx, uow, record, wf, specs, actor, events, new=True)
        join_as_case_manager(uow, record, actor, now, view.open_tasks)
        if then is not None:
            then(uow, record)
        uow.commit()
    ctx.workflows.put(record.id, record.version, wf)
    return view


def complete_task(ctx: Context, task_id: str, data: dict[str, Any], actor: Actor) -> CaseView:
    """Complete a human task. Timers of the case already due at this instant fire first (in the
    same transaction): a reminder due before the answer is created; a deadline due before it wins,
    and the answer is refused with ``DeadlinePassed`` while the deadline's path is kept."""
    with ctx.uow() as uow:
        # under the case row lock: a claim or another completion that got there first is seen
        task, record, drafted = uow.cases.get_for_task(task_id)
        if task.status is not TaskStatus.READY:
            raise errors.TaskNotReady(f"task {task_id} is already {task.status.value}")
        authorize_task(uow, task, actor)
        clean = validate_submission(task.form_key, data)
        check_running(record)
        join_on_taking(uow, record, actor, task)  # before the new tasks are routed
        specs, wf = ctx.workflow_for(uow, record)
        before = ready_before(ctx, wf)
        if ctx.runner.task_state(wf, task_id) != "READY":
            raise errors.TaskNotReady(f"task {task_id} is not ready in the workflow")
        check_against_case(task.form_key, clean, ctx.runner.task_data(wf, task_id))
        _check_registry_codes(uow, task.form_key, clean, record.territory)
        derived = engine_data.identity_facts(ctx, uow, task.form_key, record, clean)
        info = specs.user_tasks.get(task.bpmn_id)
        action = case_actions.decided(info, clean)
        if action is not None:
            case_actions.authorize_decision(ctx, uow, record, actor)
        fired = fire_due_first(ctx, record, wf)
        overtaken = ctx.runner.task_state(wf, task_id) != "READY"
        if overtaken:
            view = write_command(ctx, uow, record, wf, specs, SYSTEM, [], before=before, fired=fired)
        else:
            case_data = ctx.runner.task_data(wf, task_id)
            extra = engine_data.added(ctx, uow, info.engine_data if info else None, actor, record, case_data, clean)
            clean = {**clean, **extra, **derived}
            ctx.runner.complete(wf, task_id, clean)
            events = [event(record, ctx.clock.now(), actor, EventKind.TASK_COMPLETED, task=task, data=clean)]
            view = write_command(
                ctx, uow, record, wf, specs, actor, events, completed=task_id, before=before, fired=fired
            )
            if action is not None and info is not None and view.status is CaseStatus.RUNNING:
                # the answer decided a suspension or closure: carried out now, as the next command
                view = case_actions.carry_out_decision(ctx, uow, record, wf, specs, actor, task, info, clean)
            if drafted:
                uow.accounts.delete_drafts(task_id)
        uow.commit()
    ctx.workflows.put(record.id, record.version, wf)
    if overtaken:
        due = min((f.due_at.isoformat() for f in fired), default="?")
        raise errors.DeadlinePassed(f"task {task_id}: a deadline due at {due} passed before this answer")
    return view


def _check_registry_codes(
    uow: AbstractUnitOfWork, form_key: str | None, clean: dict[str, Any], territory: str | None
) -> None:
    """Organisations a form names are picked from the registry: once the territory keeps one, a
    code that is not a registered organisation serving it is a field error, and so is a person
    named as a member of an organisation (``registry="member"``) who is not one."""
    codes, members = registry_codes(form_key, clean), registry_members(form_key, clean)
    if not (codes or members) or not territory or not uow.registry.organisations(territory=territory):
        return
    messages: dict[Any, Any] = {}  # nested like marshmallow's: {"partner": {0: {"codice": [...]}}}
    for name, username, code in members:
        organisation = uow.registry.organisation_id(code)
        if organisation is None or not uow.registry.is_member(organisation, username):
            messages[name] = [f"«{username}» non è un componente di «{code}» nel registro della rete."]
    for path, code in codes:
        found = uow.registry.organisation_id(code)
        if found is None or not uow.registry.organisation_by_id(found).serves(territory):
            slot = messages
            for key in path[:-1]:
                slot = slot.setdefault(key, {})
            slot[path[-1]] = [f"«{code}» non è un'organizzazione del registro che serve il territorio."]
    if messages:
        raise errors.InvalidData("organisations not in the registry", messages)


def cancel_case(ctx: Context, case_id: int, actor: Actor, reason: str) -> CaseView:
    """Annul a case opened by mistake (staff only): the workflow stops, nothing more is asked."""
    reason = check_reason(reason)

    def cancel(uow: AbstractUnitOfWork, record: CaseRecord, wf: Any) -> list[CaseEvent]:
        require(actor, Permission.CASE_ADMINISTER, target_of(uow, actor, record, ctx.clock.now()))
        ctx.runner.cancel(wf)
        return [event(record, ctx.clock.now(), actor, EventKind.CANCELLED, data={"reason": reason})]

    return on_running_case(ctx, case_id, actor, cancel, cancelled=True)


def agreed_times(uow: AbstractUnitOfWork, territory: str) -> dict[str, int | None]:
    """The times the territory's partnership agreement (F1) set for a referral, in days: to take
    it in charge and to reach the assessment's outcome; ``None`` where the agreement set none (the
    diagram then uses the programme parameter). A path gets them as start data, so its SLA timers
    follow the agreement in force when the referral arrived."""
    case_id = uow.partnerships.case_id(territory)
    data = uow.cases.get(case_id).data if case_id is not None else {}
    found: dict[str, int | None] = {}
    for key, field in AGREED_FIELDS.items():
        value = data.get(field)
        found[key] = value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
    return found


def case_title(data: dict[str, Any]) -> str:
    """The case's title: the beneficiary's pseudonym first (the identifier people search by),
    then the free title when one was given; a programme report without either is known by its
    period ("Primo semestre 2026")."""
    parts = [str(data.get(k) or "").strip() for k in ("beneficiario_pseudonimo", "titolo")]
    return " – ".join(p for p in parts if p) or str(data.get("periodo_descrizione") or "").strip()


def called_processes(
    ctx: Context, uow: AbstractUnitOfWork, latest: Sequence[ProcessVersionView] | None = None
) -> set[str]:
    """Processes another deployed process calls: phases of a path, not entry points. ``latest``:
    the newest versions, when already read."""
    called: set[str] = set()
    for version in latest if latest is not None else uow.processes.list_latest(with_files=False):
        called |= set(ctx.specs_for(uow, version.id).subprocess_specs)
    return called


def startable(ctx: Context, actor: Actor) -> list[ProcessVersionView]:
    """The entry processes ``actor`` may start somewhere: the default path first, then by name."""
    with ctx.uow(write=False) as uow:
        latest = uow.processes.list_latest()
        called = called_processes(ctx, uow, latest)
        found = []
        for version in latest:
            if version.process_id in called or version.process_id in ctx.settings.service_started:
                continue
            try:
                _check_may_start(ctx.specs_for(uow, version.id), actor, None)
            except errors.Forbidden:
                continue
            found.append(version)
    first = ctx.settings.default_entry_process
    return sorted(found, key=lambda v: (v.process_id != first, v.name))


def authorize_task(uow: AbstractUnitOfWork, task: TaskView, actor: Actor) -> None:
    """The task must be offered to the actor (lane, territory and audience: ``may_work``) and
    not held by someone else."""
    if not may_work(uow, actor, task):
        raise errors.Forbidden(f"task {task.id} is not offered to {actor.username}")
    if task.assignee and task.assignee != actor.username:
        raise errors.Forbidden(f"task {task.id} is assigned to {task.assignee}")


def _check_may_start(specs: ProcessSpecs, actor: Actor, territory: str | None) -> None:
    require(actor, Permission.CASE_START, Target(territory))  # who opens cases at all (engine.policy)
    if is_system(actor):
        return
    lanes = {t.lane for t in specs.user_tasks.values() if t.lane}
    allowed = lanes | {"coordinatore"}
    if not actor.roles_in(territory) & allowed:
        raise errors.Forbidden(f"starting {specs.process_id} needs one of the roles {sorted(allowed)}")
    if not actor.covers(territory):
        raise errors.Forbidden(f"territory {territory!r} is outside yours")
