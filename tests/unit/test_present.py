"""The presenter (forms.present) and the option labels it relies on: every option of every form
has an Italian label, the vocabularies of computed values have Italian and English labels, and
values come out in Italian formats (dates, local times with the zone, money, percentages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import Schema, fields, validate

from forms import FORMS, present
from forms.labels_en import OPTION_LABELS_EN
from forms.variables import CODES, VARIABLES


def _options(schema: Schema, where: str) -> list[tuple[str, str, str, str]]:
    """(form.field, code, Italian label) of every enumerated option, nested forms included."""
    found = []
    for name, f in schema.fields.items():
        inner = f.inner if isinstance(f, fields.List) else f
        if isinstance(inner, fields.Nested) and isinstance(inner.schema, Schema):
            found += _options(inner.schema, f"{where}.{name}")
            continue
        for v in inner.validators:
            if isinstance(v, validate.OneOf):
                labels = list(v.labels) if v.labels else [""] * len(v.choices)
                found += [(f"{where}.{name}", str(c), str(lab), "") for c, lab in zip(v.choices, labels, strict=False)]
    return found


def test_every_form_option_has_an_italian_label() -> None:
    missing = []
    for key, schema in sorted(FORMS.items()):
        for where, code, label, _ in _options(schema(), key):
            # a label equal to its code is a code shown to people, unless it is a word or acronym
            if not label.strip() or (label == code and "_" in code):
                missing.append(f"{where}: {code}")
    assert missing == [], "give these options an Italian label (OneOf labels)"


def test_every_form_option_has_an_english_label() -> None:
    missing = sorted(
        {f"{where}: {label}" for key, schema in FORMS.items() for where, _, label, _ in _options(schema(), key)}
        - {
            f"{where}: {label}"
            for key, schema in FORMS.items()
            for where, _, label, _ in _options(schema(), key)
            if label in OPTION_LABELS_EN
        }
    )
    assert missing == [], "add their English labels to forms/labels_en.py"
    assert present.row("urgenza", "URGENTE", "en").text == "Urgent"


def test_vocabularies_of_computed_values_are_labelled_in_italian_and_english() -> None:
    assert all(it and en for it, en in CODES.values())
    for name, spec in VARIABLES.items():
        assert spec["label"] and spec["label_en"], name
        for code in spec.get("codes", ()):
            assert code in CODES, f"{name}: {code} has no label"


def test_formats_are_italian() -> None:
    assert present.format_money(3600.5).replace("\xa0", " ") == "€ 3.600,50"
    assert present.format_percent(45).replace("\xa0", " ") == "45 %"
    assert present.format_day("2026-01-05") == "05/01/2026"
    # instants in Europe/Rome time, with the zone named (winter and summer time)
    assert present.format_instant("2026-01-05T09:00:00+00:00") == "05/01/2026 10:00 CET"
    assert present.format_instant(dt.datetime(2026, 7, 5, 9, 0, 30, 123456, tzinfo=dt.UTC)) == "05/07/2026 11:00 CEST"
    assert present.show(True) == "Sì" and present.show(False, lang="en") == "No"
    assert present.format_instant("2026-01-05T09:00:00+00:00", "en") == "05/01/2026 10:00 CET"


def test_rows_label_fields_and_options() -> None:
    budget = present.row("budget_euro", 3600.5)
    assert budget.label == "Budget (€)" and budget.text.replace("\xa0", " ") == "€ 3.600,50"
    assert present.row("motivo_invio", "RICERCA_LAVORO").text == "Ricerca di lavoro"
    assert present.row("esito_proposto", "IDONEO_LAVORO", "en").text == "Eligible – job placement"
    dims = present.row("dimensioni_critiche", ["ABITAZIONE", "REDDITO"])
    assert dims.lines == ("Abitazione", "Reddito")
    history = present.row(
        "storico_stati", [{"stato": "SEGNALATO", "data": "2026-01-05T09:00:00+00:00", "motivo": "SEGNALAZIONE"}]
    )
    [record] = history.records
    assert [(r.label, r.text) for r in record] == [
        ("Stato", "Segnalato"),
        ("Dal", "05/01/2026 10:00 CET"),
        ("Motivo", "Segnalazione ricevuta"),
    ]
    # nobody labelled it: words, not a code
    assert present.option_label("QUALCOSA_DI_NUOVO") == "Qualcosa di nuovo"
    assert present.field_label("campo_sconosciuto") == "Campo sconosciuto"


def test_groups_by_phase_and_form_newest_first_internal_hidden() -> None:
    data: dict[str, Any] = {
        "beneficiario_pseudonimo": "BEN-1",
        "round_rivalutazione": 0,  # bookkeeping of the diagram: never shown
        "data_segnalazione": "2026-01-10",
        "motivo_invio": "RICERCA_LAVORO",
        "esito_proposto": "IDONEO_LAVORO",
        "budget_euro": 100.0,
        # shared by the F1 context analysis and the F2 preliminary analysis: the F2 form wrote it
        "data_analisi": "2026-01-20",
        "eta": 35,
        "minore_in_difficolta_familiare": False,
    }
    groups = present.groups(data, process="progettazione")
    assert [g.phase for g in groups] == ["", "F3", "F2"]
    assert [g.current for g in groups] == [True, True, False]
    keys = {r.key for g in groups for s in g.sections for r in s.rows}
    assert "round_rivalutazione" not in keys
    f2 = groups[2]
    titles = [s.title for s in f2.sections]
    assert titles[-1] == "Registrati dal percorso"  # computed values after the forms
    assert any("data_analisi" in {r.key for r in s.rows} for s in f2.sections)


def test_submissions_name_the_form_that_wrote_each_field() -> None:
    f2 = {name: None for name in FORMS["f2_analisi_preliminare"]().fields}
    assert present.sources([f2])["data_analisi"] == "f2_analisi_preliminare"


ENGLISH = ("Not a valid", "Longer than", "Shorter than", "Must be", "Missing data", "Unknown field", "Length must")
ENGLISH += (
    "Field may not",
    "Invalid value",
    "Invalid type",
    "Invalid input",
    "String does not",
    "greater than",
    "less than",
    "cannot be formatted",
)
BAD_VALUES: tuple[Any, ...] = ("x", "3000-13-45", "", "Z" * 20_000, -(10**12), 10**12, 1.5, True, None, [1], {"a": 1})


def _messages(errors: Any) -> list[str]:
    if isinstance(errors, dict):
        return [m for v in errors.values() for m in _messages(v)]
    if isinstance(errors, list):
        return [m for v in errors for m in _messages(v)]
    return [str(errors)]


def test_validation_messages_are_italian() -> None:
    """Every field of every form, fed values of the wrong type, size or range (and unknown fields,
    lists with bad items): marshmallow's English defaults never reach the user."""
    english = set()
    for key, cls in sorted(FORMS.items()):
        schema = cls()
        for name, f in schema.fields.items():
            values = list(BAD_VALUES)
            if isinstance(f, fields.List):
                values += [["x"], [{"z": 1}], ["Z" * 5000], [-(10**12)]]
            for value in values:
                errors = schema.validate({name: value, "campo_inventato": 1})
                english |= {f"{key}.{name}: {m}" for m in _messages(errors) if any(w in m for w in ENGLISH)}
    assert sorted(english)[:20] == []


