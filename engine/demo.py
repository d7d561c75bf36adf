"""Demo data for ``make run``: one user per role in a demo territory, the library deployed, an
active partnership and a few cases at different phases. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

from engine.errors import InvalidProcess
from engine.facade import Engine
from engine.model import Actor
from engine.roles import ROLES

TERRITORY = "ATS-Demo"
DEMO_PASSWORD = "demo-impresa"
OPERATOR = Actor("demo-seed", frozenset(ROLES))

# username → (display name, role, territory; "" = every territory)
DEMO_USERS: dict[str, tuple[str, str, str]] = {
    "coordinatore": ("Carla Coordinatrice", "coordinatore", ""),
    "assistente": ("Anna Assistente Sociale", "assistente_sociale", TERRITORY),
    "cpi": ("Paolo Operatore CPI", "operatore_cpi", TERRITORY),
    "equipe": ("Elena Équipe", "equipe_multidisciplinare", TERRITORY),
    "sanitario": ("Sara Referente ASL", "referente_sanitario", TERRITORY),
    "giustizia": ("Giorgio Referente UEPE", "referente_giustizia", TERRITORY),
    "tutor": ("Tommaso Tutor Aziendale", "tutor_aziendale", TERRITORY),
    "partner": ("Piera Referente Ente Partner", "referente_ente_partner", TERRITORY),
    "regia": ("Rita Cabina di Regia", "cabina_di_regia", ""),
    "valutatore": ("Valerio Valutatore", "valutatore", ""),
    "progettista": ("Dario Progettista", "progettista", ""),
    "auditor": ("Aldo Revisore", "auditor", ""),
}


def seed(engine: Engine) -> list[str]:
    """Create what is missing; returns a line per thing created."""
    done: list[str] = []
    existing = {u["username"] for u in engine.list_users()}
    for username, (name, role, territory) in DEMO_USERS.items():
        if username not in existing:
            engine.add_user(username, name, [(role, territory)], DEMO_PASSWORD)
            done.append(f"user {username} ({role})")
    try:
        for view, new in engine.deploy(actor=OPERATOR, note="demo"):
            if new:
                done.append(f"process {view.process_id} v{view.version}")
    except InvalidProcess as err:
        done.append(f"library not deployed: {err.message}")
    return done
