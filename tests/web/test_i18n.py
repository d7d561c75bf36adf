"""Italian first, English on request: ?lang=en switches and the session keeps it; the English
catalog translates every message and its compiled .mo matches the .po."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask

from tests.web.conftest import login_as, open_task, start_case

TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations"


def test_italian_by_default_english_on_request_and_kept(app: Flask) -> None:
    client = login_as(app.test_client(), "assistente")
    it = client.get("/inbox").get_data(as_text=True)
    assert '<html lang="it">' in it and "Le mie attività" in it and "Assistente sociale (case manager)" in it
    en = client.get("/inbox?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en and "My tasks" in en and "Social worker (case manager)" in en
    assert "My tasks" in client.get("/inbox").get_data(as_text=True)  # kept in the session
    assert "Le mie attività" in client.get("/inbox?lang=it").get_data(as_text=True)
    assert "Le mie attività" in client.get("/inbox?lang=xx").get_data(as_text=True)


def test_form_labels_follow_the_language(app: Flask) -> None:
    engine = app.extensions["engine"]
    task = open_task(engine, start_case(engine).id)
    client = login_as(app.test_client(), "coordinatore")
    assert "Data della segnalazione" in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Referral date" in client.get(f"/tasks/{task.id}?lang=en").get_data(as_text=True)


def as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def test_english_catalog_is_complete_and_compiled() -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        template = read_po(f)
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        english = read_po(f)
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        compiled = read_mo(f)
    ids = {m.id for m in template if m.id}
    translated = {m.id: m.string for m in english if m.id}
    assert ids <= set(translated), sorted(ids - set(translated))
    assert all(translated[i] for i in ids), [i for i in ids if not translated[i]]
    # a plural message (ngettext) is a list in the .mo, a tuple in the .po
    assert {as_tuple(m.id): as_tuple(m.string) for m in compiled if m.id} == {k: v for k, v in translated.items() if v}
