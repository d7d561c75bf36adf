"""``impresa``: the command line for operators (database, process library, cases, tasks, users).

Every command prints a table (rich) or, with ``--json``, JSON. A user error (bad input, unknown
id, refused action, invalid diagram) prints one line on stderr and exits with code 2; no
traceback. The CLI runs with the rights of whoever can reach the database, so commands that act
on a case take ``--as USER`` to record who acted and to check that user's roles.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.table import Table

from engine import Engine, errors
from engine.bootstrap import build_engine
from engine.config import Settings
from engine.model import Actor, SourceFile
from engine.policy import CLI_OPERATOR, SCHEDULER
from engine.roles import ROLES

F = TypeVar("F", bound=Callable[..., Any])
console = Console()


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def user_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except errors.InvalidData as err:
            detail = "; ".join(
                f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in err.messages.items()
            )
            fail(f"{err.message}" + (f" ({detail})" if detail else ""))
        except errors.InvalidProcess as err:
            fail(str(err.problems[0]) if err.problems else err.message)
        except errors.StorageUnavailable as err:
            fail(f"{err.message}: {err.detail}" if err.detail else err.message)  # the operator may see where
        except errors.EngineError as err:
            fail(err.message)

    return wrapper  # type: ignore[return-value]


def get_engine() -> Engine:
    ctx = click.get_current_context()
    engine: Engine | None = ctx.meta.get("engine")
    if engine is None:
        engine = build_engine(Settings.from_env())
        ctx.meta["engine"] = engine
        ctx.call_on_close(engine.close)
    return engine


def parse_json(text: str | None, what: str = "--data") -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as err:
        fail(f"{what} is not valid JSON: {err}")
    if not isinstance(value, dict):
        fail(f"{what} must be a JSON object")
    return value


def plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(plain(v) for v in value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def emit(as_json: bool, value: Any, table: Callable[[], Table] | None = None) -> None:
    if as_json or table is None:
        click.echo(json.dumps(plain(value), ensure_ascii=False, indent=2))
    else:
        console.print(table())


def actor_for(username: str | None) -> Actor:
    return CLI_OPERATOR if username is None else get_engine().users.get(username, actor=CLI_OPERATOR)


json_option = click.option("--json", "as_json", is_flag=True, help="Output JSON.")


@click.group()
def main() -> None:
    """Impresa per Noi – case engine."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@user_errors
def db_upgrade() -> None:
    """Create or migrate the schema to the latest version."""
    from engine.adapters.migrate import upgrade

    upgrade(Settings.from_env().database_url)
    click.echo("database schema is up to date")


@main.group()
def process() -> None:
    """Process library (BPMN/DMN)."""


def _read_files(paths: tuple[str, ...]) -> list[SourceFile]:
    files: list[SourceFile] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += [SourceFile(p.name, p.read_bytes()) for p in sorted([*path.glob("*.bpmn"), *path.glob("*.dmn")])]
        elif path.is_file():
            files.append(SourceFile(path.name, path.read_bytes()))
        else:
            fail(f"{raw}: no such file or directory")
    if not files:
        fail("no .bpmn or .dmn files given")
    return files


