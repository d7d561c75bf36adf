"""API resource ``/cases``: list with filters, start, show (data filtered by role, access
logged by the engine) and history."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from engine import CaseStatus, errors
from engine.model import CaseEvent, CaseOutlook, CaseView
from web import security
from web.api.audit import PDF
from web.api.auth import api_actor, requires
from web.api.common import Blueprint, problems
from web.api.schemas import (
    CancellationSchema,
    CaseQuerySchema,
    CaseSchema,
    CaseStartedSchema,
    CaseStartSchema,
    CaseSummarySchema,
    EventSchema,
    HealthAlertSchema,
    OutlookSchema,
    ReasonSchema,
    WithdrawalSchema,
)
from web.errors import ensure_id

# The engine's field names of the health alert (the form's) → the API's.
ALERT_FIELDS = {"tipo_allerta": "kind", "descrizione_allerta": "description", "data_allerta": "date"}


def blueprint(prefix: str) -> Blueprint:
    blp = Blueprint(
        "api_cases", __name__, url_prefix=f"{prefix}/cases", description="Cases (one per beneficiary or territory)"
    )

    @blp.route("", methods=["GET"])
    @requires("cases")
    @blp.arguments(CaseQuerySchema, location="query")
    @blp.response(200, CaseSummarySchema(many=True))
    @problems(blp, 403, 422)
    def list_cases(args: dict[str, Any]) -> list[CaseView]:
        """Cases the caller may see, newest first (no personal data beyond the title)."""
        return security.engine().cases.list(
            status=CaseStatus(args["status"]) if args.get("status") else None,
            process_id=args.get("process_id"),
            territory=args.get("territory"),
            phase=args.get("phase"),
            title=args.get("title"),
            limit=args["limit"],
            offset=args["offset"],
            actor=api_actor(),
        )

    @blp.route("", methods=["POST"])
    @requires("start")
    @blp.arguments(CaseStartSchema)
    @blp.response(201, CaseStartedSchema)
    @problems(blp, 400, 403, 404, 409, 422)
    def start_case(args: dict[str, Any]) -> CaseView:
        """Start a case of an entry process (beneficiary paths need an active partnership: 409; a
        phase another process calls, a case opened with its own record, or a beneficiary path
        without ``beneficiario_pseudonimo`` in ``data``: 422 with the field's Italian message)."""
        return security.engine().cases.start(
            args["process_id"], args["data"], actor=api_actor(), territory=args.get("territory")
        )

    @blp.route("/<int:case_id>", methods=["GET"])
    @requires("cases")
    @blp.response(200, CaseSchema)
    @problems(blp, 403, 404)
    def show_case(case_id: int) -> CaseView:
        """A case with the data the caller's roles may see, its open tasks and withheld fields."""
        ensure_id(case_id)
        return security.engine().cases.get(
            case_id, purpose="consultazione caso (API)", ip=security.client_ip(), actor=api_actor()
        )

    @blp.route("/<int:case_id>/history", methods=["GET"])
    @requires("cases")
    @blp.response(200, EventSchema(many=True))
    @problems(blp, 403, 404)
    def case_history(case_id: int) -> list[CaseEvent]:
        """The case's audit trail, oldest first (personal data filtered by role)."""
        ensure_id(case_id)
        return security.engine().cases.history(
            case_id, purpose="cronologia caso (API)", ip=security.client_ip(), actor=api_actor()
        )

    @blp.route("/<int:case_id>/outlook", methods=["GET"])
    @requires("cases")
    @blp.response(200, OutlookSchema)
    @problems(blp, 403, 404)
    def case_outlook(case_id: int) -> CaseOutlook:
        """What happens next: open tasks, the timers (with due time) and messages the case waits
        for, and the case actions open to the caller."""
        ensure_id(case_id)
        return security.engine().cases.outlook(case_id, actor=api_actor())

    @blp.route("/<int:case_id>/relazione.pdf", methods=["GET"])
    @requires("monitoring_documents")
    @blp.response(200, PDF, content_type="application/pdf", description="The approved report (attachment)")
    @problems(blp, 403, 404, 409)
    def semester_report_pdf(case_id: int) -> Response:
        """The approved semester monitoring report or programme evaluation (``relazione_semestrale``,
        ``valutazione_programma``) as archived: rendered again from the case data and checked
        against the hash recorded at approval (404 before the approval, 409 if the data changed
        since); for the roles that read the programme's documents, the valutatore included;
        logged in the access log."""
        ensure_id(case_id)
        file = security.engine().reports.semester_report_pdf(case_id, actor=api_actor(), ip=security.client_ip())
        response = Response(file.body, mimetype=file.media_type)
        response.headers["Content-Disposition"] = f'attachment; filename="{file.name}"'
        return response

    @blp.route("/<int:case_id>/withdrawal", methods=["POST"])
    @requires("case_actions")
    @blp.arguments(WithdrawalSchema)
    @blp.response(200, CaseSummarySchema)
    @problems(blp, 403, 404, 409, 422)
    def withdraw(args: dict[str, Any], case_id: int) -> CaseView:
        """Record the person's withdrawal: delivered where the diagram waits for it, it leads to the
        exit (ESF+ exit form). 409 where nothing waits for it or the case is not running."""
        ensure_id(case_id)
        return security.engine().cases.withdraw(case_id, date=args["date"], reason=args["reason"], actor=api_actor())

    @blp.route("/<int:case_id>/health-alerts", methods=["POST"])
    @requires("health_alert")
    @blp.arguments(HealthAlertSchema)
    @blp.response(201, CaseSummarySchema)
    @problems(blp, 403, 404, 409, 422)
    def health_alert(args: dict[str, Any], case_id: int) -> CaseView:
        """The health service in charge (a health referent of an organisation the case's team names)
        alerts the case team of a relapse or an incompatibility: the case manager gets a task to
        assess it. 403 to anyone else; 409 where the case takes no alert now or is not running."""
        ensure_id(case_id)
        try:
            return security.engine().cases.health_alert(
                case_id, kind=args["kind"], description=args["description"], date=args["date"], actor=api_actor()
            )
        except errors.InvalidData as err:  # the engine names the form's fields: answer with the API's
            messages = {ALERT_FIELDS.get(str(k), str(k)): v for k, v in err.messages.items()}
            raise errors.InvalidData(str(err), messages) from err

    @blp.route("/<int:case_id>/suspension", methods=["POST"])
    @requires("case_actions")
    @blp.arguments(ReasonSchema)
    @blp.response(200, CaseSummarySchema)
    @problems(blp, 403, 404, 409, 422)
    def suspend(args: dict[str, Any], case_id: int) -> CaseView:
        """Suspend a running case: no tasks are offered and its timers wait until it is resumed."""
        ensure_id(case_id)
        return security.engine().cases.suspend(case_id, reason=args["reason"], actor=api_actor())

    @blp.route("/<int:case_id>/resumption", methods=["POST"])
    @requires("case_actions")
    @blp.arguments(ReasonSchema)
    @blp.response(200, CaseSummarySchema)
    @problems(blp, 403, 404, 409, 422)
    def resume(args: dict[str, Any], case_id: int) -> CaseView:
        """Resume a suspended case: its tasks come back; timers that fell due fire at the next tick."""
        ensure_id(case_id)
        return security.engine().cases.resume(case_id, reason=args["reason"], actor=api_actor())

    @blp.route("/<int:case_id>/closure", methods=["POST"])
    @requires("case_actions")
    @blp.arguments(ReasonSchema)
    @blp.response(200, CaseSummarySchema)
    @problems(blp, 403, 404, 409, 422)
    def close(args: dict[str, Any], case_id: int) -> CaseView:
        """Close a case d'ufficio: the workflow ends now; every recorded datum is kept."""
        ensure_id(case_id)
        return security.engine().cases.close(case_id, reason=args["reason"], actor=api_actor())

    @blp.route("/<int:case_id>/cancellation", methods=["POST"])
    @requires("case_actions")
    @blp.arguments(CancellationSchema)
    @blp.response(200, CaseSummarySchema)
    @problems(blp, 403, 404, 409, 422)
    def cancel(args: dict[str, Any], case_id: int) -> CaseView:
        """Cancel a case opened by mistake (coordinators and administrators; ``confirm`` must be true)."""
        ensure_id(case_id)
        return security.engine().cases.cancel(case_id, reason=args["reason"], actor=api_actor())

    return blp
