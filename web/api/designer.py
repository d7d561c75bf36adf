"""API resources for process design: drafts (list, create from XML / a deployed file / the
template, upload, show, update, delete, deploy, diff, dry run), a process's version history and
the diff between two versions, and the migration of running cases (one, or in bulk) with a dry
run.

Writes need a design role (*progettista*, *coordinatore*, *amministratore*; the auditor is
refused every write); the history and the diff are readable by every role, like the library.
A draft with problems can be saved but not deployed nor dry-run (409). Dangerous input is
refused with 422 and never stored; a body over ``MAX_CONTENT_LENGTH`` gets 413 from Flask.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from engine.model import DecisionTestCase, ProcessDraft
from web import designer, security
from web.api.auth import api_actor, check_process_id, requires
from web.api.common import Blueprint, problems
from web.api.design_schemas import (
    DecisionTestDeleteQuerySchema,
    DecisionTestsSchema,
    DecisionTestWriteSchema,
    DeployedSchema,
    DeploySchema,
    DraftCreateSchema,
    DraftDetailSchema,
    DraftDiffSchema,
    DraftSummarySchema,
    DraftUpdateSchema,
    DraftUploadSchema,
    DryRunRequestSchema,
    DryRunSchema,
    LockBreakSchema,
    MigrateCaseSchema,
    MigrateCasesSchema,
    MigrationSchema,
    RuleDiffSchema,
    VersionDiffQuerySchema,
    VersionDiffSchema,
    VersionSchema,
)
from web.errors import ensure_id


def blueprint(prefix: str) -> Blueprint:
    blp = Blueprint(
        "api_design",
        __name__,
        url_prefix=prefix,
        description="Process design: drafts, deployment, version history and diff, dry run, migration",
    )

    def draft(draft_id: int) -> ProcessDraft:
        ensure_id(draft_id)
        return security.engine().design.draft(draft_id, actor=api_actor())

    @blp.route("/drafts", methods=["GET"])
    @requires("design")
    @blp.response(200, DraftSummarySchema(many=True))
    @problems(blp, 403)
    def list_drafts() -> list[dict[str, Any]]:
        """Every draft of the library, last changed first (without the XML)."""
        return [designer.draft_document(d, content=False) for d in security.engine().design.drafts(actor=api_actor())]

    @blp.route("/drafts", methods=["POST"])
    @requires("design")
    @blp.arguments(DraftCreateSchema)
    @blp.response(201, DraftDetailSchema)
    @problems(blp, 400, 403, 404, 409, 413, 422)
    def create_draft(args: dict[str, Any]) -> dict[str, Any]:
        """Start a draft: ``file_name`` + ``content`` saves that XML (validated in the library,
        problems listed per element); ``file_name`` alone opens the deployed file; ``process_id``
        (+ ``name``) makes a new process from the template (409 if it exists). Dangerous input
        (entities, > 2 MB, sandbox escapes) is refused with 422 and not stored."""
        eng, actor = security.engine(), api_actor()
        if args.get("process_id"):
            saved = eng.design.new_draft(args["process_id"], args.get("name") or "", actor=actor)
        elif args.get("content"):
            saved = eng.design.save_draft(args["file_name"], args["content"].encode(), actor=actor, note=args["note"])
        else:
            saved = eng.design.open_draft(args["file_name"], actor=actor)
        return designer.draft_document(saved)

    @blp.route("/drafts/upload", methods=["POST"])
    @requires("design")
    @blp.arguments(DraftUploadSchema, location="files")
    @blp.response(201, DraftDetailSchema)
    @problems(blp, 400, 403, 413, 422)
    def upload_draft(args: dict[str, Any]) -> dict[str, Any]:
        """Upload a .bpmn or .dmn file (multipart field ``file``) as a new draft."""
        upload = args["file"]
        if not isinstance(upload, FileStorage) or not upload.filename:
            raise designer.InvalidField("file", "Send a .bpmn or .dmn file.")
        file_name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1]
        if not designer.FILE_NAME.match(file_name):
            raise designer.InvalidField("file", "The file name must end in .bpmn or .dmn (letters, digits, _ . -).")
        saved = security.engine().design.save_draft(file_name, upload.read(), actor=api_actor(), note="caricato")
        return designer.draft_document(saved)

    @blp.route("/drafts/<int:draft_id>", methods=["GET"])
    @requires("design")
    @blp.response(200, DraftDetailSchema)
    @problems(blp, 403, 404)
    def show_draft(draft_id: int) -> dict[str, Any]:
        """A draft with its XML and the problems its last save found."""
        return designer.draft_document(draft(draft_id))

    @blp.route("/drafts/<int:draft_id>", methods=["PUT"])
    @requires("design")
    @blp.arguments(DraftUpdateSchema)
    @blp.response(200, DraftDetailSchema)
    @problems(blp, 400, 403, 404, 409, 413, 422)
    def update_draft(args: dict[str, Any], draft_id: int) -> dict[str, Any]:
        """Save new XML into the draft (same file name); the answer lists every problem found.
        With ``revision`` (or ``If-Match: "rev-N"``) a save on an older revision is refused (409,
        ``errors.conflict`` with the other person's changes); 409 (``errors.lock``) while someone
        else holds the edit lock. The saver holds the lock afterwards."""
        found = draft(draft_id)
        saved = security.engine().design.save_draft(
            found.file_name,
            args["content"].encode(),
            actor=api_actor(),
            note=args["note"],
            draft_id=draft_id,
            base_revision=designer.base_revision(args),
        )
        return designer.draft_document(saved)

    @blp.route("/drafts/<int:draft_id>/lock", methods=["POST"])
    @requires("design")
    @blp.response(200, DraftSummarySchema)
    @problems(blp, 403, 404, 409)
    def lock_draft(draft_id: int) -> dict[str, Any]:
        """Take (or renew) the edit lock; 409 with the holder while someone else edits."""
        ensure_id(draft_id)
        return designer.draft_document(security.engine().design.edit_draft(draft_id, actor=api_actor()), content=False)

    @blp.route("/drafts/<int:draft_id>/lock", methods=["DELETE"])
    @requires("design")
    @blp.response(200, DraftSummarySchema)
    @problems(blp, 403, 404)
    def unlock_draft(draft_id: int) -> dict[str, Any]:
        """Give the edit lock back (a no-op unless you hold it)."""
        ensure_id(draft_id)
        return designer.draft_document(
            security.engine().design.release_draft(draft_id, actor=api_actor()), content=False
        )

    @blp.route("/drafts/<int:draft_id>/lock/break", methods=["POST"])
    @requires("design")
    @blp.arguments(LockBreakSchema)
    @blp.response(200, DraftSummarySchema)
    @problems(blp, 403, 404, 409, 422)
    def break_lock(args: dict[str, Any], draft_id: int) -> dict[str, Any]:
        """An administrator frees a draft someone else is editing; the reason is kept as an event."""
        ensure_id(draft_id)
        freed = security.engine().design.break_draft_lock(draft_id, actor=api_actor(), reason=args["reason"])
        return designer.draft_document(freed, content=False)

    @blp.route("/drafts/<int:draft_id>", methods=["DELETE"])
    @requires("design")
    @blp.response(204)
    @problems(blp, 403, 404)
    def delete_draft(draft_id: int) -> None:
        """Delete a draft (deployed versions are never deleted)."""
        ensure_id(draft_id)
        security.engine().design.delete_draft(draft_id, actor=api_actor())

    @blp.route("/drafts/<int:draft_id>/deploy", methods=["POST"])
    @requires("design")
    @blp.arguments(DeploySchema)
    @blp.response(200, DeployedSchema(many=True))
    @problems(blp, 400, 403, 404, 409, 422)
    def deploy_draft(args: dict[str, Any], draft_id: int) -> list[dict[str, Any]]:
        """Deploy the library with the draft in it, with a change note: a new version for each
        process whose closure changed (``new``). 409 while the draft has problems."""
        ensure_id(draft_id)
        result = security.engine().design.deploy_draft(draft_id, actor=api_actor(), note=args["note"])
        return designer.deployed_rows(result)

    @blp.route("/drafts/<int:draft_id>/diff", methods=["GET"])
    @requires("design")
    @blp.response(200, DraftDiffSchema)
    @problems(blp, 403, 404)
    def draft_diff(draft_id: int) -> dict[str, Any]:
        """What the draft changes against the deployed library, element by element."""
        ensure_id(draft_id)
        return security.engine().design.draft_diff(draft_id, actor=api_actor()).as_dict()

    @blp.route("/drafts/<int:draft_id>/decision-tests", methods=["GET"])
    @requires("design")
    @blp.response(200, DecisionTestsSchema)
    @problems(blp, 403, 404)
    def decision_tests(draft_id: int) -> dict[str, Any]:
        """The decision tests kept in a DMN draft, run: each with its legal article, expected and
        actual outputs and the rule rows that matched (an empty list for a BPMN draft)."""
        return designer.decision_tests_document(draft(draft_id), api_actor())

    def write_test(args: dict[str, Any], draft_id: int, replaces: str | None) -> dict[str, Any]:
        draft(draft_id)
        test = DecisionTestCase(
            id=args["test_id"].strip(),
            name=args["name"].strip(),
            article=args["article"].strip(),
            inputs=dict(args["inputs"]),
            expected=dict(args["expected"]),
        )
        saved = security.engine().design.save_decision_test(
            draft_id,
            test,
            actor=api_actor(),
            decision_id=args.get("decision_id") or None,
            replaces=replaces,
            base_revision=designer.base_revision(args),
        )
        return designer.draft_document(saved)

    @blp.route("/drafts/<int:draft_id>/decision-tests", methods=["POST"])
    @requires("design")
    @blp.arguments(DecisionTestWriteSchema)
    @blp.response(201, DraftDetailSchema)
    @problems(blp, 400, 403, 404, 409, 422)
    def add_decision_test(args: dict[str, Any], draft_id: int) -> dict[str, Any]:
        """Add a decision test to a DMN draft: written into the file (a new revision), checked
        and run like any save. 422 with Italian field messages when badly written (no id, id
        taken, no expected output); a name the table does not read is a problem of the draft."""
        return write_test(args, draft_id, None)

    @blp.route("/drafts/<int:draft_id>/decision-tests/<test_id>", methods=["PUT"])
    @requires("design")
    @blp.arguments(DecisionTestWriteSchema)
    @blp.response(200, DraftDetailSchema)
    @problems(blp, 400, 403, 404, 409, 422)
    def replace_decision_test(args: dict[str, Any], draft_id: int, test_id: str) -> dict[str, Any]:
        """Put a decision test in place of ``test_id`` (which may be renamed), in its position."""
        return write_test(args, draft_id, test_id[:200])

    @blp.route("/drafts/<int:draft_id>/decision-tests/<test_id>", methods=["DELETE"])
    @requires("design")
    @blp.arguments(DecisionTestDeleteQuerySchema, location="query")
    @blp.response(200, DraftDetailSchema)
    @problems(blp, 400, 403, 404, 409, 422)
    def delete_decision_test(args: dict[str, Any], draft_id: int, test_id: str) -> dict[str, Any]:
        """Take a decision test out of a DMN draft (a new revision)."""
        draft(draft_id)
        saved = security.engine().design.delete_decision_test(
            draft_id,
            test_id[:200],
            actor=api_actor(),
            decision_id=args.get("decision_id") or None,
            base_revision=designer.base_revision(args),
        )
        return designer.draft_document(saved)

    @blp.route("/drafts/<int:draft_id>/rule-diff", methods=["GET"])
    @requires("design")
    @blp.response(200, RuleDiffSchema)
    @problems(blp, 403, 404)
    def rule_diff(draft_id: int) -> dict[str, Any]:
        """The rules a DMN draft adds, removes or changes against the deployed file."""
        return designer.rule_diff_document(draft(draft_id), api_actor())

    @blp.route("/drafts/<int:draft_id>/dry-run", methods=["POST"])
    @requires("design")
    @blp.arguments(DryRunRequestSchema)
    @blp.response(200, DryRunSchema)
    @problems(blp, 400, 403, 404, 409, 422)
    def dry_run(args: dict[str, Any], draft_id: int) -> dict[str, Any]:
        """Run a process of the draft's library in memory on sample data: user tasks answered
        from ``answers`` (validated by their forms), timers fired by a private clock. Nothing is
        stored. Reports the path taken, where it stopped and the final data."""
        ensure_id(draft_id)
        designer.check_answers(args["answers"])
        result = security.engine().design.dry_run(
            draft_id, args["process_id"], args["data"], args["answers"], actor=api_actor()
        )
        return designer.dry_run_document(result)

    @blp.route("/processes/<process_id>/versions", methods=["GET"])
    @requires("processes")
    @blp.response(200, VersionSchema(many=True))
    @problems(blp, 403, 404)
    def versions(process_id: str) -> list[dict[str, Any]]:
        """Every deployed version of a process, newest first: author, date, hash, files."""
        return designer.version_rows(security.engine().design.versions(check_process_id(process_id), actor=api_actor()))

    @blp.route("/processes/<process_id>/diff", methods=["GET"])
    @requires("processes")
    @blp.arguments(VersionDiffQuerySchema, location="query")
    @blp.response(200, VersionDiffSchema)
    @problems(blp, 403, 404, 422)
    def version_diff(args: dict[str, Any], process_id: str) -> dict[str, Any]:
        """Elements added, removed and changed between versions ``from`` and ``to`` (of the
        process and of what it calls); layout moves are not changes."""
        return (
            security.engine()
            .design.diff(check_process_id(process_id), args["from_"], args["to"], actor=api_actor())
            .as_dict()
        )

    @blp.route("/cases/<int:case_id>/migrate", methods=["POST"])
    @requires("design")
    @blp.arguments(MigrateCaseSchema)
    @blp.response(200, MigrationSchema)
    @problems(blp, 400, 403, 404, 409, 422)
    def migrate_case(args: dict[str, Any], case_id: int) -> dict[str, Any]:
        """Move a running case to another version of its process (``dry_run``: only check).
        ``can_migrate`` false with ``reasons`` when its active elements do not map (give a
        ``mapping``); a closed case is 409; a real migration needs a ``reason``."""
        ensure_id(case_id)
        if not args["dry_run"] and not args["reason"].strip():
            raise designer.InvalidField("reason", "A reason is required to migrate.")
        result = security.engine().cases.migrate(
            case_id,
            args["to_version"],
            actor=api_actor(),
            reason=args["reason"],
            mapping=args["mapping"],
            dry_run=args["dry_run"],
        )
        return result.as_dict()

    @blp.route("/processes/<process_id>/migrate", methods=["POST"])
    @requires("design")
    @blp.arguments(MigrateCasesSchema)
    @blp.response(200, MigrationSchema(many=True))
    @problems(blp, 400, 403, 404, 422)
    def migrate_cases(args: dict[str, Any], process_id: str) -> list[dict[str, Any]]:
        """Migrate every running case of the process (optionally only those on ``from_version``),
        each in its own transaction: one result per case, failures included."""
        eng = security.engine()
        numbers = {v.version for v in eng.design.versions(check_process_id(process_id), actor=api_actor())}
        if args["to_version"] not in numbers:
            raise NotFound(f"Process {process_id!r} has no version {args['to_version']}.")
        if not args["dry_run"] and not args["reason"].strip():
            raise designer.InvalidField("reason", "A reason is required to migrate.")
        results = eng.cases.migrate_process(
            process_id,
            args["to_version"],
            actor=api_actor(),
            from_version=args.get("from_version"),
            reason=args["reason"],
            mapping=args["mapping"],
            dry_run=args["dry_run"],
        )
        return designer.migration_rows(results)

    return blp
