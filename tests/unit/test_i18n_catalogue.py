"""The English catalogue keeps up with the sources: every message the pages and the code mark for
translation, extracted now with the project's own command (see ``web/babel.cfg``), has an English
translation in ``messages.po`` (not empty, not fuzzy), the compiled ``messages.mo`` the app reads
says the same, and each translation keeps the message's placeholders.

Comparing with the committed ``messages.pot`` is not enough: a string added to a template without
re-extracting is in neither file, and the English page silently shows it in Italian."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = ROOT / "web" / "translations" / "en" / "LC_MESSAGES"

# ``%(name)s`` for gettext's own filling in, ``{name}`` for strings that scripts fill in.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|\{\w+\}")


def extract(into: Path) -> Catalog:
    """The messages in the sources as they are now, with the options ``web/babel.cfg`` documents."""
    pot = into / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "-F",
            str(ROOT / "web" / "babel.cfg"),
            "-k",
            "_",
            "-k",
            "_l",
            "-k",
            "N_",
            "--no-location",
            "--sort-output",
            "-o",
            str(pot),
            str(ROOT),
        ]
    )
    with pot.open("rb") as f:
        return read_po(f)


def translated(message: Message | None) -> bool:
    if message is None or message.fuzzy or not message.string:
        return False
    return all(message.string) if isinstance(message.string, (tuple, list)) else True


def as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def placeholders(text: str | tuple[str, ...] | list[str]) -> Counter[str]:
    texts = [text] if isinstance(text, str) else list(text)
    return Counter(p for t in texts for p in PLACEHOLDER.findall(t))


def test_every_message_in_the_sources_has_its_english_translation(tmp_path: Path) -> None:
    ids = {m.id for m in extract(tmp_path) if m.id}
    assert len(ids) > 500, "the extraction found too few messages: is web/babel.cfg still right?"
    with (ENGLISH / "messages.po").open("rb") as f:
        english = {m.id: m for m in read_po(f) if m.id}
    with (ENGLISH / "messages.mo").open("rb") as f:
        # a plural message (ngettext) is a list in the .mo, a tuple in the .po
        compiled = {as_tuple(m.id): as_tuple(m.string) for m in read_mo(f) if m.id}

    missing = sorted(map(str, (i for i in ids if not translated(english.get(i)))))
    assert not missing, (
        "untranslated in web/translations/en/LC_MESSAGES/messages.po: extract, update and translate "
        f"as web/babel.cfg says: {missing}"
    )
    stale = sorted(map(str, (i for i in ids if compiled.get(i) != as_tuple(english[i].string))))
    assert not stale, f"messages.mo is behind messages.po: pybabel compile -d web/translations: {stale}"
    changed = {str(i): english[i].string for i in ids if placeholders(i) != placeholders(english[i].string)}
    assert not changed, f"these translations lose or add placeholders: {changed}"
