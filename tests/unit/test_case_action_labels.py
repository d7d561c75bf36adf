"""Every case status and event kind has its words in the pages, the audit pages and the PDF
dossier: a person never reads ``suspended`` or ``closed``."""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel

from engine.audit import pdf
from engine.model import CaseStatus, EventKind
from web import audit
from web.i18n import status_label


def test_statuses_and_event_kinds_are_labelled_everywhere() -> None:
    assert {s.value for s in CaseStatus} <= set(pdf.STATUS_LABELS) & set(audit.STATUS_LABELS)
    kinds = {k.value for k in EventKind}
    assert kinds - set(pdf.KIND_LABELS) == set(), "label the new event kind in engine/audit/pdf.py"
    assert kinds - set(audit.KIND_LABELS) == set(), "label the new event kind in web/audit.py"


def test_the_new_statuses_read_in_italian() -> None:
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        assert status_label(CaseStatus.SUSPENDED) == "sospeso"
        assert status_label("closed") == "chiuso d'ufficio"
