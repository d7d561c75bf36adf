"""The inbox: tabs with counts, claim/release/reassign, filters, sorting, saved filters and
pagination, all read from the inbox table through the engine."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask

from engine import Engine
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR
from tests.web.conftest import advance, login_as, make_app, start_case


def counts(html: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for m in re.finditer(r'data-testid="count-(\w+)">(\d+)<', html)}


def test_tabs_counts_claim_and_release(app: Flask, demo: Engine) -> None:
    for n in range(3):
        start_case(demo, f"BEN-{n}")
    client = login_as(app.test_client(), "coordinatore")
    html = client.get("/inbox").get_data(as_text=True)
    assert counts(html) == {"mine": 0, "role": 3, "all": 3, "done": 0}
    assert "Le mie attività" in html and "Attività del mio ruolo" in html
    role_tab = client.get("/inbox?tab=role").get_data(as_text=True)
    assert role_tab.count("Scheda di segnalazione") == 3 and "BEN-1" in role_tab
    task_id = re.search(r'data-task-id="([^"]+)"', role_tab).group(1)  # type: ignore[union-attr]

    # claiming opens the task
    assert (
        client.post(f"/tasks/{task_id}/claim", data={"next": "/inbox?tab=mine"}).headers["Location"]
        == f"/tasks/{task_id}"
    )
    mine = client.get("/inbox?tab=mine").get_data(as_text=True)
    assert counts(mine) == {"mine": 1, "role": 2, "all": 3, "done": 0} and "Attività presa in carico." in mine
    client.post(f"/tasks/{task_id}/release")
    assert counts(client.get("/inbox").get_data(as_text=True))["role"] == 3
    # claiming a task twice by two people: the second gets a message, not an error page
    demo.tasks.claim(task_id, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))
    demo.users.add("coordinatore2", "C2", [("coordinatore", "")], actor=CLI_OPERATOR)
    other = login_as(app.test_client(), "coordinatore2")
    response = other.post(f"/tasks/{task_id}/claim", follow_redirects=True)
    assert response.status_code == 200 and "già stata presa in carico da un" in response.get_data(as_text=True)


def test_only_supervisors_get_the_all_tab_and_reassign(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    task = advance(demo, case.id, "UT_analisi_preliminare")
    demo.users.add("assistente2", "Seconda Assistente", [("assistente_sociale", "ATS-Demo")], actor=CLI_OPERATOR)
    # the case manager's task goes to another social worker once the case is handed over
    demo.teams.add(
        case.id, "responsabile", username="assistente2", actor=demo.users.get("coordinatore", actor=CLI_OPERATOR)
    )
    social = login_as(app.test_client(), "assistente")
    html = social.get("/inbox?tab=all").get_data(as_text=True)
    assert "count-all" not in html and "Riassegna" not in html
    assert social.post(f"/tasks/{task.id}/reassign", data={"assignee": "assistente2"}).status_code == 403
    boss = login_as(app.test_client(), "coordinatore")
    boss.post(f"/tasks/{task.id}/reassign", data={"assignee": "assistente2"})
    assert demo.tasks.get(task.id, actor=demo.users.get("assistente2", actor=CLI_OPERATOR)).assignee == "assistente2"
    wrong = boss.post(f"/tasks/{task.id}/reassign", data={"assignee": "cpi"}, follow_redirects=True)
    assert "ruolo o il territorio richiesto" in wrong.get_data(as_text=True)


def test_filters_sorting_saved_filters_and_pages(demo: Engine, clock: object) -> None:
    app = make_app(demo, PAGE_SIZE=2)
    first = start_case(demo, "BEN-A")
    for n in range(4):
        start_case(demo, f"BEN-{n}")
    client = login_as(app.test_client(), "coordinatore")
    page1 = client.get("/inbox?tab=role").get_data(as_text=True)
    assert "Pagina 1 di 3" in page1 and page1.count('data-task-id="') == 2
    page3 = client.get("/inbox?tab=role&page=3").get_data(as_text=True)
    assert page3.count('data-task-id="') == 1
    assert client.get("/inbox?tab=role&page=99").status_code == 200  # clamped to the last page

    only = client.get(f"/inbox?tab=role&case_id={first.id}").get_data(as_text=True)
    assert only.count('data-task-id="') == 1 and "BEN-A" in only
    none = client.get("/inbox?tab=role&process_id=progettazione").get_data(as_text=True)
    assert "Nessuna attività in questo elenco." in none
    f2 = client.get("/inbox?tab=role&process_id=valutazione_bisogno&sort=-priority").get_data(as_text=True)
    assert "Pagina 1 di 3" in f2
    # bad values are ignored, never an error
    assert client.get("/inbox?tab=all&case_id=abc&due_from=never&sort=evil&page=-1").status_code == 200
    today = dt.date(2026, 1, 5)
    assert client.get(f"/inbox?due_from={today}&due_to={today}").status_code == 200

    saved = client.post("/inbox/filters", data={"name": "Solo F2", "tab": "role", "process_id": "valutazione_bisogno"})
    assert saved.status_code == 302
    html = client.get("/inbox").get_data(as_text=True)
    assert "Solo F2" in html and "process_id=valutazione_bisogno" in html
    [stored] = demo.accounts.filters(actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))
    assert stored.params == {"tab": "role", "process_id": "valutazione_bisogno"}
    assert client.post("/inbox/filters", data={"name": ""}, follow_redirects=True).status_code == 200
    client.post(f"/inbox/filters/{stored.id}/delete")
    assert demo.accounts.filters(actor=demo.users.get("coordinatore", actor=CLI_OPERATOR)) == []
    assert client.post(f"/inbox/filters/{stored.id}/delete").status_code == 404


def test_due_dates_and_priority_are_shown_and_sortable(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    advance(demo, case.id, "UT_analisi_preliminare")
    client = login_as(app.test_client(), "assistente")
    html = client.get("/inbox?tab=role&sort=-due").get_data(as_text=True)
    assert "Analisi preliminare" in html
    assert "Scadenza" in html and "Priorità" in html and "Scadenza ▼" in html and "sort=-priority" in html


def test_deleting_a_filter_with_an_absurd_id_is_a_404_not_a_crash(app: Flask, demo: Engine) -> None:
    from tests.web.conftest import csrf_token

    client = login_as(app.test_client(), "coordinatore")
    token = csrf_token(client.get("/inbox").get_data(as_text=True))
    for filter_id in ("9223372036854775808", "999"):
        assert client.post(f"/inbox/filters/{filter_id}/delete", data={"csrf_token": token}).status_code == 404


def test_overdue_is_judged_by_the_engine_clock(app: Flask, demo: Engine, clock: FixedClock) -> None:
    """The clock that fires the timers says what is late: a referral due on 20/01 is not late on the
    engine's 05/01, whatever the wall clock says, and is once the engine's day is past it."""
    case = start_case(demo)
    task = advance(demo, case.id, "UT_segnalazione")
    assert task.due_at is not None and clock.now() < task.due_at
    client = login_as(app.test_client(), "coordinatore")
    assert "scaduta" not in client.get("/inbox?tab=role").get_data(as_text=True)
    clock.set(task.due_at + dt.timedelta(days=1))
    login_as(client, "coordinatore")  # days later: a new session
    assert "scaduta" in client.get("/inbox?tab=role").get_data(as_text=True)


def test_the_coordinators_all_tab_shows_every_task_of_the_territory(app: Flask, demo: Engine) -> None:
    """ "Tutte le attività dei miei territori" is what the coordinator supervises (reassign, release,
    route): every open task of the territory, whatever its role — not only the coordinator's own
    lane. A task of another role is listed without a claim button or a link to a form they may not
    open, with the reassign list."""
    case = start_case(demo, "BEN-TUTTE")
    task = advance(demo, case.id, "UT_did_psp")  # the job centre's task
    assert task.role == "operatore_cpi"
    boss = login_as(app.test_client(), "coordinatore")
    html = boss.get("/inbox?tab=all").get_data(as_text=True)
    assert "Tutte le attività dei miei territori" in html and "Tutte le attività visibili" not in html
    row = re.search(rf'<tr data-task-id="{task.id}">(.*?)</tr>', html, re.S)
    assert row, "the job centre's task is missing from the coordinator's list"
    assert f'href="/tasks/{task.id}"' not in row.group(1) and "Prendi in carico" not in row.group(1)
    assert 'name="assignee"' in row.group(1) and "cpi" in row.group(1)
    assert counts(html)["all"] == counts(html)["mine"] + demo.tasks.count(actor=CLI_OPERATOR)
    # the job centre's own lists are unchanged: its task, not the territory's
    cpi = login_as(app.test_client(), "cpi").get("/inbox?tab=role").get_data(as_text=True)
    assert task.id in cpi and "count-all" not in cpi


def test_rows_say_when_the_task_arrived_and_how_long_it_waited(app: Flask, demo: Engine, clock: FixedClock) -> None:
    """Each row tells its age in words (the day in full, Italian, never ISO) and the English page
    in English; a card on a phone shows the due date only when there is one."""
    case = start_case(demo)
    task = advance(demo, case.id, "UT_segnalazione")
    client = login_as(app.test_client(), "coordinatore")
    assert "Ricevuta oggi" in client.get("/inbox?tab=role").get_data(as_text=True)
    clock.advance(days=5)
    login_as(client, "coordinatore")  # five days later: a new session
    html = client.get("/inbox?tab=role").get_data(as_text=True)
    assert "Ricevuta il 5 gennaio 2026, da 5 giorni" in html
    assert "2026-01-05" not in html
    assert task.due_at is not None and task.due_at.strftime("%d/%m/%Y") in html
    clock.advance(days=-4)
    assert "Ricevuta il 5 gennaio 2026, da 1 giorno" in client.get("/inbox?tab=role").get_data(as_text=True)
    english = client.get("/inbox?tab=role&lang=en").get_data(as_text=True)
    assert "Received on January 5, 2026, 1 day ago" in english
