"""Cases through the real engine and the real database: start, complete, finish, refuse."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from engine import Actor, CaseStatus, Engine, TaskStatus, errors
from engine.policy import CLI_OPERATOR
from engine.services import case_sync
from tests.fixtures.diagrams import linear, multi_instance

LANES = ("assistente_sociale", "operatore_cpi")


@pytest.fixture
def two_step(deploy: Callable[..., None]) -> str:
    deploy(("due_passi.bpmn", linear("due_passi", 2, LANES, script="fatto = True")))
    return "due_passi"


def test_case_runs_from_start_to_end(engine: Engine, two_step: str, actor: Callable[..., Actor]) -> None:
    anna, carlo = actor("assistente_sociale"), actor("operatore_cpi")
    case = engine.cases.start(two_step, {"titolo": "Caso A"}, actor=anna)
    [first] = case.open_tasks
    assert (first.name, first.role) == ("Passo 1", "assistente_sociale")

    case = engine.tasks.complete(first.id, {"conferma": True, "note": "ok"}, actor=anna)
    [second] = case.open_tasks
    case = engine.tasks.complete(second.id, {"conferma": True}, actor=carlo)

    assert case.status is CaseStatus.COMPLETED
    assert case.data["fatto"] is True and case.data["titolo"] == "Caso A"
    kinds = [e.kind for e in engine.cases.history(case.id, actor=CLI_OPERATOR)]
    assert kinds == ["started", "task_completed", "task_completed", "completed"]
    assert engine.tasks.list(actor=anna) == [] and engine.tasks.list(actor=carlo) == []


def test_history_records_actor_and_submitted_data(engine: Engine, two_step: str, actor: Callable[..., Actor]) -> None:
    anna = actor("assistente_sociale", name="anna")
    case = engine.cases.start(two_step, {"x": 1}, actor=anna)
    engine.tasks.complete(case.open_tasks[0].id, {"conferma": False, "note": "assente"}, actor=anna)

    event = engine.cases.history(case.id, actor=CLI_OPERATOR)[1]
    assert (event.seq, event.actor, event.kind, event.task_name) == (2, "anna", "task_completed", "Passo 1")
    assert event.data == {"conferma": False, "note": "assente"}


def test_completing_a_completed_task_is_refused(engine: Engine, two_step: str, actor: Callable[..., Actor]) -> None:
    anna = actor("assistente_sociale")
    case = engine.cases.start(two_step, {}, actor=anna)
    task_id = case.open_tasks[0].id
    engine.tasks.complete(task_id, {"conferma": True}, actor=anna)

    with pytest.raises(errors.TaskNotReady):
        engine.tasks.complete(task_id, {"conferma": True}, actor=anna)


def test_a_task_not_yet_reached_cannot_be_completed(engine: Engine, two_step: str, actor: Callable[..., Actor]) -> None:
    from uuid import UUID

    from SpiffWorkflow.util.task import TaskState

    anna, carlo = actor("assistente_sociale"), actor("operatore_cpi")
    case = engine.cases.start(two_step, {}, actor=anna)
    ctx = engine._ctx
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case.id)
        rows = uow.case_state.rows(case.id)
        wf = ctx.runner.load(ctx.specs_for(uow, record.process_version_id), record.state, lambda: rows)
    [future] = [t for t in wf.get_tasks(state=TaskState.LIKELY | TaskState.FUTURE) if t.task_spec.name == "Task_2"]

    with pytest.raises(errors.NotFound):
        engine.tasks.complete(str(future.id), {"conferma": True}, actor=carlo)
    assert UUID(case.open_tasks[0].id) != future.id
    assert engine.cases.get(case.id, actor=CLI_OPERATOR).version == case.version


def test_wrong_role_is_refused_and_nothing_changes(engine: Engine, two_step: str, actor: Callable[..., Actor]) -> None:
    anna, carlo = actor("assistente_sociale"), actor("operatore_cpi")
    case = engine.cases.start(two_step, {}, actor=anna)

    with pytest.raises(errors.Forbidden):
        engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=carlo)
    assert engine.cases.get(case.id, actor=CLI_OPERATOR).version == case.version
    assert len(engine.cases.history(case.id, actor=CLI_OPERATOR)) == 1


def test_wrong_territory_is_refused(engine: Engine, two_step: str, actor: Callable[..., Actor]) -> None:
    starter = actor("assistente_sociale", territory="T1")
    elsewhere = actor("assistente_sociale", territory="T2")
    case = engine.cases.start(two_step, {"territorio": "T1"}, actor=starter)

    assert engine.tasks.list(actor=elsewhere) == []
    with pytest.raises(errors.Forbidden):
        engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=elsewhere)


def test_invalid_form_data_gives_field_messages_and_leaves_case_untouched(
    engine: Engine, two_step: str, actor: Callable[..., Actor]
) -> None:
    anna = actor("assistente_sociale")
    case = engine.cases.start(two_step, {}, actor=anna)

    with pytest.raises(errors.InvalidData) as exc:
        engine.tasks.complete(case.open_tasks[0].id, {"note": 3, "extra": 1}, actor=anna)

    assert exc.value.messages == {
        "conferma": ["Campo obbligatorio."],
        "note": ["Inserire un testo."],
        "extra": ["Campo non previsto."],
    }
    after = engine.cases.get(case.id, actor=CLI_OPERATOR)
    assert (after.version, after.open_tasks[0].id) == (case.version, case.open_tasks[0].id)


def test_start_data_with_reserved_names_is_refused(engine: Engine, two_step: str, actor: Callable[..., Actor]) -> None:
    with pytest.raises(errors.InvalidData) as exc:
        engine.cases.start(two_step, {"__builtins__": {}, "ok": 1}, actor=actor("assistente_sociale"))
    assert "__builtins__" in exc.value.messages


def test_cancelled_case_closes_its_tasks(engine: Engine, two_step: str, actor: Callable[..., Actor]) -> None:
    anna, coord = actor("assistente_sociale"), actor("coordinatore")
    case = engine.cases.start(two_step, {}, actor=anna)

    with pytest.raises(errors.Forbidden):
        engine.cases.cancel(case.id, actor=anna, reason="errore")
    done = engine.cases.cancel(case.id, actor=coord, reason="Inserito per errore")

    assert done.status is CaseStatus.CANCELLED and done.open_tasks == ()
    [task] = engine.tasks.list(status=TaskStatus.CANCELLED, actor=anna)
    assert task.id == case.open_tasks[0].id
    assert engine.cases.history(case.id, actor=CLI_OPERATOR)[-1].data == {"reason": "Inserito per errore"}
    with pytest.raises(errors.CaseClosed):
        engine.cases.cancel(case.id, actor=coord, reason="di nuovo")


def test_a_cancelled_case_keeps_its_data_and_corrections(
    engine: Engine, two_step: str, actor: Callable[..., Actor]
) -> None:
    anna, coord = actor("assistente_sociale"), actor("coordinatore")
    case = engine.cases.start(two_step, {"origine": "sportello"}, actor=anna)
    case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True, "note": "primo passo"}, actor=anna)
    engine.audit.correct_data(case.id, {"note": "primo passo, corretto"}, actor=coord, reason="refuso")

    done = engine.cases.cancel(case.id, actor=coord, reason="doppione")

    assert done.status is CaseStatus.CANCELLED
    assert done.data["origine"] == "sportello" and done.data["note"] == "primo passo, corretto"
    assert engine.cases.get(case.id, actor=CLI_OPERATOR).data == done.data
    replayed = engine.audit.replay(case.id, actor=actor("auditor"))
    assert replayed.faithful and replayed.final == done.data


def test_multi_instance_collects_one_answer_per_item(
    engine: Engine, deploy: Callable[..., None], actor: Callable[..., Actor]
) -> None:
    deploy(("mi.bpmn", multi_instance("mi")))
    ref = actor("referente_ente_partner")
    coordinator = actor("coordinatore")
    case = engine.cases.start("mi", {"territorio": "T1", "items": ["Comune", "ASL", "CPI"]}, actor=coordinator)
    assert sorted(t.context["item"] for t in case.open_tasks) == ["ASL", "CPI", "Comune"]
    # a partner's task is for the partner organisation the team names, and its members
    engine.registry.add_organisation("PARTNER", "Ente partner", "terzo_settore", "T1", actor=coordinator)
    engine.users.add(ref.username, "Referente", [("referente_ente_partner", "T1")], actor=CLI_OPERATOR)
    engine.registry.add_member("PARTNER", ref.username, actor=coordinator)
    engine.teams.add(case.id, "partner", organisation="PARTNER", actor=coordinator)

    for task in case.open_tasks:
        case = engine.tasks.complete(task.id, {"conferma": True, "note": task.context["item"]}, actor=ref)

    assert case.status is CaseStatus.COMPLETED
    assert sorted(a["note"] for a in case.data["answers"]) == ["ASL", "CPI", "Comune"]


def test_concurrent_double_completion_gives_one_success_and_one_conflict(
    engine: Engine, two_step: str, actor: Callable[..., Actor]
) -> None:
    anna = actor("assistente_sociale")
    case = engine.cases.start(two_step, {}, actor=anna)
    task_id = case.open_tasks[0].id
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def complete() -> None:
        barrier.wait()
        try:
            outcomes.append(engine.tasks.complete(task_id, {"conferma": True}, actor=anna))
        except errors.Conflict as err:
            outcomes.append(err)

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(type(o).__name__ for o in outcomes if isinstance(o, Exception)) in (["Conflict"], ["TaskNotReady"])
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    assert [e.kind for e in engine.cases.history(case.id, actor=CLI_OPERATOR)].count("task_completed") == 1


def test_stale_write_raises_conflict(engine: Engine, two_step: str, actor: Callable[..., Actor]) -> None:
    case = engine.cases.start(two_step, {}, actor=actor("assistente_sociale"))
    with engine._ctx.uow() as uow:
        mine = uow.cases.get(case.id)
    with engine._ctx.uow() as uow:
        theirs = uow.cases.get(case.id)
        uow.cases.save(theirs)
        uow.commit()

    with engine._ctx.uow() as uow, pytest.raises(errors.Conflict):
        uow.cases.save(mine)


def test_crash_between_state_and_event_write_leaves_neither(
    engine: Engine, two_step: str, actor: Callable[..., Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.adapters.event_repository import SqlEventRepository

    anna = actor("assistente_sociale")
    case = engine.cases.start(two_step, {}, actor=anna)
    with engine._ctx.uow(write=False) as uow:
        state_before = uow.cases.get(case.id).state

    def crash(self: SqlEventRepository, event: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(SqlEventRepository, "append_many", crash)
    with pytest.raises(RuntimeError):
        engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=anna)
    monkeypatch.undo()

    with engine._ctx.uow(write=False) as uow:
        record = uow.cases.get(case.id)
        assert (record.state, record.version, record.event_seq) == (state_before, case.version, 1)
        assert [t.id for t in uow.tasks.open_for_case(case.id)] == [case.open_tasks[0].id]
    assert len(engine.cases.history(case.id, actor=CLI_OPERATOR)) == 1
    # and the case still works afterwards
    assert engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=anna).version == case.version + 1


def test_a_live_workflow_keeps_the_ready_tasks_its_last_command_left(
    engine: Engine, deploy: Callable[..., None], actor: Callable[..., Actor]
) -> None:
    """The next command on a cached workflow takes its ready tasks from it (``ready_before``):
    they are the ones a walk finds, and the case's open inbox rows."""
    deploy(("mi.bpmn", multi_instance("mi")))
    case = engine.cases.start(
        "mi", {"territorio": "T1", "items": ["Comune", "ASL", "CPI"]}, actor=actor("coordinatore")
    )
    ctx = engine._ctx
    while case.open_tasks:
        wf = ctx.workflows.take(case.id, case.version)
        assert wf is not None
        kept = case_sync.ready_before(ctx, wf)
        assert kept == ctx.runner.ready_ids(wf) == {t.id for t in case.open_tasks}
        ctx.workflows.put(case.id, case.version, wf)
        case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True, "note": "ok"}, actor=CLI_OPERATOR)
    assert case.status is CaseStatus.COMPLETED
