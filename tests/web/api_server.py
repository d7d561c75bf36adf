"""Serve the real app for an external API check (``.ci/run``'s schemathesis run).

``python -m tests.web.api_server --port 5099 --token-file /tmp/token`` builds a fresh SQLite
database in a temporary folder, seeds the demo users, the process library, an active
partnership and one beneficiary case, writes a coordinator's API token to ``--token-file`` and
serves on 127.0.0.1 until stopped.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from werkzeug.serving import make_server

from engine import Settings, build_engine, create_schema
from engine.demo import DEMO_USERS, OPERATOR, TERRITORY
from web import create_app

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token-file", type=Path, required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="impresa-api-") as folder:
        engine = build_engine(Settings(database_url=f"sqlite:///{folder}/api.db", processes_dir=ROOT / "processes"))
        create_schema(engine)
        for username, (name, role, territory) in DEMO_USERS.items():
            engine.users.add(username, name, [(role, territory)])
        engine.design.deploy(actor=OPERATOR, note="api check")
        coordinator = engine.users.get("coordinatore")
        engine.registry.set_partnership(TERRITORY, True, actor=coordinator)
        engine.cases.start(
            "percorso_beneficiario",
            {"territorio": TERRITORY, "beneficiario_pseudonimo": "BEN-API"},
            actor=engine.users.get("assistente"),
        )
        # Low token ids belong to other users, so a generated DELETE /tokens/{id} cannot revoke
        # the token the run itself uses.
        for other in ("auditor", "valutatore", "regia", "partner", "tutor"):
            engine.accounts.create_token("decoy", actor=engine.users.get(other))
        _, token = engine.accounts.create_token("schemathesis", actor=coordinator)
        args.token_file.write_text(token)
        app = create_app(engine, {"SECRET_KEY": "api-check", "RATELIMIT_ENABLED": False})
        server = make_server("127.0.0.1", args.port, app, threaded=True)
        print(f"serving on http://127.0.0.1:{args.port}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            engine.close()


if __name__ == "__main__":
    main()
