"""Serve the real app for an external API check (``.ci/run``'s schemathesis run).

``python -m tests.web.api_server --port 5099 --token-file /tmp/token --folder DIR`` builds a
fresh SQLite database in ``DIR``, seeds the demo users, the process library, an active
partnership and one beneficiary case, writes a coordinator's API token to ``--token-file``, then
becomes ``impresa serve`` (gunicorn, two workers: the production server) on 127.0.0.1 until
stopped (SIGTERM).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from engine import Settings, build_engine, create_schema
from engine.demo import DEMO_USERS, OPERATOR, TERRITORY
from engine.policy import CLI_OPERATOR

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token-file", type=Path, required=True)
    parser.add_argument("--folder", type=Path, required=True)
    args = parser.parse_args()
    url = f"sqlite:///{args.folder}/api.db"
    engine = build_engine(Settings(database_url=url, processes_dir=ROOT / "processes", instance_dir=args.folder))
    create_schema(engine)
    for username, (name, role, territory) in DEMO_USERS.items():
        engine.users.add(username, name, [(role, territory)], actor=CLI_OPERATOR)
    engine.design.deploy(actor=OPERATOR, note="api check")
    coordinator = engine.users.get("coordinatore", actor=CLI_OPERATOR)
    engine.registry.set_partnership(TERRITORY, True, actor=coordinator)
    engine.cases.start(
        "percorso_beneficiario",
        {"territorio": TERRITORY, "beneficiario_pseudonimo": "BEN-API"},
        actor=engine.users.get("assistente", actor=CLI_OPERATOR),
    )
    # Low token ids belong to other users, so a generated DELETE /tokens/{id} cannot revoke
    # the token the run itself uses.
    for other in ("auditor", "valutatore", "regia", "partner", "tutor"):
        engine.accounts.create_token("decoy", actor=engine.users.get(other, actor=CLI_OPERATOR))
    _, token = engine.accounts.create_token("schemathesis", actor=coordinator)
    args.token_file.write_text(token)
    engine.close()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "IMPRESA_INSTANCE_DIR": str(args.folder),
        "IMPRESA_PROCESSES_DIR": str(ROOT / "processes"),
        "SECRET_KEY": "api-check",
    }
    impresa = str(Path(sys.executable).with_name("impresa"))
    print(f"serving on http://127.0.0.1:{args.port}", flush=True)
    os.execve(impresa, [impresa, "serve", "--bind", f"127.0.0.1:{args.port}", "--workers", "2"], env)


if __name__ == "__main__":
    main()
