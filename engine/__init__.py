"""Impresa per Noi case engine: BPMN cases on SpiffWorkflow, persisted with SQLAlchemy.

Public surface for web/, the CLI and tests: ``build_engine``, ``Engine`` (its area objects:
``engine.cases``, ``engine.tasks`` …), ``Settings``, the values of ``engine.model`` and the error
tree in ``engine.errors``. Knows nothing of Flask.
"""

from engine.application import Engine
from engine.bootstrap import build_engine, create_schema
from engine.config import Settings
from engine.model import Actor, CaseStatus, TaskStatus
from engine.roles import LANE_ROLES, ROLES
from engine.teams import RELATIONS

__all__ = [
    "LANE_ROLES",
    "RELATIONS",
    "ROLES",
    "Actor",
    "CaseStatus",
    "Engine",
    "Settings",
    "TaskStatus",
    "build_engine",
    "create_schema",
]
