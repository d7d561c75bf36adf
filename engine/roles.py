"""The programme's actor roles: the codes diagrams use as lane names, with their UI labels.

A lane's *name* in a diagram is one of these codes; the engine matches it against the roles an
actor holds. Labels are Italian first (docs/domain.md, "Roles"), English second.
"""

from __future__ import annotations

ROLES: dict[str, tuple[str, str]] = {
    "coordinatore": ("Coordinatore (ente capofila)", "Coordinator (lead partner)"),
    "assistente_sociale": ("Assistente sociale (case manager)", "Social worker (case manager)"),
    "operatore_cpi": ("Operatore Centro per l'Impiego", "Job-centre officer"),
    "equipe_multidisciplinare": ("Équipe multidisciplinare", "Multidisciplinary team"),
    "referente_sanitario": ("Referente ASL (DSM/SerD)", "Health-service referent"),
    "referente_giustizia": ("Referente UEPE / istituto", "Justice-service referent"),
    "tutor_aziendale": ("Tutor aziendale / mentor", "Company tutor / mentor"),
    "referente_ente_partner": ("Referente ente partner", "Partner institution referent"),
    "job_coach": ("Job coach (ente del Terzo settore)", "Job coach (third-sector body)"),
    "cabina_di_regia": ("Cabina di regia", "Steering committee"),
    "valutatore": ("Valutatore", "Evaluator"),
    "progettista": ("Progettista dei processi", "Process designer"),
    "auditor": ("Revisore", "Auditor"),
    "amministratore": ("Amministratore di sistema", "System administrator"),
}

# Roles that act on human tasks of the lifecycle diagrams (lanes); the rest are staff roles.
LANE_ROLES = frozenset(ROLES) - {"progettista", "auditor", "amministratore"}
