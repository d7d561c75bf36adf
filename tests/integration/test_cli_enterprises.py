"""``impresa enterprise``: add, register, link, leave, list and show from the command line; bad
input is one line on stderr and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("IMPRESA_PROCESSES_DIR", str(PROCESSES))
    return CliRunner()


def run(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_enterprise_from_the_command_line(cli: CliRunner) -> None:
    code, _, err = run(cli, "process", "deploy")  # the library folder (IMPRESA_PROCESSES_DIR)
    assert code == 0, err
    code, out, err = run(
        cli,
        "enterprise",
        "add",
        "Orti Solidali Cooperativa Sociale",
        "--territory",
        "T1",
        "--form",
        "COOP_SOCIALE_B",
        "--region",
        "Marche",
        "--seat",
        "Ancona",
        "--vat-number",
        "00743110157",
        "--json",
    )
    assert code == 0, err
    created = json.loads(out)
    assert created["partita_iva"] == "00743110157" and created["case_id"] > 0

    eid = str(created["id"])
    assert (
        run(
            cli, "enterprise", "register", eid, "--registry", "ALBO_COOPERATIVE", "--number", "A1", "--on", "2026-01-02"
        )[0]
        == 0
    )
    code, out, _ = run(
        cli,
        "enterprise",
        "link",
        eid,
        "--role",
        "LAVORATORE",
        "--name",
        "Anna",
        "--category",
        "ALCOLISTA",
        "--pa-evidence",
        "--hired",
        "2026-01-02",
    )
    assert code == 0 and out.startswith("link ")
    link_id = out.split()[1]
    assert run(cli, "enterprise", "leave", eid, link_id, "--on", "2026-01-03")[0] == 0
    shown = json.loads(run(cli, "enterprise", "show", eid, "--json")[1])
    assert [(lk["nominativo"], lk["categorie"], lk["data_cessazione"]) for lk in shown["links"]] == [
        ("Anna", ["ALCOLISTA"], "2026-01-03")
    ]
    assert [e["id"] for e in json.loads(run(cli, "enterprise", "list", "--json")[1])] == [created["id"]]

    # bad input: one line, exit 2
    code, _, err = run(cli, "enterprise", "link", eid, "--role", "LAVORATORE", "--name", "Bea", "--hired", "2099-01-01")
    assert code == 2 and "La data di assunzione non può essere futura." in err and len(err.strip().splitlines()) == 1
    code, _, err = run(
        cli,
        "enterprise",
        "add",
        "Altra",
        "--territory",
        "T1",
        "--form",
        "COOP_SOCIALE_B",
        "--region",
        "M",
        "--seat",
        "A",
        "--vat-number",
        "123",
    )
    assert code == 2 and "Partita IVA non valida" in err