@process.command("validate")
@click.argument("paths", nargs=-1, required=True)
@json_option
@user_errors
def process_validate(paths: tuple[str, ...], as_json: bool) -> None:
    """Validate BPMN/DMN files (parse, structure, lint). Exit 2 on the first problem line."""
    files = _read_files(paths)
    from engine.services.processes import validate

    problems = validate(files)
    if as_json:
        click.echo(json.dumps({"ok": not problems, "problems": [p.as_dict() for p in problems]}, indent=2))
        if problems:
            sys.exit(2)
        return
    if problems:
        for p in problems[1:]:
            click.echo(str(p), err=True)
        fail(f"{problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    click.echo(f"{len(files)} file(s) valid")


@process.command("test")
@click.argument("paths", nargs=-1)
@json_option
@user_errors
def process_test(paths: tuple[str, ...], as_json: bool) -> None:
    """Run the decision tests kept in the DMN files (default: processes/). Exit 1 when one fails."""
    from engine.services.processes import load_parameters, test_decisions

    chosen = paths or (str(Settings.from_env().processes_dir),)
    files = _read_files(chosen)
    first = Path(chosen[0])
    results, problems = test_decisions(files, load_parameters(first if first.is_dir() else first.parent))
    failed = [r for r in results if not r.passed]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "passed": len(results) - len(failed),
                    "failed": len(failed),
                    "results": [dataclasses.asdict(r) for r in results],
                    "problems": [p.as_dict() for p in problems],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for p in problems:
            click.echo(f"FAIL {p}")
        click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if problems:
        sys.exit(1)


@process.command("deploy")
@click.argument("paths", nargs=-1)
@click.option("--note", default="", help="Change note recorded with the new versions.")
@click.option("--as", "username", default=None, help="Deploy as this user (default: the operator).")
@json_option
@user_errors
def process_deploy(paths: tuple[str, ...], note: str, username: str | None, as_json: bool) -> None:
    """Deploy the library (default: processes/); only changed processes get a new version."""
    engine = get_engine()
    files = _read_files(paths) if paths else None
    result = engine.design.deploy(files, actor=actor_for(username), note=note)
    rows = [{"process_id": v.process_id, "version": v.version, "new": new, "sha256": v.sha256} for v, new in result]

    def table() -> Table:
        t = Table("process", "version", "status", "sha256")
        for v, new in result:
            t.add_row(v.process_id, str(v.version), "deployed" if new else "unchanged", v.sha256[:12])
        return t

    emit(as_json, rows, table)


@process.command("list")
@json_option
@user_errors
def process_list(as_json: bool) -> None:
    """Deployed processes and their latest version."""
    views = get_engine().design.processes(actor=CLI_OPERATOR)

    def table() -> Table:
        t = Table("process", "version", "deployed", "by", "files")
        for v in views:
            t.add_row(
                v.process_id,
                str(v.version),
                v.deployed_at.isoformat(timespec="seconds"),
                v.deployed_by,
                ", ".join(v.files),
            )
        return t

    emit(as_json, views, table)


@process.command("export")
@click.argument("directory", default="processes")
@user_errors
def process_export(directory: str) -> None:
    """Write the deployed library to DIRECTORY (default processes/) so git can review it."""
    names = get_engine().design.export(Path(directory), actor=CLI_OPERATOR)
    click.echo(f"{len(names)} file(s) written to {directory}: {', '.join(names)}")


@process.command("diff")
@click.argument("process_id")
@click.argument("old", type=int)
@click.argument("new", type=int)
@json_option
@user_errors
def process_diff(process_id: str, old: int, new: int, as_json: bool) -> None:
    """Elements added, removed and changed between two versions."""
    diff = get_engine().design.diff(process_id, old, new, actor=CLI_OPERATOR)

    def table() -> Table:
        t = Table("process", "added", "removed", "changed")
        for pid, entry in diff.processes.items():
            t.add_row(
                pid,
                ", ".join(entry.added),
                ", ".join(entry.removed),
                ", ".join(f"{c.id} ({'/'.join(c.aspects)})" for c in entry.changed),
            )
        return t

    emit(as_json, diff.as_dict(), table)


@main.group()
def case() -> None:
    """Cases."""


@case.command("start")
@click.argument("process_id")
@click.option("--data", default=None, help="Initial data as a JSON object.")
@click.option("--as", "username", default=None, help="Start as this user.")
@json_option
@user_errors
def case_start(process_id: str, data: str | None, username: str | None, as_json: bool) -> None:
    """Start a case of a deployed process."""
    view = get_engine().cases.start(process_id, parse_json(data), actor=actor_for(username))
    emit(as_json, view, lambda: _case_table(view))


def _case_table(view: Any) -> Table:
    t = Table("case", "process", "status", "territory", "open tasks")
    t.add_row(
        str(view.id),
        f"{view.process_id} v{view.process_version}",
        view.status.value,
        view.territory or "",
        "\n".join(f"{x.id} {x.name} [{x.role}]" for x in view.open_tasks),
    )
    return t


@case.command("show")
@click.argument("case_id", type=int)
@json_option
@user_errors
def case_show(case_id: int, as_json: bool) -> None:
    """A case's state, data and open tasks."""
    view = get_engine().cases.get(case_id, actor=CLI_OPERATOR)

    def table() -> Table:
        t = _case_table(view)
        t.add_row("", "", "", "", "")
        t.add_row("data", json.dumps(view.data, ensure_ascii=False)[:2000], "", "", "")
        return t

    emit(as_json, view, table)


@case.command("history")
@click.argument("case_id", type=int)
@json_option
@user_errors
def case_history(case_id: int, as_json: bool) -> None:
    """The case's audit events, in order."""
    events = get_engine().cases.history(case_id, actor=CLI_OPERATOR)

    def table() -> Table:
        t = Table("seq", "at", "actor", "kind", "task", "data")
        for e in events:
            t.add_row(
                str(e.seq),
                e.at.isoformat(timespec="seconds"),
                e.actor,
                e.kind,
                e.task_name or "",
                json.dumps(e.data, ensure_ascii=False)[:200],
            )
        return t

    emit(as_json, events, table)


@case.command("migrate")
@click.argument("case_id", type=int)
@click.option("--to", "to_version", type=int, required=True, help="Target version of the case's process.")
@click.option("--map", "mappings", multiple=True, help="OLD_ELEMENT=NEW_ELEMENT for removed elements; repeatable.")
@click.option("--reason", default="")
@click.option("--dry-run", is_flag=True, help="Only report whether the case can move and what would change.")
@click.option("--as", "username", default=None)
@json_option
@user_errors
def case_migrate(
    case_id: int,
    to_version: int,
    mappings: tuple[str, ...],
    reason: str,
    dry_run: bool,
    username: str | None,
    as_json: bool,
) -> None:
    """Move a running case to another version of its process (audited)."""
    mapping = {}
    for item in mappings:
        old, sep, new = item.partition("=")
        if not sep or not old or not new:
            fail(f"--map {item!r}: use OLD_ELEMENT=NEW_ELEMENT")
        mapping[old] = new
    result = get_engine().cases.migrate(
        case_id, to_version, actor=actor_for(username), reason=reason, mapping=mapping, dry_run=dry_run
    )
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        state = "migrated" if result.migrated else ("can migrate" if result.can_migrate else "cannot migrate")
        click.echo(f"case {case_id}: v{result.from_version} -> v{result.to_version}: {state}")
        for reason_line in result.reasons:
            click.echo(f"  - {reason_line.message}")
        for sub in result.rebuilt:
            click.echo(f"  rebuilt on the new version: {sub.process}")
    if not result.can_migrate:
        sys.exit(2)


@case.command("cancel")
@click.argument("case_id", type=int)
@click.option("--reason", required=True)
@click.option("--as", "username", required=True)
@json_option
@user_errors
def case_cancel(case_id: int, reason: str, username: str, as_json: bool) -> None:
    """Cancel a running case (coordinator)."""
    view = get_engine().cases.cancel(case_id, actor=actor_for(username), reason=reason)
    emit(as_json, view, lambda: _case_table(view))


@case.command("withdraw")
@click.argument("case_id", type=int)
@click.option("--date", "day", required=True, help="When the person withdrew (YYYY-MM-DD).")
@click.option("--reason", required=True)
@click.option("--as", "username", required=True)
@json_option
@user_errors
def case_withdraw(case_id: int, day: str, reason: str, username: str, as_json: bool) -> None:
    """Record the person's withdrawal: the path goes to the exit (ESF+ exit form)."""
    view = get_engine().cases.withdraw(case_id, date=day, reason=reason, actor=actor_for(username))
    emit(as_json, view, lambda: _case_table(view))


@case.command("suspend")
@click.argument("case_id", type=int)
@click.option("--reason", required=True)
@click.option("--as", "username", required=True)
@json_option
@user_errors
def case_suspend(case_id: int, reason: str, username: str, as_json: bool) -> None:
    """Suspend a running case: no tasks offered, timers held until it is resumed."""
    view = get_engine().cases.suspend(case_id, reason=reason, actor=actor_for(username))
    emit(as_json, view, lambda: _case_table(view))


@case.command("resume")
@click.argument("case_id", type=int)
@click.option("--reason", required=True)
@click.option("--as", "username", required=True)
@json_option
@user_errors
def case_resume(case_id: int, reason: str, username: str, as_json: bool) -> None:
    """Resume a suspended case."""
    view = get_engine().cases.resume(case_id, reason=reason, actor=actor_for(username))
    emit(as_json, view, lambda: _case_table(view))


@case.command("close")
@click.argument("case_id", type=int)
@click.option("--reason", required=True)
@click.option("--as", "username", required=True)
@json_option
@user_errors
def case_close(case_id: int, reason: str, username: str, as_json: bool) -> None:
    """Close a case d'ufficio: the workflow ends, every recorded datum is kept."""
    view = get_engine().cases.close(case_id, reason=reason, actor=actor_for(username))
    emit(as_json, view, lambda: _case_table(view))


@main.group()
def task() -> None:
    """Human tasks."""


@task.command("list")
@click.option("--role", default=None)
@click.option("--assignee", default=None)
@click.option("--case", "case_id", type=int, default=None)
@click.option("--as", "username", default=None, help="Only what this user may see.")
@json_option
@user_errors
def task_list(role: str | None, assignee: str | None, case_id: int | None, username: str | None, as_json: bool) -> None:
    """Open human tasks (from the inbox table)."""
    if role is not None and role not in ROLES:
        fail(f"unknown role {role!r}; known: {', '.join(sorted(ROLES))}")
    tasks = get_engine().tasks.list(role=role, assignee=assignee, case_id=case_id, actor=actor_for(username))

    def table() -> Table:
        t = Table("task", "case", "name", "role", "territory", "assignee", "due")
        for x in tasks:
            t.add_row(
                x.id,
                str(x.case_id),
                x.name,
                x.role or "",
                x.territory or "",
                x.assignee or "",
                x.due_at.date().isoformat() if x.due_at else "",
            )
        return t

    emit(as_json, tasks, table)


@task.command("complete")
@click.argument("task_id")
@click.option("--as", "username", required=True, help="The user completing the task.")
@click.option("--data", default=None, help="Form data as a JSON object.")
@json_option
@user_errors
def task_complete(task_id: str, username: str, data: str | None, as_json: bool) -> None:
    """Complete a READY task with form data, as a user holding the task's role."""
    view = get_engine().tasks.complete(task_id, parse_json(data), actor=actor_for(username))
    emit(as_json, view, lambda: _case_table(view))


@main.group()
def user() -> None:
    """Users and role grants."""


@user.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True)
@click.option("--role", "roles", multiple=True, required=True, help="ROLE or ROLE:TERRITORY; repeatable.")
@click.option("--password", default=None)
@user_errors
def user_add(username: str, display_name: str, roles: tuple[str, ...], password: str | None) -> None:
    grants = [(r.split(":", 1)[0], r.split(":", 1)[1] if ":" in r else "") for r in roles]
    get_engine().users.add(username, display_name, grants, password, actor=CLI_OPERATOR)
    click.echo(f"user {username} added")


