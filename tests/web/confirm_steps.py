"""What the web tests check of an irreversible step behind its confirmation box
(``web/templates/_confirm.html``): the step as the page draws it, and a post without the box."""

from __future__ import annotations

from werkzeug.test import TestResponse

UNCONFIRMED = "Conferma l&#39;operazione spuntando la casella."


def confirm_step(page: str, testid: str) -> str:
    """The HTML inside the step's ``<details data-testid=…>``."""
    return page.split(f'data-testid="{testid}"')[1].split("</details>")[0]


def refused_unconfirmed(answer: TestResponse, testid: str) -> str:
    """A post without the box: 422, the message, the step drawn open again; the page's HTML."""
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and UNCONFIRMED in html
    assert f'<details class="confirm-step" open data-testid="{testid}">' in html
    return html
