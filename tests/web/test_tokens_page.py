"""The API tokens page: an empty list says so, and revoking a token (which cannot be undone)
asks for the box the other irreversible steps ask: a post without it revokes nothing."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from engine import Engine
from engine.policy import CLI_OPERATOR
from tests.web.confirm_steps import confirm_step, refused_unconfirmed


def test_no_tokens_yet_says_so(client_for: Callable[[str], FlaskClient]) -> None:
    page = client_for("valutatore").get("/account/tokens").get_data(as_text=True)
    assert 'data-testid="no-tokens"' in page and "Non hai ancora creato token." in page


def test_revoking_a_token_asks_for_a_confirmation(client_for: Callable[[str], FlaskClient], demo: Engine) -> None:
    evaluator = demo.users.get("valutatore", actor=CLI_OPERATOR)
    token_id, token = demo.accounts.create_token("Estrazione per la valutazione", actor=evaluator)
    client = client_for("valutatore")
    page = client.get("/account/tokens").get_data(as_text=True)
    assert 'data-testid="no-tokens"' not in page
    step = confirm_step(page, f"revoke-{token_id}")
    assert "L'operazione non si può annullare" in step and f'id="revoke-{token_id}" name="confirm"' in step

    refused_unconfirmed(client.post(f"/account/tokens/{token_id}/revoke"), f"revoke-{token_id}")
    api = client_for("valutatore").application.test_client()
    assert api.get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    assert client.post(f"/account/tokens/{token_id}/revoke", data={"confirm": "1"}).status_code == 302
    assert api.get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # someone else's token, or none, is not found, box or no box
    assert (
        client_for("coordinatore").post(f"/account/tokens/{token_id}/revoke", data={"confirm": "1"}).status_code == 404
    )