@user.command("list")
@json_option
@user_errors
def user_list(as_json: bool) -> None:
    users = get_engine().users.all(actor=CLI_OPERATOR)

    def table() -> Table:
        t = Table("user", "name", "roles")
        for u in users:
            t.add_row(u.username, u.display_name, ", ".join(f"{r}:{t}" if t else r for r, t in u.roles))
        return t

    emit(as_json, users, table)


@main.group()
def org() -> None:
    """The network of interlocutors: organisations and their protocols."""


@org.command("add")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--kind", required=True, help="istituzione, centro_impiego, terzo_settore, impresa_mentor, …")
@click.option("--territory", "territories", required=True, multiple=True, help="Repeat for each territory served.")
@click.option("--tax-code", default=None, help="Codice fiscale")
@click.option("--vat-number", default=None, help="Partita IVA")
@user_errors
def org_add(
    code: str, name: str, kind: str, territories: tuple[str, ...], tax_code: str | None, vat_number: str | None
) -> None:
    get_engine().registry.add_organisation(
        code, name, kind, territories, actor=CLI_OPERATOR, tax_code=tax_code, vat_number=vat_number
    )
    click.echo(f"organisation {code} added")


@org.command("member")
@click.argument("code")
@click.argument("username")
@click.option("--position", default="")
@user_errors
def org_member(code: str, username: str, position: str) -> None:
    get_engine().registry.add_member(code, username, actor=CLI_OPERATOR, position=position)
    click.echo(f"{username} acts for {code}")


