"""The registry in the browser: the coordinator registers organisations and protocols through the
forms (Italian field messages on bad input, 409 on overlaps), signs and activates them, attaches a
document, and sees the network; other roles read without the forms."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from engine.demo import TERRITORY
from engine.model import SYSTEM
from engine.policy import CLI_OPERATOR
from web.i18n import actor_label
from web.registry import EVENT_LABELS

ROOT = Path(__file__).resolve().parents[2]


def test_the_coordinator_keeps_the_registry_through_the_pages(
    demo: Engine, client_for: Callable[[str], FlaskClient]
) -> None:
    client = client_for("coordinatore")
    assert "Rete e protocolli" in client.get("/registry").get_data(as_text=True)
    bad = client.post(
        "/registry/organisations/new",
        data={"code": "cpi x", "name": "", "kind": "", "territories": "", "tax_code": "123"},
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for message in (
        "Codice: maiuscole",
        "Campo obbligatorio.",
        "Indicare almeno un territorio",
        "Codice fiscale non valido",
    ):
        assert message in page
    created = client.post(
        "/registry/organisations/new",
        data={
            "code": "UEPE_MARCHE",
            "name": "UEPE Marche",
            "kind": "giustizia",
            "territories": f"{TERRITORY}, ATS-Due",
            "tax_code": "80003170661",
        },
    )
    assert created.status_code == 302
    shown = client.get("/registry/organisations/UEPE_MARCHE").get_data(as_text=True)
    assert f"{TERRITORY}, ATS-Due" in shown and "Giustizia (UEPE, istituto penitenziario)" in shown
    assert "giustizia<" not in shown  # the code never shows as a label
    assert client.post("/registry/organisations/UEPE_MARCHE/members", data={"username": "giustizia"}).status_code == 302
    assert client.post("/registry/organisations/UEPE_MARCHE/members", data={"username": "nessuno"}).status_code == 422

    form = {
        "organisation": "UEPE_MARCHE",
        "kind": "protocollo_intesa",
        "scope": "Attestazioni per persone in misura alternativa",
        "territory": TERRITORY,
        "starts_on": "2026-01-01",
        "expires_on": "2025-06-30",
        "withdrawal_notice_days": "30",
    }
    wrong = client.post("/registry/protocols/new", data=form)
    assert wrong.status_code == 422 and "La scadenza deve essere successiva all&#39;inizio." in wrong.get_data(
        as_text=True
    )
    made = client.post("/registry/protocols/new", data={**form, "expires_on": "2027-12-31"})
    assert made.status_code == 302
    protocol_url = made.headers["Location"]
    overlap = client.post("/registry/protocols/new", data={**form, "starts_on": "2027-01-01", "expires_on": ""})
    assert overlap.status_code == 409 and "nello stesso periodo" in overlap.get_data(as_text=True)
    page = client.get(protocol_url).get_data(as_text=True)
    assert "Bozza" in page and "Registra la firma" in page
    unsigned = client.post(f"{protocol_url}/sign", data={"number": "Prot. 7/2026", "signed_on": "2025-12-01"})
    assert unsigned.status_code == 422 and "Manca la firma di: UEPE Marche." in unsigned.get_data(as_text=True)
    signed = client.post(
        f"{protocol_url}/sign",
        data={"number": "Prot. 7/2026", "signed_on": "2025-12-01", "signatory_UEPE_MARCHE": "giustizia"},
    )
    assert signed.status_code == 302
    # bringing it into force cannot be undone: without the box ticked nothing happens
    page = client.get(protocol_url).get_data(as_text=True)
    assert 'data-testid="activate-step"' in page and "L'operazione non si può annullare." in page
    unconfirmed = client.post(f"{protocol_url}/activate")
    assert unconfirmed.status_code == 422
    html = unconfirmed.get_data(as_text=True)
    assert "Conferma l&#39;operazione spuntando la casella." in html and 'href="#confirm"' in html
    assert '<details class="confirm-step" open data-testid="activate-step">' in html and "Firmato" in html
    assert client.post(f"{protocol_url}/activate", data={"confirm": "1"}).status_code == 302
    content = b"testo firmato"
    uploaded = client.post(
        f"{protocol_url}/documents",
        data={"document": (io.BytesIO(content), "protocollo.pdf")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    page = client.get(protocol_url).get_data(as_text=True)
    assert "Attivo" in page and hashlib.sha256(content).hexdigest() in page and "01/12/2025" in page
    assert "(UEPE Marche), 01/12/2025" in page and "(UEPE_MARCHE)" not in page  # a signatory's party by name
    assert "Controllo della scadenza" in page and "Recesso di una parte" in page
    # the history's rows become cards on a phone: each line says what it is
    assert '<td data-label="Quando">' in page and '<td data-label="Cosa">' in page
    withdrawal = {"organisation": "UEPE_MARCHE", "effective_on": "2020-01-01"}
    unconfirmed = client.post(f"{protocol_url}/withdraw", data=withdrawal)
    html = unconfirmed.get_data(as_text=True)
    assert unconfirmed.status_code == 422 and "Conferma l&#39;operazione spuntando la casella." in html
    assert 'value="2020-01-01"' in html  # what was typed stays in the form
    refused = client.post(f"{protocol_url}/withdraw", data={**withdrawal, "confirm": "1"})
    assert refused.status_code == 422 and "La data di effetto non può essere passata." in refused.get_data(as_text=True)
    network = client.get("/registry/network").get_data(as_text=True)
    assert "UEPE Marche" in network and "Prot. 7/2026" in network and "31/12/2027" in network
    assert 'data-testid="network-graph"' in network and "Territorio ATS-Demo" in network

    # in English the kinds, statuses and the protocol's history read in English (the catalogue)
    english = client.get(f"{protocol_url}?lang=en").get_data(as_text=True)
    assert "Memorandum of understanding" in english and "Active" in english
    assert "Signature recorded" in english and "Status change: Signed → Active" in english
    assert "Protocollo d&#39;intesa" not in english and "Firma registrata" not in english
    listed = client.get("/registry/organisations/UEPE_MARCHE?lang=en").get_data(as_text=True)
    assert "Justice (probation office, prison)" in listed
    assert "Expiring" in client.get("/registry?lang=en").get_data(as_text=True)  # the status filter


def test_other_roles_read_the_registry_without_its_forms(
    demo: Engine, client_for: Callable[[str], FlaskClient]
) -> None:
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    demo.registry.add_organisation("COOP_P", "Coop Il Ponte", "terzo_settore", TERRITORY, actor=coordinator)
    partner = client_for("partner")
    page = partner.get("/registry").get_data(as_text=True)
    assert "Coop Il Ponte" in page and "Registra un&#39;organizzazione" not in page
    assert partner.get("/registry/organisations/new").status_code == 403
    assert client_for("progettista").get("/registry").status_code == 403


def test_a_partner_sees_its_own_commitments_on_one_page(demo: Engine, client_for: Callable[[str], FlaskClient]) -> None:
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    demo.registry.add_organisation("COOP_MIA", "Coop Mia", "terzo_settore", TERRITORY, actor=coordinator)
    demo.registry.add_organisation("COOP_ALTRA", "Coop Altra", "terzo_settore", TERRITORY, actor=coordinator)
    demo.registry.add_member("COOP_MIA", "partner", actor=coordinator)
    demo.registry.add_protocol("COOP_MIA", "convenzione", "Tirocini della Coop Mia", "2026-01-01", actor=coordinator)
    demo.registry.add_protocol(
        "COOP_ALTRA", "convenzione", "Tirocini della Coop Altra", "2026-01-01", actor=coordinator
    )
    page = client_for("partner").get("/registry/mine").get_data(as_text=True)
    assert 'data-testid="commitment-COOP_MIA"' in page and "Tirocini della Coop Mia" in page
    assert "Coop Altra" not in page and "Tirocini della Coop Altra" not in page
    empty = client_for("assistente").get("/registry/mine").get_data(as_text=True)
    assert "Non risulti tra le persone di alcuna organizzazione del registro." in empty


def test_f1_partner_codes_are_suggested_from_the_registry(
    demo: Engine, client_for: Callable[[str], FlaskClient]
) -> None:
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    demo.registry.add_organisation("CPI_SUGGERITO", "CPI Suggerito", "centro_impiego", TERRITORY, actor=coordinator)
    demo.registry.add_organisation("ALTROVE_X", "Altrove", "centro_impiego", "ATS-Altrove", actor=coordinator)
    case = demo.cases.start("accordo_partenariato", {"territorio": TERRITORY}, actor=coordinator)
    [task] = [t for t in case.open_tasks if t.bpmn_id == "UT_analisi_contesto"]
    page = client_for("coordinatore").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert (
        '<datalist id="registry-organisations"><option value="CPI_SUGGERITO">CPI Suggerito</option></datalist>' in page
    )
    assert 'list="registry-organisations"' in page and "ALTROVE_X" not in page


def test_an_organisations_log_says_who_changed_what_in_italian(
    demo: Engine, client_for: Callable[[str], FlaskClient]
) -> None:
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    demo.registry.add_organisation("COOP_LOG", "Coop Log", "terzo_settore", TERRITORY, actor=coordinator)
    demo.registry.update_organisation(
        "COOP_LOG", "Coop Log Sociale", "terzo_settore", [TERRITORY, "ATS-Altrove"], actor=coordinator
    )
    demo.registry.add_member("COOP_LOG", "partner", actor=coordinator, position="Presidente")
    client = client_for("partner")  # a reader of the registry, not its keeper
    page = client.get("/registry/organisations/COOP_LOG").get_data(as_text=True)
    assert "/registry/organisations/COOP_LOG/history" in page
    response = client.get("/registry/organisations/COOP_LOG/history")
    log = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in (
        "Organizzazione registrata",
        "Organizzazione modificata",
        "Membro aggiunto",
        "Denominazione: Coop Log Sociale",
        "Territori serviti: ATS-Demo, ATS-Altrove",
        "Ruolo nell&#39;organizzazione: Presidente",
        "coordinatore",
    ):
        assert text in log, text
    assert "terzo_settore" not in log and "organisation_added" not in log  # codes never show
    assert "Tipo: " in log
    assert client.get("/registry/organisations/NESSUNA/history").status_code == 404


def test_every_registry_event_the_engine_logs_has_its_words(app: Flask) -> None:
    """A protocol's "Cronologia" names each entry ("Registrato dall'accordo di partenariato del
    territorio"), never an empty "Cosa"; the engine's own process actor reads "Sistema (dal
    processo)", not ``system``. The kinds are those the engine's sources write to the registry log."""
    logged = set()
    for source in (ROOT / "engine").rglob("*.py"):
        logged |= set(re.findall(r'registry\.log\(\s*[^,()]+,\s*[^,()]+,\s*"([a-z_]+)"', source.read_text()))
    assert "protocol_from_partnership" in logged
    assert sorted(logged - set(EVENT_LABELS)) == []
    with app.test_request_context("/"):
        assert actor_label(SYSTEM.username) == "Sistema (dal processo)"
