"""The monitoring cockpit in the browser's terms and in the API: the seeded programme of
``tests/integration/test_monitoring.py`` seen by the coordinator, the cabina di regia and the
evaluator (aggregates only); downloads read back; bad periods refused with the format named."""

from __future__ import annotations

import html as html_lib
import io
import re

import openpyxl
import pytest
from flask import Flask

from engine import Engine
from engine.model import Cell
from engine.policy import CLI_OPERATOR
from tests.integration.test_monitoring import programme  # noqa: F401  (the seeded fixture)
from tests.web.conftest import login_as, make_app
from web.monitoring import cell_text


@pytest.fixture
def cockpit(programme: Engine) -> Flask:  # noqa: F811
    programme.users.add("coord", "Coordinatrice", [("coordinatore", "")], actor=CLI_OPERATOR)
    programme.users.add("regia1", "Cabina T1", [("cabina_di_regia", "T1")], actor=CLI_OPERATOR)
    programme.users.add("valut", "Valutatrice", [("valutatore", "")], actor=CLI_OPERATOR)
    programme.users.add("as1", "Assistente", [("assistente_sociale", "T1")], actor=CLI_OPERATOR)
    return make_app(programme)


def row(html: str, key: str) -> list[str]:
    """The cells of the first table row with ``data-row=key``."""
    found = re.search(rf'<tr data-row="{re.escape(key)}">(.*?)</tr>', html, re.S)
    assert found, key
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)]


def test_the_coordinator_sees_the_funnel_with_its_chart(cockpit: Flask) -> None:
    client = login_as(cockpit.test_client(), "coord")
    page = client.get("/monitoraggio?periodo=2026-H1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        row(html, "segnalati") == ["18", "0"]
        and row(html, "valutati") == ["17", "0"]
        and row(html, "patto") == ["7", "0"]
    )
    assert row(html, "ASSUNTO") == ["&lt; 5"]
    # "% entro il limite" rests on fewer than five people: "n. d.", not "< 5" (read as "under 5 %")
    assert row(html, "presa_in_carico") == ["15", "18", "&lt; 5", "&lt; 5", "0", "n. d.", "10", "20"]
    assert row(html, "esito")[-3:] == ["100 %", "41", "41"]
    assert 'data-testid="chart-imbuto"' in html and "<desc" in html and "Persone segnalate: 18" in html
    assert 'data-testid="report-wip"' in html and 'data-testid="cases-xlsx"' in html
    assert re.search(r'<tr data-row="\d+"><th scope="row"><a href="/cases/\d+">Caso \d+</a>', html)  # quiet cases open
    assert 'data-testid="nav-monitoring"' in html


def test_the_evaluator_gets_aggregates_only(cockpit: Flask) -> None:
    client = login_as(cockpit.test_client(), "valut")
    html = client.get("/monitoraggio?periodo=2026-H1").get_data(as_text=True)
    assert 'data-testid="report-esf"' in html and 'data-testid="report-wip"' not in html
    assert 'data-testid="cases-xlsx"' not in html and 'data-testid="participants-xlsx"' in html
    assert client.get("/monitoraggio/wip.csv?periodo=2026-H1").status_code == 403
    assert client.get("/monitoraggio/casi.xlsx?periodo=2026-H1").status_code == 403
    file = client.get("/monitoraggio/partecipanti.xlsx?periodo=2026-H1&territorio=T2")
    assert file.status_code == 200 and "partecipanti_2026-H1_T2.xlsx" in file.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(file.data)).worksheets[0]
    header, *people = list(sheet.iter_rows(values_only=True))
    assert header[0] == "Pseudonimo" and len(people) == 6 and {p[header.index("Genere")] for p in people} == {"Donne"}
    assert login_as(cockpit.test_client(), "as1").get("/monitoraggio").status_code == 403