@org.command("list")
@click.option("--territory", default=None)
@click.option("--kind", default=None)
@json_option
@user_errors
def org_list(territory: str | None, kind: str | None, as_json: bool) -> None:
    found = get_engine().registry.organisations(actor=CLI_OPERATOR, territory=territory, kind=kind)

    def table() -> Table:
        t = Table("code", "name", "kind", "territories", "people")
        for o in found:
            t.add_row(o.code, o.name, o.kind, ", ".join(o.territories), ", ".join(m.username for m in o.members))
        return t

    emit(as_json, found, table)


@org.command("protocol")
@click.argument("code")
@click.option("--kind", required=True, help="protocollo_intesa, accordo_partenariato, convenzione, lettera_impegno")
@click.option("--scope", required=True)
@click.option("--from", "starts_on", required=True, help="YYYY-MM-DD")
@click.option("--until", "expires_on", default=None, help="YYYY-MM-DD")
@click.option("--reference", default="")
@user_errors
def org_protocol(code: str, kind: str, scope: str, starts_on: str, expires_on: str | None, reference: str) -> None:
    get_engine().registry.add_protocol(
        code, kind, scope, starts_on, actor=CLI_OPERATOR, expires_on=expires_on, reference=reference
    )
    click.echo(f"protocol with {code} recorded")


@org.command("sign")
@click.argument("protocol_id", type=int)
@click.option("--number", required=True, help="Protocol number")
@click.option("--date", "signed_on", required=True, help="YYYY-MM-DD")
@click.option("--signatory", "signatories", multiple=True, required=True, help="ORG_CODE=username, one per party")
@user_errors
def org_sign(protocol_id: int, number: str, signed_on: str, signatories: tuple[str, ...]) -> None:
    pairs = []
    for item in signatories:
        code, _sep, username = item.partition("=")
        if not code or not username:
            fail(f"--signatory {item!r}: expected ORG_CODE=username")
        pairs.append((code, username))
    found = get_engine().registry.sign_protocol(protocol_id, number, signed_on, pairs, actor=CLI_OPERATOR)
    click.echo(f"protocol {found.id} signed ({found.number})")


@org.command("activate")
@click.argument("protocol_id", type=int)
@user_errors
def org_activate(protocol_id: int) -> None:
    found = get_engine().registry.activate_protocol(protocol_id, actor=CLI_OPERATOR)
    watch = f", expiry watched by case {found.lifecycle_case_id}" if found.lifecycle_case_id else ""
    click.echo(f"protocol {found.id} in force{watch}")


@org.command("watch-unwatched")
@user_errors
def org_watch_unwatched() -> None:
    """Start the expiry watch of every protocol in force that has none (made active before the
    lifecycle process existed); running it again starts nothing."""
    found = get_engine().registry.watch_unwatched(actor=CLI_OPERATOR)
    for p in found:
        click.echo(f"protocol {p.id} watched by case {p.lifecycle_case_id}")
    click.echo(f"{len(found)} protocol(s) put under watch")


@org.command("withdraw")
@click.argument("protocol_id", type=int)
@click.option("--organisation", required=True, help="The withdrawing party's code")
@click.option("--effective", "effective_on", required=True, help="YYYY-MM-DD, not before the notice")
@click.option("--substitute", default=None, help="The organisation taking its places")
@user_errors
def org_withdraw(protocol_id: int, organisation: str, effective_on: str, substitute: str | None) -> None:
    get_engine().registry.withdraw_protocol(
        protocol_id, organisation, effective_on, actor=CLI_OPERATOR, substitute=substitute
    )
    click.echo(f"withdrawal of {organisation} from protocol {protocol_id} effective on {effective_on}")


