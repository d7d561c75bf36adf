"""Impresa per Noi case engine: BPMN cases on SpiffWorkflow, persisted with SQLAlchemy.

Public surface for web/, the CLI and tests: ``build_engine``, ``Engine``, ``Settings``,
``Actor`` and the error tree in ``engine.errors``. Knows nothing of Flask.
"""

from engine.bootstrap import build_engine, create_schema
from engine.config import Settings
from engine.facade import Engine
from engine.model import Actor, CaseStatus, TaskStatus

__all__ = ["Actor", "CaseStatus", "Engine", "Settings", "TaskStatus", "build_engine", "create_schema"]