def test_the_cabina_di_regia_sees_its_territory_and_downloads_xlsx(cockpit: Flask, programme: Engine) -> None:  # noqa: F811
    client = login_as(cockpit.test_client(), "regia1")
    html = client.get("/monitoraggio?periodo=2026").get_data(as_text=True)
    assert row(html, "segnalati") == ["12", "0"]
    assert client.get("/monitoraggio?periodo=2026&territorio=T2").status_code == 403
    file = client.get("/monitoraggio/funnel.xlsx?periodo=2026-H1")
    book = openpyxl.load_workbook(io.BytesIO(file.data))
    rows = [tuple(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert ("Persone segnalate", 12, 0) in rows and ("Percorsi avviati", 6, 0) in rows
    purposes = [e.purpose for e in programme.audit.access_log(actor=programme.users.get("coord", actor=CLI_OPERATOR))]
    assert "esportazione report funnel (xlsx): periodo 2026-H1, territorio tutti" in purposes


@pytest.mark.parametrize("period", ["2026-H3", "2027"])
def test_a_bad_period_is_refused_pointing_to_the_list(cockpit: Flask, period: str) -> None:
    client = login_as(cockpit.test_client(), "coord")
    page = client.get(f"/monitoraggio?periodo={period}")
    shown = shown_text(html_lib.unescape(page.get_data(as_text=True)))
    assert page.status_code == 422 and "non è tra quelli disponibili" in shown and "«Periodo»" in shown
    assert not PERIOD_CODE.search(shown) and "AAAA" not in shown  # no code, no format of codes
    heat = client.get(f"/monitoraggio/colli-di-bottiglia?periodo={period}")
    assert heat.status_code == 422 and "non è tra quelli disponibili" in html_lib.unescape(heat.get_data(as_text=True))
    assert client.get(f"/monitoraggio/esf.csv?periodo={period}").status_code == 422


PERIOD_CODE = re.compile(r"\b\d{4}-[HQ]\d\b")


def shown_text(html: str) -> str:
    """What a person reads: the page without its scripts, tags and attribute values."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_period_is_chosen_by_its_name_never_by_its_code(cockpit: Flask) -> None:
    """The filters offer the periods by the names the reports give them; the code ("2026-H2")
    stays in the address and the downloads."""
    client = login_as(cockpit.test_client(), "coord")
    for url in ("/monitoraggio", "/monitoraggio/colli-di-bottiglia?processo=percorso_prova"):
        html = client.get(url).get_data(as_text=True)
        assert '<option value="2026-H2" selected>Secondo semestre 2026</option>' in html, url
        assert '<option value="2026-Q3">3º trimestre 2026</option>' in html, url
        assert '<optgroup label="2025">' in html and '<option value="2025">Anno 2025</option>' in html, url
        assert 'value="2026-Q4"' not in html and 'value="2027"' not in html, url  # not started yet
        assert not PERIOD_CODE.findall(shown_text(html)), url
    # an older period from a link is offered too, chosen, by its name
    older = client.get("/monitoraggio?periodo=2019-h1").get_data(as_text=True)
    assert '<option value="2019-H1" selected>Primo semestre 2019</option>' in older
    assert "Primo semestre 2019" in older.split('data-testid="report-funnel"')[1]


def test_an_empty_period_says_why(cockpit: Flask) -> None:
    html = login_as(cockpit.test_client(), "coord").get("/monitoraggio?periodo=2026-H2").get_data(as_text=True)
    assert 'data-testid="empty-esf"' in html and "Nessuna scheda di ingresso" in html


def test_the_api_gives_the_same_reports(cockpit: Flask, programme: Engine) -> None:  # noqa: F811
    _, token = programme.accounts.create_token("t", actor=programme.users.get("coord", actor=CLI_OPERATOR))
    auth = {"Authorization": f"Bearer {token}"}
    client = cockpit.test_client()
    body = client.get("/api/v1/reports/funnel?period=2026-H1", headers=auth).get_json()
    imbuto = next(t for t in body["tables"] if t["key"] == "imbuto")
    assert imbuto["rows"][0]["cells"][0] == {"valore": 18, "soppresso": False}
    csv = client.get("/api/v1/reports/esf?period=2026-H1&format=csv", headers=auth)
    assert csv.mimetype == "text/csv" and "EECO01 Partecipanti;Totale;13" in csv.get_data(as_text=True)
    bad = client.get("/api/v1/reports/sla?period=2026-H3", headers=auth)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert "2026-H2" in str(bad.get_json()["errors"])
    cases = client.get("/api/v1/reports/cases?period=2026-H1", headers=auth).get_json()
    assert len(cases["righe"]) == 18
    _, evaluator = programme.accounts.create_token("t", actor=programme.users.get("valut", actor=CLI_OPERATOR))
    assert (
        client.get("/api/v1/reports/wip?period=2026", headers={"Authorization": f"Bearer {evaluator}"}).status_code
        == 403
    )


def test_the_bottleneck_page_and_its_document(cockpit: Flask, programme: Engine) -> None:  # noqa: F811
    client = login_as(cockpit.test_client(), "coord")
    page = client.get("/monitoraggio/colli-di-bottiglia?processo=percorso_prova&periodo=2026-H1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="heat"' in html and row(html, "Task_1") == ["0", "18", "—", "—", "—"]
    assert '<td class="num" data-label="Casi ora">18</td>' in html  # a card on a phone names each figure
    doc = client.get("/monitoraggio/colli-di-bottiglia.json?processo=percorso_prova&periodo=2026-H1").get_json()
    [task] = doc["elements"]
    assert task["id"] == "Task_1" and task["now"] == "18" and len(task["cases"]) == 18 and "<bpmn:" in doc["xml"]
    _, token = programme.accounts.create_token("t", actor=programme.users.get("valut", actor=CLI_OPERATOR))
    api = cockpit.test_client().get(
        "/api/v1/reports/bottlenecks?process=percorso_prova&period=2026-H1",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 200 and api.get_json()["elements"][0]["cases"] == []
    assert client.get("/monitoraggio/colli-di-bottiglia?periodo=2026-H3").status_code == 422


def test_english_mode_says_the_report_tables_are_italian_only(cockpit: Flask) -> None:
    client = login_as(cockpit.test_client(), "coord")
    english = client.get("/monitoraggio?periodo=2026-H1&lang=en").get_data(as_text=True)
    assert 'data-testid="italian-only"' in english and "in Italian only" in english
    italian = client.get("/monitoraggio?periodo=2026-H1&lang=it").get_data(as_text=True)
    assert 'data-testid="italian-only"' not in italian


def test_the_bottleneck_diagram_names_its_lanes_by_role_not_by_code(cockpit: Flask) -> None:
    """The heat map draws the lanes from the document's XML: a coordinator reads "Assistente
    sociale (case manager)" over the lane, never the role's code."""
    client = login_as(cockpit.test_client(), "coord")
    doc = client.get("/monitoraggio/colli-di-bottiglia.json?processo=percorso_prova&periodo=2026-H1").get_json()
    lanes = re.findall(r'<(?:bpmn:)?lane\b[^>]*\bname="([^"]*)"', doc["xml"])
    assert lanes and "assistente_sociale" not in lanes and "Assistente sociale (case manager)" in lanes


def test_a_hidden_percentage_or_number_of_days_is_not_shown_as_under_five(cockpit: Flask) -> None:
    """«< 5» is a count of people; in a column of percentages or days it would read "under 5 %" or
    "under five days". Hidden there, the figure is "n. d." and the page says why."""
    client = login_as(cockpit.test_client(), "coord")
    html = client.get("/monitoraggio?periodo=2026-H1").get_data(as_text=True)
    assert row(html, "presa_in_carico")[5] == "n. d." and row(html, "presa_in_carico")[2] == "&lt; 5"
    assert "non sono mostrati («n. d.») le percentuali e i giorni" in html
    english = client.get("/monitoraggio?periodo=2026-H1&lang=en").get_data(as_text=True)
    assert row(english, "presa_in_carico")[5] == "n/a"


def test_a_row_of_percentages_reads_as_percentages(cockpit: Flask) -> None:
    """The enterprises' table has a row "% di lavoratori svantaggiati" in a column "Numero": its
    figure carries "%", and hidden it is "n. d.", not "< 5"."""
    with cockpit.test_request_context("/"):
        assert cell_text(Cell(37.5), "Numero", "% di lavoratori svantaggiati") == "37,5 %"
        assert cell_text(Cell(None, True), "Numero", "% di lavoratori svantaggiati") == "n. d."
        assert cell_text(Cell(None, True), "Numero", "Lavoratori svantaggiati conteggiati") == "< 5"
        assert cell_text(Cell(12), "Numero", "Imprese costituite") == "12"
