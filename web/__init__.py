"""Flask layer: translates HTTP to engine calls and back; no business logic lives here.

``create_app`` builds the app around one ``Engine``. Until the inbox issue lands this serves a
status page (Italian first) listing the deployed processes and the open work per role.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template_string

from engine import Engine, build_engine
from engine.cli import OPERATOR
from engine.roles import ROLES

PAGE = """<!doctype html>
<html lang="it"><head><meta charset="utf-8"><title>Impresa per Noi – motore dei casi</title></head>
<body>
<h1>Impresa per Noi – la Cultura dell'Intraprendere</h1>
<p>Motore dei percorsi: partenariato → valutazione → progettazione → attuazione → monitoraggio.</p>
<h2>Processi pubblicati</h2>
<table border="1" cellpadding="4"><tr><th>Processo</th><th>Versione</th><th>Pubblicato il</th></tr>
{% for p in processes %}<tr><td>{{ p.process_id }}</td><td>{{ p.version }}</td>
<td>{{ p.deployed_at.strftime('%d/%m/%Y %H:%M') }}</td></tr>{% endfor %}
</table>
<h2>Attività aperte per ruolo</h2>
<table border="1" cellpadding="4"><tr><th>Ruolo</th><th>Attività</th></tr>
{% for role, label, count in roles %}<tr><td>{{ label }}</td><td>{{ count }}</td></tr>{% endfor %}
</table>
</body></html>"""


def create_app(engine: Engine | None = None, config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(config or {})
    app.extensions["engine"] = engine or build_engine()

    @app.get("/")
    def index() -> str:
        eng: Engine = app.extensions["engine"]
        tasks = eng.list_tasks(OPERATOR, limit=10_000)
        counts = {r: sum(1 for t in tasks if t.role == r) for r in ROLES}
        roles = [(r, ROLES[r][0], counts[r]) for r in ROLES if counts[r]]
        return render_template_string(PAGE, processes=eng.list_processes(), roles=roles)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
