"""Request and response shapes of the process-design API (marshmallow): drafts, deployment,
version history and diff, dry run and migration of running cases."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.model import MigrationBlock
from web.api.schemas import MAX_ID, ProcessSchema, Query, Strict

FILE_NAME = validate.Regexp(
    r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}\.(bpmn|dmn)$", error="A .bpmn or .dmn file name (letters, digits, _ . -)."
)
PROCESS_ID = validate.Regexp(r"^[a-z][a-z0-9_]{1,60}$", error="Lower-case letters, digits and _ (e.g. nuovo_processo).")
# A process file is at most 2 MB (the engine refuses larger ones); the request body at most 5 MB.
CONTENT = validate.Length(min=1, max=2_500_000)
NOTE = validate.Length(max=500)
ELEMENT_ID = validate.Length(min=1, max=200)


class ProblemItemSchema(Schema):
    file = fields.String(required=True)
    element = fields.String(required=True, metadata={"description": "BPMN id of the element ('' if none)"})
    line = fields.Integer(required=True, allow_none=True)
    message = fields.String(required=True)
    code = fields.String(metadata={"description": "The kind of problem, e.g. dmn.test_failed"})
    text = fields.String(metadata={"description": "The problem in the request's language (Italian by default)"})


class DraftLockSchema(Schema):
    holder = fields.String(required=True, metadata={"description": "Who is editing the draft"})
    since = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True, metadata={"description": "Lapses then unless renewed by a save"})


class DraftSummarySchema(Schema):
    id = fields.Integer(required=True)
    file_name = fields.String(required=True)
    author = fields.String(required=True)
    note = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    deployed_at = fields.DateTime(required=True, allow_none=True)
    problems = fields.List(
        fields.Nested(ProblemItemSchema), required=True, metadata={"description": "Found on the last save"}
    )
    deployable = fields.Boolean(required=True, metadata={"description": "No problems: deploy is allowed"})
    revision = fields.Integer(
        required=True, metadata={"description": "Bumped by every save; send it back (or If-Match) when saving"}
    )
    lock = fields.Nested(DraftLockSchema, required=True, allow_none=True, metadata={"description": "The edit lock"})


class DraftDetailSchema(DraftSummarySchema):
    content = fields.String(required=True, metadata={"description": "The BPMN/DMN XML"})


class DraftCreateSchema(Strict):
    """One of three ways to start a draft: upload XML (``file_name`` + ``content``), open a
    deployed file (``file_name`` alone) or a new process from the template (``process_id``)."""

    file_name = fields.String(validate=FILE_NAME, metadata={"description": "e.g. valutazione_bisogno.bpmn"})
    content = fields.String(validate=CONTENT, metadata={"description": "BPMN/DMN XML (omit to open the deployed file)"})
    note = fields.String(load_default="", validate=NOTE)
    process_id = fields.String(validate=PROCESS_ID, metadata={"description": "New process from the template"})
    name = fields.String(validate=validate.Length(max=200), metadata={"description": "Name of the new process"})

    @validates_schema
    def _one_way(self, data: dict[str, Any], **_: Any) -> None:
        if bool(data.get("process_id")) == bool(data.get("file_name")):
            raise ValidationError("Give either file_name (with or without content) or process_id.", "_schema")
        if data.get("process_id") and data.get("content"):
            raise ValidationError("A new process starts from the template: no content.", "content")


class DraftUploadSchema(Schema):
    file = fields.Raw(
        required=True, metadata={"type": "string", "format": "binary", "description": "A .bpmn or .dmn file"}
    )


class DraftUpdateSchema(Strict):
    content = fields.String(required=True, validate=CONTENT, metadata={"description": "The whole BPMN/DMN XML"})
    note = fields.String(load_default="", validate=NOTE)
    revision = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The revision this content is based on: 409 when the draft has moved on since"},
    )


class LockBreakSchema(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class DeploySchema(Strict):
    note = fields.String(
        required=True, validate=validate.Length(min=1, max=500), metadata={"description": "What changed"}
    )


class DeployedSchema(ProcessSchema):
    class Meta:
        exclude = ("files",)

    new = fields.Boolean(required=True, metadata={"description": "A new version was made (its closure changed)"})


class ChangedElementSchema(Schema):
    id = fields.String(required=True)
    aspects = fields.List(fields.String(), required=True, metadata={"description": "type, attributes, content"})


class ProcessChangesSchema(Schema):
    added = fields.List(fields.String(), required=True)
    removed = fields.List(fields.String(), required=True)
    changed = fields.List(fields.Nested(ChangedElementSchema), required=True)


class DraftDiffSchema(Schema):
    processes = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(ProcessChangesSchema),
        required=True,
        metadata={"description": "Process id → elements added, removed, changed"},
    )


class VersionDiffSchema(DraftDiffSchema):
    process_id = fields.String(required=True)
    from_ = fields.Integer(required=True, data_key="from", attribute="from")
    to = fields.Integer(required=True)


class VersionDiffQuerySchema(Query):
    from_ = fields.Integer(
        required=True, data_key="from", validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "Old"}
    )
    to = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "New"})


class VersionSchema(ProcessSchema):
    note = fields.String(required=True, allow_none=True, metadata={"description": "Change note"})


class DryRunRequestSchema(Strict):
    process_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    data = fields.Dict(load_default=dict, metadata={"description": "Start data"})
    answers = fields.Dict(
        keys=fields.String(validate=ELEMENT_ID),
        load_default=dict,
        metadata={"description": "User task BPMN id → form data (a list: one per occurrence)"},
    )


class PathStepSchema(Schema):
    element = fields.String(required=True)
    name = fields.String(required=True)
    type = fields.String(required=True)
    process = fields.String(required=True)


class StopSchema(Schema):
    element = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, allow_none=True)


class DataStepSchema(Schema):
    element = fields.String(required=True, metadata={"description": "The user task answered (empty for start/timer)"})
    name = fields.String(required=True)
    type = fields.String(required=True, metadata={"description": "start | user_task | timer"})
    changes = fields.Dict(required=True, metadata={"description": "Variables set or changed by the step"})
    removed = fields.List(fields.String(), required=True)
    path_length = fields.Integer(
        required=True, metadata={"description": "The path up to this step: the first path_length elements of path"}
    )


class DryRunSchema(Schema):
    path = fields.List(fields.Nested(PathStepSchema), required=True, metadata={"description": "Completed, in order"})
    completed = fields.Boolean(required=True)
    stopped_at = fields.List(fields.Nested(StopSchema), required=True, metadata={"description": "Where it waits"})
    data = fields.Dict(required=True)
    error = fields.String(required=True, allow_none=True)
    steps = fields.List(
        fields.Nested(DataStepSchema),
        required=True,
        metadata={"description": "After each answer or timer, the data it and the automatic steps after it changed"},
    )
    timers_fired = fields.Integer(required=True)


class MigrateCaseSchema(Strict):
    to_version = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    reason = fields.String(load_default="", validate=NOTE, metadata={"description": "Required unless dry_run"})
    mapping = fields.Dict(
        keys=fields.String(validate=ELEMENT_ID),
        values=fields.String(validate=ELEMENT_ID),
        load_default=dict,
        metadata={"description": "Old element id → new element id, for active elements renamed or replaced"},
    )
    dry_run = fields.Boolean(load_default=False, metadata={"description": "Only check and report; change nothing"})


class MigrateCasesSchema(MigrateCaseSchema):
    from_version = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "Only cases on this version"}
    )


class MigrationReasonSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.OneOf([c.value for c in MigrationBlock]),
        metadata={"description": "Stable code of the reason"},
    )
    message = fields.String(required=True, metadata={"description": "The reason in English words"})
    params = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "What it is about: element, element_name, target, process, process_name, version"},
    )


class RebuiltProcessSchema(Schema):
    process = fields.String(required=True, metadata={"description": "Id of the called process"})
    name = fields.String(required=True, metadata={"description": "Its BPMN name"})


class ElementLabelSchema(Schema):
    name = fields.String(required=True, allow_none=True, metadata={"description": "Its BPMN name (null: none)"})
    kind = fields.String(required=True, metadata={"description": "Its kind (UserTask, ExclusiveGateway, EndEvent…)"})


class MigrationSchema(Schema):
    case_id = fields.Integer(required=True)
    from_version = fields.Integer(required=True)
    to_version = fields.Integer(required=True)
    can_migrate = fields.Boolean(required=True)
    migrated = fields.Boolean(required=True)
    reasons = fields.List(
        fields.Nested(MigrationReasonSchema), required=True, metadata={"description": "Why it cannot migrate"}
    )
    active = fields.List(fields.String(), required=True, metadata={"description": "Active elements of the case"})
    changed = fields.List(fields.String(), required=True)
    removed = fields.List(fields.String(), required=True)
    added = fields.List(fields.String(), required=True)
    rebuilt = fields.List(
        fields.Nested(RebuiltProcessSchema),
        required=True,
        metadata={"description": "Called processes the migration re-runs on the new version (dry run included)"},
    )
    elements = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(ElementLabelSchema),
        required=True,
        metadata={"description": "Each element id of active, changed, removed and added with its name and kind"},
    )


class DecisionTestResultSchema(Schema):
    test_id = fields.String(required=True)
    name = fields.String(required=True)
    article = fields.String(required=True, metadata={"description": "The legal reference the test proves"})
    passed = fields.Boolean(required=True)
    given = fields.Dict(required=True, metadata={"description": "The test's own inputs (JSON texts)"})
    expected = fields.Dict(required=True, metadata={"description": "Output → expected value (JSON text)"})
    actual = fields.Dict(required=True, metadata={"description": "Output → value obtained (JSON text)"})
    matched_rules = fields.List(fields.Integer(), required=True, metadata={"description": "Rule rows, from 1"})
    error = fields.String(required=True, allow_none=True)


class DecisionTestResultSchemaWithTable(DecisionTestResultSchema):
    decision_id = fields.String(required=True)


class DecisionTestWrittenSchema(Schema):
    test_id = fields.String(required=True)
    name = fields.String(required=True)
    article = fields.String(required=True)
    inputs = fields.Dict(required=True, metadata={"description": "Input → value (JSON text), over the defaults"})
    expected = fields.Dict(required=True, metadata={"description": "Output → expected value (JSON text)"})
    result = fields.Nested(DecisionTestResultSchemaWithTable, required=True, allow_none=True)
    problems = fields.List(fields.String(), required=True, metadata={"description": "Why it cannot run or fails"})


class DecisionSuiteSchema(Schema):
    decision_id = fields.String(required=True)
    decision_name = fields.String(required=True)
    reads = fields.List(fields.String(), required=True, metadata={"description": "Variables the table reads"})
    outputs = fields.List(fields.String(), required=True)
    defaults = fields.Dict(required=True, metadata={"description": "Input → value shared by every test"})
    titles = fields.Dict(required=True, metadata={"description": "Variable or output → its column's title"})
    tests = fields.List(fields.Nested(DecisionTestWrittenSchema), required=True)


class DecisionTestsSchema(Schema):
    results = fields.List(fields.Nested(DecisionTestResultSchemaWithTable), required=True)
    passed = fields.Integer(required=True)
    failed = fields.Integer(required=True, metadata={"description": "More than 0: the draft cannot be deployed"})
    suites = fields.List(fields.Nested(DecisionSuiteSchema), required=True, metadata={"description": "Per table"})
    not_run = fields.Integer(required=True, metadata={"description": "Tests that cannot run (see their problems)"})


class DecisionTestWriteSchema(Strict):
    """A decision test: inputs (over the table's defaults) → expected outputs, with the article it
    proves. Values are JSON values. Names the table does not read are saved and reported as
    problems of the draft (which then cannot be deployed)."""

    decision_id = fields.String(load_default=None, metadata={"description": "Needed when the file has several tables"})
    test_id = fields.String(load_default="", metadata={"description": "e.g. T_invalidita_46"})
    name = fields.String(load_default="")
    article = fields.String(load_default="", metadata={"description": "The legal reference"})
    inputs = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), load_default=dict)
    expected = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), load_default=dict)
    revision = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The revision this change is based on: 409 when the draft has moved on since"},
    )


class DecisionTestDeleteQuerySchema(Query):
    decision_id = fields.String(load_default=None)
    revision = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class RuleChangeSchema(Schema):
    decision_id = fields.String(required=True)
    decision_name = fields.String(required=True)
    rule_id = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "added | removed | changed"})
    status_label = fields.String(required=True)
    number_before = fields.Integer(required=True, allow_none=True)
    number_after = fields.Integer(required=True, allow_none=True)
    columns = fields.List(fields.String(), required=True, metadata={"description": "Inputs, outputs, description"})
    before = fields.List(fields.String(), required=True)
    after = fields.List(fields.String(), required=True)


class RuleDiffSchema(Schema):
    changes = fields.List(fields.Nested(RuleChangeSchema), required=True)
    new_file = fields.Boolean(required=True, metadata={"description": "The file is not deployed yet"})
