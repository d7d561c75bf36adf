"""The ``impresa`` command line: JSON output, and one clear line with exit code 2 on user errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from tests.fixtures.diagrams import linear


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", db_url)
    (tmp_path / "lin.bpmn").write_bytes(linear("lin", 2, ("assistente_sociale", "operatore_cpi")))
    (tmp_path / "esc.bpmn").write_bytes(linear("esc", 1, ("assistente_sociale",), script="import os"))
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def run(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_whole_case_from_the_command_line(cli: CliRunner) -> None:
    assert run(cli, "process", "deploy", "lin.bpmn")[0] == 0
    assert run(cli, "user", "add", "anna", "--name", "Anna", "--role", "assistente_sociale:T1")[0] == 0
    assert run(cli, "user", "add", "paolo", "--name", "Paolo", "--role", "operatore_cpi")[0] == 0

    code, out, _ = run(cli, "case", "start", "lin", "--as", "anna", "--data", '{"territorio": "T1"}', "--json")
    case = json.loads(out)
    assert (code, case["status"], case["territory"]) == (0, "running", "T1")

    code, out, _ = run(cli, "task", "list", "--role", "assistente_sociale", "--json")
    [task] = json.loads(out)
    assert run(cli, "task", "complete", task["id"], "--as", "anna", "--data", '{"conferma": true}')[0] == 0
    [task2] = json.loads(run(cli, "task", "list", "--as", "paolo", "--json")[1])
    code, out, _ = run(cli, "task", "complete", task2["id"], "--as", "paolo", "--data", '{"conferma": true}', "--json")
    assert json.loads(out)["status"] == "completed"

    history = json.loads(run(cli, "case", "history", str(case["id"]), "--json")[1])
    assert [e["kind"] for e in history] == ["started", "task_completed", "task_completed", "completed"]
    assert json.loads(run(cli, "process", "list", "--json")[1])[0]["process_id"] == "lin"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("process", "validate", "esc.bpmn"), "esc.bpmn:"),
        (("process", "validate", "nope.bpmn"), "no such file"),
        (("case", "show", "999"), "case 999 not found"),
        (("case", "start", "lin", "--data", "{bad"), "not valid JSON"),
        (("case", "start", "ghost"), "not deployed"),
        (("task", "complete", "no-such-task", "--as", "anna", "--data", "{}"), "not found"),
        (("task", "list", "--role", "astronauta"), "unknown role"),
    ],
)
def test_user_errors_exit_2_with_one_line(cli: CliRunner, args: tuple[str, ...], expected: str) -> None:
    run(cli, "user", "add", "anna", "--name", "Anna", "--role", "assistente_sociale")
    code, out, err = run(cli, *args)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err + out
    assert len([line for line in err.splitlines() if line.startswith("error:")]) == 1


def test_validate_names_element_and_line(cli: CliRunner) -> None:
    code, out, _ = run(cli, "process", "validate", "esc.bpmn", "--json")
    [problem] = json.loads(out)["problems"]
    assert (code, problem["file"], problem["element"]) == (2, "esc.bpmn", "Script_1")
    assert isinstance(problem["line"], int)


def test_invalid_form_data_lists_fields(cli: CliRunner) -> None:
    run(cli, "process", "deploy", "lin.bpmn")
    run(cli, "user", "add", "anna", "--name", "Anna", "--role", "assistente_sociale")
    case = json.loads(run(cli, "case", "start", "lin", "--as", "anna", "--json")[1])
    task_id = case["open_tasks"][0]["id"]
    code, _, err = run(cli, "task", "complete", task_id, "--as", "anna", "--data", '{"conferma": "forse"}')
    assert code == 2
    assert "conferma: Indicare sì o no." in err


def test_keys_check_creates_the_keyring_once_then_rotate_reseals_and_a_lost_file_exits_2(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "keys" / "data-keys.json"
    monkeypatch.setenv("IMPRESA_DATA_KEY_FILE", str(key_file))
    monkeypatch.setenv("IMPRESA_INSTANCE_DIR", str(tmp_path / "instance"))
    assert run(cli, "keys", "check")[:2] == (0, "keyring ok: active key k1\n")

    code, out, _ = run(cli, "keys", "rotate")
    assert (code, out) == (0, "active key k2: 0 person records resealed\n")
    assert list(json.loads(key_file.read_text())["keys"]) == ["k2"]

    key_file.unlink()
    code, _, err = run(cli, "keys", "check")
    assert code == 2 and err.startswith("error: chiave di cifratura mancante")


def test_case_actions_from_the_command_line(cli: CliRunner) -> None:
    assert run(cli, "process", "deploy", "lin.bpmn")[0] == 0
    assert run(cli, "user", "add", "carla", "--name", "Carla", "--role", "coordinatore:T1")[0] == 0
    case = json.loads(run(cli, "case", "start", "lin", "--as", "carla", "--data", '{"territorio": "T1"}', "--json")[1])
    case_id = str(case["id"])
    code, _, err = run(cli, "case", "suspend", case_id, "--as", "carla", "--reason", " ")
    assert code == 2 and "reason" in err and len(err.strip().splitlines()) == 1
    code, out, _ = run(cli, "case", "suspend", case_id, "--as", "carla", "--reason", "Ricovero", "--json")
    assert (code, json.loads(out)["status"]) == (0, "suspended")
    assert (
        json.loads(run(cli, "case", "resume", case_id, "--as", "carla", "--reason", "Dimesso", "--json")[1])["status"]
        == "running"
    )
    # the linear test process waits for no withdrawal: a conflict, one line, exit 2
    code, _, err = run(
        cli, "case", "withdraw", case_id, "--as", "carla", "--date", dt.date.today().isoformat(), "--reason", "x"
    )
    assert code == 2 and "withdrawal" in err
    code, out, _ = run(cli, "case", "close", case_id, "--as", "carla", "--reason", "Irreperibile", "--json")
    assert (code, json.loads(out)["status"]) == (0, "closed")
    code, _, err = run(cli, "case", "close", case_id, "--as", "carla", "--reason", "ancora")
    assert code == 2 and "Traceback" not in err


def test_a_protocol_from_draft_to_withdrawal_on_the_command_line(cli: CliRunner) -> None:
    assert run(cli, "user", "add", "piera", "--name", "Piera", "--role", "referente_ente_partner:T1")[0] == 0
    assert run(cli, "org", "add", "COOP_A", "--name", "Coop A", "--kind", "terzo_settore", "--territory", "T1")[0] == 0
    code, _, err = run(
        cli, "org", "add", "COOP_B", "--name", "B", "--kind", "terzo_settore", "--territory", "T1", "--tax-code", "123"
    )
    assert code == 2 and "tax_code" in err and len(err.strip().splitlines()) == 1
    assert run(cli, "org", "member", "COOP_A", "piera")[0] == 0
    assert (
        run(cli, "org", "protocol", "COOP_A", "--kind", "convenzione", "--scope", "Tirocini", "--from", "2026-01-01")[0]
        == 0
    )
    [protocol] = json.loads(run(cli, "org", "protocols", "--json")[1])
    pid = str(protocol["id"])
    code, _, err = run(cli, "org", "sign", pid, "--number", "C-1", "--date", "2026-01-02", "--signatory", "COOP_A")
    assert code == 2 and "ORG_CODE=username" in err
    code, _, err = run(
        cli, "org", "sign", pid, "--number", "C-1", "--date", "2026-01-02", "--signatory", "COOP_A=nessuno"
    )
    assert code == 2 and "signatories" in err
    assert (
        run(cli, "org", "sign", pid, "--number", "C-1", "--date", "2000-01-02", "--signatory", "COOP_A=piera")[0] == 0
    )
    code, out, _ = run(cli, "org", "activate", pid)
    assert code == 0 and "in force" in out
    code, _, err = run(cli, "org", "withdraw", pid, "--organisation", "COOP_A", "--effective", "2000-01-01")
    assert code == 2 and "in force" in err  # no expiry, so no lifecycle watch: refused, one line
    assert len(err.strip().splitlines()) == 1
    code, _, err = run(cli, "org", "watch-unwatched")  # the watch needs the lifecycle process deployed
    assert code == 2 and "scadenza_protocollo" in err and len(err.strip().splitlines()) == 1


def test_process_diff_as_a_table_and_as_json(cli: CliRunner, tmp_path: Path) -> None:
    """Version 2 adds a third task and its flow, and the second flow now leads to it: the JSON
    lists them, the table gives one row per process with the same lists."""
    assert run(cli, "process", "deploy", "lin.bpmn")[0] == 0
    (tmp_path / "lin.bpmn").write_bytes(linear("lin", 3, ("assistente_sociale", "operatore_cpi")))
    assert run(cli, "process", "deploy", "lin.bpmn")[0] == 0

    code, out, _ = run(cli, "process", "diff", "lin", "1", "2", "--json")
    assert code == 0
    assert json.loads(out)["processes"] == {
        "lin": {"added": ["Flow_3", "Task_3"], "removed": [], "changed": [{"id": "Flow_2", "aspects": ["attributes"]}]}
    }

    code, out, _ = run(cli, "process", "diff", "lin", "1", "2")
    [row] = [line for line in out.splitlines() if line.startswith("│")]
    assert code == 0
    assert [cell.strip() for cell in row.strip("│").split("│")] == ["lin", "Flow_3, Task_3", "", "Flow_2 (attributes)"]
