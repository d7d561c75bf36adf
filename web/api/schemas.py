"""Request and response shapes of the JSON API (marshmallow), documented in the OpenAPI file."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, fields, post_dump, validate

from engine import CaseStatus
from forms import present
from forms.base import italianize

MAX_ID = 2**31 - 1
SORTS = ["due", "-due", "priority", "-priority", "created", "-created", "name"]
SCOPES = ["mine", "claimable", "all", "completed"]

Text = validate.Length(min=1, max=200)


class Italian(Schema):
    """Request bodies and query strings answer in Italian, like the forms (``forms.base``)."""

    error_messages = {"unknown": "Campo non previsto.", "type": "Dati non validi."}

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        italianize(field_obj)


class Strict(Italian):
    class Meta:
        unknown = RAISE
        ordered = True


class Query(Italian):
    """Query strings: unknown parameters are ignored (cache busters, ``lang``)."""

    class Meta:
        unknown = EXCLUDE
        ordered = True


class ProblemSchema(Schema):
    """RFC 9457 problem document; ``errors`` maps field names to messages."""

    type = fields.String(required=True, metadata={"description": "Problem type (URI reference)"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(required=True, metadata={"description": "Field name → messages"})


class TaskSchema(Schema):
    id = fields.String(required=True)
    case_id = fields.Integer(required=True)
    process_id = fields.String(required=True, metadata={"description": "The process the task belongs to (phase)"})
    bpmn_id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, allow_none=True)
    form_key = fields.String(required=True, allow_none=True)
    territory = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    assignee = fields.String(required=True, allow_none=True)
    priority = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(required=True, allow_none=True)
    completed_at = fields.DateTime(required=True, allow_none=True)
    completed_by = fields.String(required=True, allow_none=True)
    context = fields.Dict(required=True, metadata={"description": "case_title; item of a multi-instance task"})


class TaskDetailSchema(TaskSchema):
    form_schema = fields.Dict(required=True, allow_none=True, metadata={"description": "The form as JSON Schema"})
    draft = fields.Dict(required=True, allow_none=True)


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class TaskQuerySchema(Query):
    scope = fields.String(
        load_default="all",
        validate=validate.OneOf(SCOPES),
        metadata={
            "description": "mine = assigned to me; claimable = unassigned; all = every task I may see; "
            "completed = the tasks I completed, newest first"
        },
    )
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "Part of the case title (pseudonym)"})
    role = fields.String(validate=Text)
    process_id = fields.String(validate=Text)
    case_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    due_before = fields.DateTime()
    due_after = fields.DateTime()
    sort = fields.String(load_default="due", validate=validate.OneOf(SORTS))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class CompleteSchema(Strict):
    data = fields.Dict(required=True, metadata={"description": "The form's fields (see the task's form_schema)"})


class DraftSchema(Strict):
    data = fields.Dict(required=True)


class ReassignSchema(Strict):
    assignee = fields.String(required=True, validate=Text)


class CaseSummarySchema(Schema):
    id = fields.Integer(required=True)
    process_id = fields.String(required=True)
    process_version = fields.Integer(required=True)
    status = fields.String(required=True)
    territory = fields.String(required=True, allow_none=True)
    title = fields.String(required=True, metadata={"description": "Beneficiary pseudonym or case title"})
    phase = fields.String(required=True, allow_none=True)
    started_by = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class CaseSchema(CaseSummarySchema):
    version = fields.Integer(required=True)
    data = fields.Dict(required=True, metadata={"description": "Case data the caller's roles may see"})
    withheld = fields.List(fields.String(), required=True, metadata={"description": "Fields withheld by role"})
    open_tasks = fields.List(fields.Nested(TaskSchema), required=True)
    waiting = fields.List(fields.String(), required=True)
    next_timer_due = fields.DateTime(required=True, allow_none=True)
    labels = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        dump_only=True,
        required=True,
        metadata={"description": "Italian label of every field in data (and of every withheld one)"},
    )
    display = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        dump_only=True,
        required=True,
        metadata={
            "description": "Every value of data as people read it: option labels, dates gg/mm/aaaa, "
            "times in Europe/Rome with the zone, money € 3.600,50, Sì/No"
        },
    )

    @post_dump
    def add_labels(self, out: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data = out.get("data") or {}
        out["labels"] = present.labels([*data, *out.get("withheld", [])])
        out["display"] = {k: present.flat_text(present.row(k, v)) for k, v in data.items()}
        return out


class CaseStartedSchema(CaseSummarySchema):
    open_tasks = fields.List(fields.Nested(TaskSchema), required=True)


class CompletionSchema(Schema):
    case_id = fields.Integer(required=True)
    case_status = fields.String(required=True)
    open_tasks = fields.List(fields.Nested(TaskSchema), required=True)


class CaseQuerySchema(Query):
    status = fields.String(validate=validate.OneOf([s.value for s in CaseStatus]))
    process_id = fields.String(validate=Text)
    territory = fields.String(validate=Text)
    phase = fields.String(validate=Text, metadata={"description": "The process where the case's open work is"})
    title = fields.String(validate=Text, metadata={"description": "Part of the beneficiary pseudonym / title"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class CaseStartSchema(Strict):
    process_id = fields.String(required=True, validate=Text)
    territory = fields.String(allow_none=True, validate=Text)
    data = fields.Dict(
        load_default=dict,
        metadata={"description": "Start data, e.g. territorio, beneficiario_pseudonimo, titolo"},
    )


class EventSchema(Schema):
    seq = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    kind = fields.String(required=True)
    task_id = fields.String(required=True, allow_none=True)
    task_name = fields.String(required=True, allow_none=True)
    bpmn_id = fields.String(required=True, allow_none=True)
    data = fields.Dict(required=True)


class ProcessSchema(Schema):
    process_id = fields.String(required=True)
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    sha256 = fields.String(required=True)
    deployed_at = fields.DateTime(required=True)
    deployed_by = fields.String(required=True)
    files = fields.List(fields.String(), required=True)


class ProcessDetailSchema(ProcessSchema):
    xml = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "File name → BPMN/DMN XML of the version's closure"},
    )


class ProcessQuerySchema(Query):
    version = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class TokenSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(required=True, allow_none=True)
    revoked_at = fields.DateTime(required=True, allow_none=True)


class TokenCreateSchema(Strict):
    name = fields.String(required=True, validate=Text)


class TokenCreatedSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    token = fields.String(required=True, metadata={"description": "Shown once; send as 'Authorization: Bearer …'"})


class ReplayQuerySchema(Query):
    upto = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Stop after the command containing this event seq (default: the whole case)"},
    )


class ChangesSchema(Schema):
    added = fields.Dict(required=True, metadata={"description": "Field → value"})
    changed = fields.Dict(required=True, metadata={"description": "Field → {from, to}"})
    removed = fields.Dict(required=True, metadata={"description": "Field → last value"})


class ElementStatesSchema(Schema):
    completed = fields.List(fields.String(), required=True)
    active = fields.List(fields.String(), required=True)
    waiting = fields.List(fields.String(), required=True)


class ReplayStepSchema(Schema):
    index = fields.Integer(required=True)
    cmd = fields.Integer(required=True, metadata={"description": "Seq of the command's first event"})
    seqs = fields.List(fields.Integer(), required=True, metadata={"description": "The events the command wrote"})
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    actor = fields.String(required=True)
    at = fields.DateTime(required=True)
    task_name = fields.String(required=True, allow_none=True)
    matches = fields.Boolean(
        required=True, allow_none=True, metadata={"description": "Rebuilt state = stored digest (null: none stored)"}
    )
    status = fields.String(required=True)
    ready = fields.List(fields.String(), required=True, metadata={"description": "Names of the open tasks"})
    elements = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(ElementStatesSchema),
        required=True,
        metadata={"description": "Process id (main and called) → BPMN ids completed/active/waiting"},
    )
    changes = fields.Nested(ChangesSchema, required=True, metadata={"description": "Data diff of the step"})
    data = fields.Dict(required=True, metadata={"description": "Case data after the step (no health/judicial fields)"})
    withheld = fields.List(
        fields.String(), required=True, metadata={"description": "Health/judicial fields the step changed, left out"}
    )


class ReplaySchema(Schema):
    case_id = fields.Integer(required=True)
    faithful = fields.Boolean(required=True)
    first_mismatch = fields.Integer(required=True, allow_none=True)
    steps = fields.List(fields.Nested(ReplayStepSchema), required=True)


class BreakSchema(Schema):
    case_id = fields.Integer(required=True, metadata={"description": "0: the anchor chain itself"})
    seq = fields.Integer(required=True, metadata={"description": "Event seq (anchor id when case_id is 0)"})
    reason = fields.String(required=True)


class VerifySchema(Schema):
    ok = fields.Boolean(required=True)
    cases = fields.Integer(required=True)
    events = fields.Integer(required=True)
    anchors = fields.Integer(required=True)
    first_break = fields.Nested(BreakSchema, required=True, allow_none=True)
    breaks = fields.List(fields.Nested(BreakSchema), required=True)


class AccessLogQuerySchema(Query):
    case_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    username = fields.String(validate=Text)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AccessLogEntrySchema(Schema):
    at = fields.DateTime(required=True)
    username = fields.String(required=True)
    case_id = fields.Integer(required=True)
    purpose = fields.String(required=True)
    fields_ = fields.List(fields.String(), required=True, data_key="fields", attribute="fields")
    ip = fields.String(required=True, allow_none=True)


class DossierSchema(Schema):
    """The signed bundle (format impresa-dossier/1); check it with engine.audit.bundle.verify_bundle."""

    format = fields.String(required=True)
    generated_at = fields.String(required=True)
    case = fields.Dict(required=True)
    head = fields.Dict(required=True)
    process_files = fields.Dict(required=True, metadata={"description": "File name → {sha256, xml}"})
    events = fields.List(fields.Dict(), required=True)
    signature = fields.Dict(required=True, metadata={"description": "alg, public_key, fingerprint, value"})


class PseudonymisedSchema(Schema):
    pseudonimo = fields.String(required=True)
    processo = fields.String(required=True)
    stato = fields.String(required=True)
    fase = fields.String(required=True, allow_none=True)
    territorio = fields.String(required=True, allow_none=True)
    categorie = fields.List(fields.String(), required=True)
    dati = fields.Dict(required=True)


# Case actions: every reason is required and checked by the engine (one limit, never cut).
REASON = fields.String(
    required=True,
    error_messages={"required": "Indica il motivo.", "invalid": "Indica il motivo come testo."},
    metadata={"description": "Why (required; at most 4000 characters, longer is refused with 422)"},
)


class ReasonSchema(Strict):
    reason = REASON


class WithdrawalSchema(Strict):
    date = fields.Date(
        required=True,
        error_messages={"required": "Indica la data della rinuncia.", "invalid": "Inserisci una data valida."},
        metadata={"description": "When the person withdrew: not in the future, not before the case started"},
    )
    reason = REASON


class HealthAlertSchema(Strict):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(["RICADUTA", "INCOMPATIBILITA"]),
        metadata={"description": "RICADUTA (a relapse) or INCOMPATIBILITA (the activity no longer fits the health)"},
    )
    description = fields.String(
        required=True,
        validate=validate.Length(min=10, max=2000),
        metadata={"description": "What happened (health data, class C2: only the case team reads it)"},
    )
    date = fields.Date(
        required=True,
        error_messages={"required": "Indica la data dell'evento.", "invalid": "Inserisci una data valida."},
        metadata={"description": "When it happened: not in the future, not before the case started"},
    )


CONFIRM = "Conferma l'annullamento del caso."


class CancellationSchema(Strict):
    reason = REASON
    confirm = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error=CONFIRM),
        error_messages={"required": CONFIRM, "invalid": CONFIRM},
        metadata={"description": "Must be true: cancelling cannot be undone"},
    )


class AwaitedSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "timer or message"})
    element = fields.String(required=True, metadata={"description": "The catching element's name in the diagram"})
    bpmn_id = fields.String(required=True)
    due_at = fields.DateTime(required=True, allow_none=True)
    message = fields.String(required=True, allow_none=True)


class OutlookSchema(Schema):
    case_id = fields.Integer(required=True)
    status = fields.String(required=True)
    open_tasks = fields.List(fields.Nested(TaskSchema), required=True)
    awaited = fields.List(fields.Nested(AwaitedSchema), required=True)
    actions = fields.List(
        fields.String(), required=True, metadata={"description": "withdraw, suspend, resume, close, cancel"}
    )
