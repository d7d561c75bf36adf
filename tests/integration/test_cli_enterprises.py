"""``impresa enterprise``: add, register, link, leave, list and show from the command line; bad
input is one line on stderr and exit code 2."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import Engine
from engine.cli import main
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR
from tests.processes.scenario_data import scenario
from tests.processes.test_scenario_impresa_fondatori import on_track_b

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


def test_found_an_enterprise_from_a_track_b_path(cli: CliRunner, engine: Engine, clock: FixedClock) -> None:
    """``enterprise add --founder-case N``: the path is linked as founder and the enterprise's case
    starts with the design; an unknown case, a path not on track B or already linked, and a case
    number that is not one are one line each, exit 2, and found nothing."""
    add = ["enterprise", "add", "Borgo Vivo Impresa Sociale S.r.l.", "--territory", "T1", "--form"]
    add += ["IMPRESA_SOCIALE_SRL", "--region", "Marche", "--seat", "Arcevia", "--founder-case"]
    with scenario(engine, clock, "T1") as s:  # the library deployed; the CLI shares the database and frozen time
        s.open_partnership()
        path = on_track_b(s, "FOND-CLI")
        not_b = s.start_percorso("IN-VALUTAZIONE")  # still in the assessment: no track yet
        for case, message in (
            ("999999", "Il caso n. 999999 non esiste."),
            (str(not_b), f"Il percorso n. {not_b} non è sul percorso B"),
            ("il mio", "--founder-case must be a case number"),
        ):
            code, out, err = run(cli, *add, case)
            assert (code, out) == (2, "") and message in err and len(err.strip().splitlines()) == 1, err
        assert engine.enterprises.list(actor=CLI_OPERATOR) == []

        code, out, err = run(cli, *add, str(path))
        assert code == 0, err
        assert out.startswith("enterprise ") and f"founded from case {path}" in out
        [found] = engine.enterprises.list(actor=CLI_OPERATOR)
        links = engine.enterprises.get(found.id, actor=CLI_OPERATOR).links
        assert [(lk.ruolo, lk.case_id) for lk in links] == [("FONDATORE", path)]
        assert [t.bpmn_id for t in engine.cases.get(found.case_id, actor=CLI_OPERATOR).open_tasks] == ["Task_idea"]

        code, out, err = run(cli, *add[:2], "Altra Impresa Sociale S.r.l.", *add[3:], str(path))
        assert code == 2 and f"già collegato all'impresa «{found.denominazione}»" in err
        assert len(err.strip().splitlines()) == 1 and len(engine.enterprises.list(actor=CLI_OPERATOR)) == 1

        # the enterprise hires its founder: the UniLav notice is due by the day before
        day = clock.now().date()
        hire = ["enterprise", "hire-founder", str(found.id), str(links[0].id), "--on", day.isoformat()]
        hire += ["--contract", "TEMPO_INDETERMINATO", "--category", "ALCOLISTA", "--notice"]
        code, _, err = run(cli, *hire, day.isoformat())
        assert code == 2 and "entro il giorno precedente" in err and len(err.strip().splitlines()) == 1
        code, out, err = run(cli, *hire, (day - dt.timedelta(days=1)).isoformat())
        assert code == 0 and out.startswith(f"founder of link {links[0].id} hired"), err
        assert engine.enterprises.get(found.id, actor=CLI_OPERATOR).founders_hired == (1, 1)