@org.command("protocols")
@click.option("--territory", default=None)
@click.option("--active", is_flag=True)
@click.option("--expiring", type=int, default=None, help="Only those expiring within N days.")
@json_option
@user_errors
def org_protocols(territory: str | None, active: bool, expiring: int | None, as_json: bool) -> None:
    found = get_engine().registry.protocols(
        actor=CLI_OPERATOR, territory=territory, active=active, expiring_within_days=expiring
    )

    def table() -> Table:
        t = Table("id", "organisation", "kind", "status", "scope", "territory", "from", "until")
        for p in found:
            t.add_row(
                str(p.id), p.organisation_code, p.kind, p.status, p.scope, p.territory, p.starts_on, p.expires_on or ""
            )
        return t

    emit(as_json, found, table)


@main.group()
def enterprise() -> None:
    """Track-B enterprises: the record, its registrations, founders, workers and mentor."""


@enterprise.command("add")
@click.argument("denominazione")
@click.option("--territory", required=True)
@click.option("--form", "forma_giuridica", required=True, help="COOP_SOCIALE_B, IMPRESA_SOCIALE_SRL, …")
@click.option("--region", "regione", required=True)
@click.option("--seat", "sede", required=True)
@click.option("--vat-number", "partita_iva", default=None, help="Partita IVA")
@click.option("--ateco", "codice_ateco", default=None)
@click.option(
    "--founder-case",
    "founder_case",
    default=None,
    help="Found it from this beneficiary's track-B path (linked as founder; the enterprise's case runs the design).",
)
@json_option
@user_errors
def enterprise_add(
    denominazione: str,
    territory: str,
    forma_giuridica: str,
    regione: str,
    sede: str,
    partita_iva: str | None,
    codice_ateco: str | None,
    founder_case: str | None,
    as_json: bool,
) -> None:
    """Register an enterprise and start its case; with --founder-case, founded from a path."""
    founder_case_id = None
    if founder_case is not None:
        if not founder_case.strip().isdigit() or not 0 < int(founder_case) < 2**31:
            fail(f"--founder-case must be a case number, not {founder_case!r}")
        founder_case_id = int(founder_case)
    created = get_engine().enterprises.create(
        territory,
        denominazione,
        forma_giuridica,
        regione,
        sede,
        actor=CLI_OPERATOR,
        partita_iva=partita_iva,
        codice_ateco=codice_ateco,
        founder_case_id=founder_case_id,
    )
    if as_json:
        emit(True, created)
    elif founder_case_id is not None:
        click.echo(
            f"enterprise {created.id} added (case {created.case_id}), founded from case {founder_case_id}: "
            "its case starts with the design"
        )
    else:
        click.echo(f"enterprise {created.id} added (case {created.case_id})")


@enterprise.command("link")
@click.argument("enterprise_id", type=int)
@click.option("--role", "ruolo", required=True, help="FONDATORE, SOCIO_LAVORATORE, LAVORATORE, SOCIO_COMUNITA, …")
@click.option("--case", "case_id", type=int, default=None, help="A beneficiary case")
@click.option("--organisation", default=None, help="The mentoring company's registry code")
@click.option("--name", "nominativo", default=None, help="A person outside the programme")
@click.option("--category", "categorie", multiple=True, help="Repeat for each quota category")
@click.option("--pa-evidence", "evidenza_pa", is_flag=True)
@click.option("--hired", "data_assunzione", default=None, help="YYYY-MM-DD")
@click.option("--volunteer", "volontario", is_flag=True)
@user_errors
def enterprise_link(
    enterprise_id: int,
    ruolo: str,
    case_id: int | None,
    organisation: str | None,
    nominativo: str | None,
    categorie: tuple[str, ...],
    evidenza_pa: bool,
    data_assunzione: str | None,
    volontario: bool,
) -> None:
    found = get_engine().enterprises.link(
        enterprise_id,
        ruolo,
        actor=CLI_OPERATOR,
        case_id=case_id,
        organisation=organisation,
        nominativo=nominativo,
        categorie=categorie,
        evidenza_pa=evidenza_pa,
        data_assunzione=data_assunzione,
        volontario=volontario,
    )
    click.echo(f"link {found.links[-1].id} recorded")


@enterprise.command("leave")
@click.argument("enterprise_id", type=int)
@click.argument("link_id", type=int)
@click.option("--on", "data_cessazione", required=True, help="YYYY-MM-DD")
@user_errors
def enterprise_leave(enterprise_id: int, link_id: int, data_cessazione: str) -> None:
    get_engine().enterprises.end_employment(enterprise_id, link_id, data_cessazione, actor=CLI_OPERATOR)
    click.echo(f"link {link_id} left on {data_cessazione}")


