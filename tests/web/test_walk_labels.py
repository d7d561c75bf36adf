"""What a first walk through the demo found on the pages, kept fixed: every case status in the
case list's filter reads in words, and the engine's own actors (the demo seed, the scheduler, the
console) are named in words, never by their ``sistema:…`` code."""

from __future__ import annotations

import re

from flask import Flask

from engine import Engine
from engine.demo import TERRITORY
from engine.policy import DEMO
from tests.web.conftest import login_as


def visible(html: str) -> str:
    """The page's text as read, without tags or attribute values (an option's value is a code)."""
    return re.sub(r"<[^>]*>", " ", html)


def test_case_list_filter_names_every_status_in_words(app: Flask) -> None:
    page = login_as(app.test_client(), "coordinatore").get("/cases").get_data(as_text=True)
    for words in ("in corso", "concluso", "annullato", "sospeso", "chiuso d&#39;ufficio"):
        assert f">{words}</option>" in page
    for code in ("running", "suspended", "closed", "cancelled"):
        assert f">{code}</option>" not in page


def test_system_actors_are_named_in_words(app: Flask, demo: Engine) -> None:
    case = demo.cases.start(
        "percorso_beneficiario", {"territorio": TERRITORY, "beneficiario_pseudonimo": "BEN-SEED"}, actor=DEMO
    )
    client = login_as(app.test_client(), "coordinatore")
    for url in (f"/cases/{case.id}", f"/cases/{case.id}/timeline", "/design"):
        page = visible(client.get(url).get_data(as_text=True))
        assert "Sistema (dati dimostrativi)" in page, url
        assert "sistema:demo" not in page, url
    english = client.get(f"/cases/{case.id}?lang=en").get_data(as_text=True)
    assert "System (demo data)" in english and "sistema:demo" not in english
