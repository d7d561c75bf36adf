"""API resource ``/processes``: the deployed library (latest versions) and a version's XML."""

from __future__ import annotations

import dataclasses
from typing import Any

from werkzeug.exceptions import NotFound

from engine.model import ProcessVersionView
from web import security
from web.api.auth import api_actor, check_process_id, requires
from web.api.common import Blueprint, problems
from web.api.schemas import ProcessDetailSchema, ProcessQuerySchema, ProcessSchema


def blueprint(prefix: str) -> Blueprint:
    blp = Blueprint("api_processes", __name__, url_prefix=f"{prefix}/processes", description="Process library")

    @blp.route("", methods=["GET"])
    @requires("processes")
    @blp.response(200, ProcessSchema(many=True))
    @problems(blp, 403)
    def list_processes() -> list[ProcessVersionView]:
        """The latest version of every deployed process."""
        return security.engine().design.processes(actor=api_actor())

    @blp.route("/<process_id>", methods=["GET"])
    @requires("processes")
    @blp.arguments(ProcessQuerySchema, location="query")
    @blp.response(200, ProcessDetailSchema)
    @problems(blp, 403, 404, 422)
    def show_process(args: dict[str, Any], process_id: str) -> dict[str, Any]:
        """A process version (default: latest) with the BPMN/DMN XML of its closure."""
        eng = security.engine()
        check_process_id(process_id)
        latest = next((p for p in eng.design.processes(actor=api_actor()) if p.process_id == process_id), None)
        if latest is None:
            raise NotFound(f"Process {process_id!r} not found.")
        xml = eng.design.xml(process_id, args.get("version"), actor=api_actor())
        version = args.get("version") or latest.version
        return dataclasses.asdict(latest) | {"version": version, "xml": xml, "files": sorted(xml)}

    return blp