@enterprise.command("hire-founder")
@click.argument("enterprise_id", type=int)
@click.argument("link_id", type=int)
@click.option("--on", "data_assunzione", required=True, help="Hire date, YYYY-MM-DD")
@click.option("--contract", "tipo_contratto", required=True, help="TEMPO_INDETERMINATO, TEMPO_DETERMINATO, …")
@click.option("--notice", "data_comunicazione", required=True, help="UniLav start notice, by the day before")
@click.option("--category", "categorie", multiple=True, help="Repeat for each quota category")
@click.option("--pa-evidence", "evidenza_pa", is_flag=True)
@user_errors
def enterprise_hire_founder(
    enterprise_id: int,
    link_id: int,
    data_assunzione: str,
    tipo_contratto: str,
    data_comunicazione: str,
    categorie: tuple[str, ...],
    evidenza_pa: bool,
) -> None:
    """The enterprise hires a founder from the programme (the founder-hired milestone)."""
    get_engine().enterprises.hire_founder(
        enterprise_id,
        link_id,
        data_assunzione,
        tipo_contratto,
        data_comunicazione,
        actor=CLI_OPERATOR,
        categorie=categorie,
        evidenza_pa=evidenza_pa,
    )
    click.echo(f"founder of link {link_id} hired on {data_assunzione}")


@enterprise.command("register")
@click.argument("enterprise_id", type=int)
@click.option("--registry", "registro", required=True, help="REGISTRO_IMPRESE, ALBO_COOPERATIVE, RUNTS, …")
@click.option("--number", "numero", required=True)
@click.option("--on", "data", required=True, help="YYYY-MM-DD")
@user_errors
def enterprise_register(enterprise_id: int, registro: str, numero: str, data: str) -> None:
    get_engine().enterprises.add_registration(enterprise_id, registro, numero, data, actor=CLI_OPERATOR)
    click.echo(f"registration {registro} recorded")


@enterprise.command("list")
@click.option("--territory", default=None)
@json_option
@user_errors
def enterprise_list(territory: str | None, as_json: bool) -> None:
    found = get_engine().enterprises.list(actor=CLI_OPERATOR, territory=territory)

    def table() -> Table:
        t = Table("id", "name", "legal form", "territory", "case", "partita IVA")
        for e in found:
            t.add_row(str(e.id), e.denominazione, e.forma_giuridica, e.territory, str(e.case_id), e.partita_iva or "")
        return t

    emit(as_json, found, table)


@enterprise.command("show")
@click.argument("enterprise_id", type=int)
@json_option
@user_errors
def enterprise_show(enterprise_id: int, as_json: bool) -> None:
    found = get_engine().enterprises.get(enterprise_id, actor=CLI_OPERATOR)

    def table() -> Table:
        t = Table("link", "role", "who", "categories", "hired", "left")
        for lk in found.links:
            who = f"case {lk.case_id}" if lk.case_id else (lk.organisation_code or lk.nominativo or "")
            t.add_row(
                str(lk.id), lk.ruolo, who, ", ".join(lk.categorie), lk.data_assunzione or "", lk.data_cessazione or ""
            )
        return t

    emit(as_json, found, table)


@main.group()
def audit() -> None:
    """Tamper evidence: verify chains and bundles, take anchors."""


@audit.command("verify")
@click.option(
    "--bundle",
    "bundle_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Check a dossier bundle offline instead of the database.",
)
@click.option("--public-key", default=None, help="Trusted signer public key (base64) for --bundle.")
@json_option
@user_errors
def audit_verify(bundle_path: str | None, public_key: str | None, as_json: bool) -> None:
    """Re-check every event chain and anchor (or one bundle). Exit 1 at the first broken link."""
    if bundle_path is not None:
        from engine.audit.bundle import verify_bundle

        try:
            document = json.loads(Path(bundle_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            fail(f"{bundle_path}: cannot read the bundle: {err}")
        problems = verify_bundle(document, public_key)
        if as_json:
            click.echo(json.dumps({"ok": not problems, "problems": problems}, indent=2))
        elif not problems:
            click.echo(
                f"bundle intact: case {document['case']['id']}, {len(document['events'])} events, "
                f"signed by {document['signature']['fingerprint']}"
            )
        if problems:
            if not as_json:
                click.echo(f"BROKEN: {problems[0]}", err=True)
            sys.exit(1)
        return
    report = get_engine().audit.verify(actor=CLI_OPERATOR)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "cases": report.cases,
                    "events": report.events,
                    "anchors": report.anchors,
                    "breaks": [str(b) for b in report.breaks],
                },
                indent=2,
            )
        )
    elif report.ok:
        click.echo(f"all chains intact: {report.cases} cases, {report.events} events, {report.anchors} anchors")
    else:
        click.echo(
            f"BROKEN: {report.breaks[0]}" + (f" (and {len(report.breaks) - 1} more)" if len(report.breaks) > 1 else ""),
            err=True,
        )
    if not report.ok:
        sys.exit(1)


@audit.command("anchor")
@json_option
@user_errors
def audit_anchor(as_json: bool) -> None:
    """Record an anchor over every case's chain head (run it periodically)."""
    anchor = get_engine().audit.anchor(actor=CLI_OPERATOR)
    emit(as_json, anchor, None) if as_json else click.echo(
        f"anchor {anchor.id}: {anchor.cases} cases, {anchor.events} events, {anchor.hash}"
    )