def test_every_lint_and_decision_check_has_an_italian_text() -> None:
    """The codes the engine's checks give their problems all have an Italian sentence."""
    import re
    from pathlib import Path

    from web.problems import ITALIAN

    root = Path(__file__).resolve().parents[2] / "engine" / "bpmn"
    source = "".join(p.read_text(encoding="utf-8") for p in root.glob("*.py"))
    codes = set(re.findall(r'"((?:bpmn|dmn)\.[a-z_]+)"', source))
    assert codes and codes <= set(ITALIAN), sorted(codes - set(ITALIAN))


def test_instructions_name_no_variable_parameter_or_project_document() -> None:
    rt = present.readable_text
    assert rt("Si chiude per abbandono (docs/domain.md, phase F4). Segue la scheda di uscita.") == (
        "Si chiude per abbandono. Segue la scheda di uscita."
    )
    # older deployed versions name sections of documents outside the project
    assert rt("Micro-dati obbligatori prima della prima attività (NOTES §n, §m).") == (
        "Micro-dati obbligatori prima della prima attività."
    )
    assert rt("Attività multi-istanza: la variabile partner_corrente contiene l'ente.") == ""
    assert rt("Riferisce al magistrato entro giorni_consegna_relazione_uepe giorni.") == (
        "Riferisce al magistrato entro il termine previsto."
    )
    assert rt("La proposta (esito_proposto, motivazione_proposta) va confermata (GDPR art. 22).") == (
        "La proposta (Esito proposto, Motivazione della proposta) va confermata (GDPR art. 22)."
    )
    assert "`" not in rt("Produce l'elenco `partner`.")