@case.command("replay")
@click.argument("case_id", type=int)
@click.option("--at", "upto", type=int, default=None, help="Stop after the command holding this event.")
@click.option(
    "--from-start",
    is_flag=True,
    help="Re-execute every command from the first event (and prove the stored checkpoints), "
    "instead of starting from the nearest verified checkpoint.",
)
@json_option
@user_errors
def case_replay(case_id: int, upto: int | None, from_start: bool, as_json: bool) -> None:
    """Rebuild a case from its events on its pinned version; checks each step against the record."""
    result = get_engine().audit.replay(case_id, actor=CLI_OPERATOR, upto=upto, from_start=from_start)
    if as_json:
        click.echo(
            json.dumps(
                plain(
                    {
                        "faithful": result.faithful,
                        "first_mismatch": result.first_mismatch,
                        "checkpoint": result.checkpoint,
                        "bad_checkpoints": list(result.bad_checkpoints),
                        "steps": result.steps,
                    }
                ),
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        t = Table("events", "at", "actor", "kind", "task", "matches", "open tasks")
        for step in result.steps:
            mark = {True: "yes", False: "NO", None: "-"}[step.matches]
            t.add_row(
                ",".join(map(str, step.seqs)),
                step.at.isoformat(timespec="seconds"),
                step.actor,
                step.kind,
                step.task_name or "",
                mark,
                ", ".join(step.ready),
            )
        console.print(t)
        if result.checkpoint is not None:
            click.echo(f"replayed from the checkpoint of event {result.checkpoint} (verified)")
        for seq in result.bad_checkpoints:
            click.echo(f"checkpoint of event {seq} DIFFERS from the replayed state")
        if result.faithful:
            click.echo("replay faithful")
        elif result.first_mismatch is not None:
            click.echo(f"replay DIVERGES at event {result.first_mismatch}")
    if not result.faithful:
        sys.exit(1)


@case.command("dossier")
@click.argument("case_id", type=int)
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False), default=None)
@click.option("--bundle", "bundle_path", type=click.Path(dir_okay=False), default=None)
@user_errors
def case_dossier(case_id: int, pdf_path: str | None, bundle_path: str | None) -> None:
    """Write the case dossier as PDF and/or as a signed JSON bundle."""
    if not pdf_path and not bundle_path:
        fail("give --pdf FILE and/or --bundle FILE")
    engine = get_engine()
    if pdf_path:
        Path(pdf_path).write_bytes(engine.audit.dossier_pdf(case_id, actor=CLI_OPERATOR))
        click.echo(f"PDF written to {pdf_path}")
    if bundle_path:
        document = engine.audit.dossier_bundle(case_id, actor=CLI_OPERATOR)
        Path(bundle_path).write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        signature = document.get("signature")
        signer = signature.get("fingerprint") if isinstance(signature, dict) else ""
        click.echo(f"bundle written to {bundle_path} (signer {signer})")


@case.command("erase")
@click.argument("case_id", type=int)
@click.option("--reason", required=True)
@click.option("--as", "username", required=True)
@user_errors
def case_erase(case_id: int, reason: str, username: str) -> None:
    """Erase a closed case's personal data after retention (the chain stays verifiable)."""
    fields = get_engine().audit.erase_personal_data(case_id, actor=actor_for(username), reason=reason)
    click.echo(f"erased {len(fields)} field(s): {', '.join(fields) or '-'}")


@main.group()
def export() -> None:
    """Exports."""


@export.command("pseudonymised")
@click.option("--as", "username", required=True)
@user_errors
def export_pseudonymised(username: str) -> None:
    """Cases for evaluators: stable pseudonyms, no identities, categories generalised (JSON)."""
    click.echo(
        json.dumps(get_engine().audit.export_pseudonymised(actor=actor_for(username)), ensure_ascii=False, indent=1)
    )


@main.group()
def report() -> None:
    """Monitoring: the programme's reports and exports, and the read model behind them."""


@report.command("rebuild")
@user_errors
def report_rebuild() -> None:
    """Recompute the monitoring read model from the audit events (after an upgrade)."""
    result = get_engine().reports.rebuild(actor=CLI_OPERATOR)
    click.echo(f"{result.replayed} of {result.cases} case(s) rebuilt from their events")
    if result.kept:
        click.echo(f"kept as they were (events not replayable): {', '.join(map(str, result.kept))}")


def _report_command(kind: str, help_text: str) -> None:
    @report.command(kind, help=help_text)
    @click.option("--period", required=True, help="2026, 2026-H2 or 2026-Q3.")
    @click.option("--territory", default=None, help="One territory (default: every one).")
    @click.option("--format", "export_format", type=click.Choice(["csv", "xlsx", "json"]), default="json")
    @click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
    @click.option("--as", "username", default=None, help="Who exports (default: the operator).")
    @user_errors
    def command(
        period: str, territory: str | None, export_format: str, output: Path | None, username: str | None
    ) -> None:
        name = {"participants": "partecipanti", "cases": "casi"}.get(kind, kind)
        file = get_engine().reports.export(
            name, export_format, actor=actor_for(username), period=period, territory=territory
        )
        body = file.body if isinstance(file.body, bytes | str) else "".join(file.body)
        if isinstance(body, bytes) and output is None:
            fail("--format xlsx needs --output FILE")
        if output is not None:
            output.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
            click.echo(f"written {output}")
        else:
            click.echo(body, nl=False)


_report_command("funnel", "Referrals → outcome → pact → start → result → follow-up.")
_report_command("sla", "Times to take referrals in charge and to decide, against their limits.")
_report_command("esf", "ESF+ common indicators (EECO, EECR) by gender, age band and territory.")
_report_command("wip", "Open tasks by role and organisation, quiet cases, clock incidents.")
_report_command("participants", "The ESF+ participant file, keyed by pseudonym.")
_report_command("cases", "The cases referred in the period and where each stands.")


@main.group()
def keys() -> None:
    """The keys that seal the beneficiaries' identity (outside the database)."""


@keys.command("check")
@user_errors
def keys_check() -> None:
    """Check that the keyring opens what the database holds (creates it on a first run)."""
    click.echo(f"keyring ok: active key {get_engine().people.verify_keys(actor=CLI_OPERATOR)}")


@keys.command("rotate")
@click.option("--keep-old", is_flag=True, help="Keep the previous keys in the keyring file.")
@user_errors
def keys_rotate(keep_old: bool) -> None:
    """Make a new active key and reseal every person record under it (the audit chain is untouched)."""

    engine = get_engine()
    engine.people.verify_keys(actor=CLI_OPERATOR)
    key_id, count = engine.people.rotate_keys(actor=CLI_OPERATOR, drop_old=not keep_old)
    click.echo(f"active key {key_id}: {count} person records resealed")


@main.group()
def demo() -> None:
    """Demo data."""


@demo.command("seed")
@user_errors
def demo_seed() -> None:
    """Create the demo users, deploy the library and start demo cases (idempotent)."""
    from engine.demo import seed

    for line in seed(get_engine()) or ["demo data already present"]:
        click.echo(line)


@main.command("fire-timers")
@user_errors
def fire_timers() -> None:
    """One scheduler tick now, as the scheduler: fire due timers, deliver messages, announce overdue tasks."""
    click.echo(json.dumps(dataclasses.asdict(get_engine().tick(actor=SCHEDULER))))


@main.command("scheduler")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between ticks.")
@user_errors
def scheduler(interval: float) -> None:
    """Run the timer scheduler in the foreground (several may run against one PostgreSQL)."""
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per tick: our tick logs its work
    click.echo(f"scheduler running, one tick every {interval:g}s (Ctrl+C to stop)")
    try:
        get_engine().scheduler(interval_seconds=interval, blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("scheduler stopped")


WEB_APP = "web:create_app()"  # imported by each gunicorn worker: the engine itself never imports web


@main.command("serve")
@click.option("--bind", default=None, help="host:port to listen on [IMPRESA_BIND, default 127.0.0.1:8000].")
@click.option("--workers", type=int, default=None, help="Worker processes [IMPRESA_WORKERS, default 4].")
@click.option("--threads", type=int, default=None, help="Threads per worker [IMPRESA_THREADS, default 2].")
@click.option("--timeout", type=int, default=None, help="Seconds before a stuck worker is killed [60].")
@click.option("--with-scheduler", is_flag=True, help="Also run `impresa scheduler` as its own process.")
@user_errors
def serve(
    bind: str | None, workers: int | None, threads: int | None, timeout: int | None, with_scheduler: bool
) -> None:
    """Serve the web app and the API with gunicorn (production). Timers fire only where
    `impresa scheduler` runs: in its own process (or with --with-scheduler)."""
    import os
    import shutil
    import subprocess
    import tempfile

    from engine.adapters import http_server
    from engine.config import Serving

    env = Serving.from_env()
    serving = dataclasses.replace(
        env,
        bind=bind or env.bind,
        workers=env.workers if workers is None else workers,
        threads=env.threads if threads is None else threads,
        timeout_seconds=env.timeout_seconds if timeout is None else timeout,
    )
    try:
        http_server.check(serving)
    except http_server.ServingError as err:
        fail(str(err))
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Metrics from several processes (the workers, the scheduler) add up only if every process
        # writes them to one folder, chosen before the metrics library is first imported: so start
        # again with it set (a fresh folder per start: old processes' counts do not carry over).
        # Only once the settings are known to be servable: a refusal stays in this process.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="impresa-metrics-")
        os.environ["IMPRESA_METRICS_DIR_OWNED"] = "1"
        os.execv(sys.executable, [sys.executable, "-m", "engine.cli", *sys.argv[1:]])
    clock = None
    if with_scheduler:
        clock = subprocess.Popen([sys.executable, "-m", "engine.cli", "scheduler"], env=os.environ.copy())
    master = os.getpid()
    try:
        http_server.serve(WEB_APP, serving)
    finally:
        # gunicorn's workers are forks of this process and leave through this block too (SystemExit):
        # only the master may stop the scheduler and remove the metrics folder the others still use.
        if os.getpid() == master:
            if clock is not None:
                clock.terminate()
                clock.wait(timeout=30)
            if os.environ.pop("IMPRESA_METRICS_DIR_OWNED", None):
                shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
