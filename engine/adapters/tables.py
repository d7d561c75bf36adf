"""The relational schema (SQLAlchemy Core tables); Alembic migrations are written against it.

Core tables rather than mapped classes: the hot paths (save a case, sync its inbox rows,
append an event) are a handful of explicit statements, and optimistic concurrency is an
``UPDATE ... WHERE version = :seen`` whose row count we check ourselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (naive storage) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]
        return value.astimezone(dt.UTC)  # type: ignore[no-any-return]


JSONType = JSON().with_variant(JSONB(), "postgresql")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

process_file = Table(
    "process_file",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

process_version = Table(
    "process_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("process_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", String(300), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("deployed_at", UTCDateTime, nullable=False),
    Column("deployed_by", String(100), nullable=False),
    Column("note", Text, nullable=False, default=""),
    UniqueConstraint("process_id", "version"),
)

process_version_file = Table(
    "process_version_file",
    metadata,
    Column("process_version_id", ForeignKey("process_version.id"), primary_key=True),
    Column("name", String(300), primary_key=True),
    Column("file_sha256", ForeignKey("process_file.sha256"), nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("process_id", String(200), nullable=False),
    Column("process_version_id", ForeignKey("process_version.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("state", Text, nullable=False),
    Column("data", JSONType, nullable=False),
    Column("territory", String(100)),
    Column("title", String(300), nullable=False, default=""),
    Column("version", Integer, nullable=False),
    Column("event_seq", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("started_by", String(100), nullable=False),
    Column("next_timer_due", UTCDateTime),
    # The process (phase) where the case's open work is, e.g. valutazione_bisogno.
    Column("phase", String(200)),
    Column("event_head", String(64)),
    # The time of the case's last event: the monitoring read model's last activity (its quiet
    # cases), kept here so that a command moves it with the case row it saves anyway.
    Column("last_activity_at", UTCDateTime),
    Index(None, "status", "next_timer_due"),
    Index(None, "territory", "status", "last_activity_at"),
    Index(None, "status", "last_activity_at"),
)

# A case's workflow, one row per task (engine/bpmn/state_rows.py); ``cases.state`` holds the header.
case_task = Table(
    "case_task",
    metadata,
    Column("case_id", ForeignKey("cases.id"), primary_key=True),
    Column("task_id", String(36), primary_key=True),
    # the sub-process the task belongs to ("" for the case's own process) and its creation rank
    Column("workflow", String(36), nullable=False),
    Column("position", Integer, nullable=False),
    Column("payload", Text, nullable=False),
)

human_task = Table(
    "human_task",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    Column("process_id", String(200), nullable=False),
    Column("bpmn_id", String(200), nullable=False),
    Column("name", String(300), nullable=False),
    Column("role", String(60)),
    Column("form_key", String(120)),
    # '' when the case has no territory, so the inbox filter is a plain index-friendly IN list.
    Column("territory", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("assignee", String(100)),
    Column("priority", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime),
    # due_at, or a far-future sentinel: a NOT NULL sort key lets the inbox read its first page
    # straight off the index (NULL ordering differs between SQLite and PostgreSQL).
    Column("due_sort", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime),
    Column("completed_by", String(100)),
    Column("overdue_notified_at", UTCDateTime),
    Column("context", JSONType, nullable=False),
    # Who the task is for (engine.teams.route): the role's holders in the territory, the case's team,
    # one organisation's members, or nobody until a coordinator routes it.
    Column("audience", String(20), nullable=False, default="territory", server_default="territory"),
    Column("organisation_id", Integer),
    # The inbox queries: open tasks of a role (in a territory), and open tasks of an assignee.
    Index(None, "status", "audience", "role", "territory", "due_sort", "created_at", "id"),
    # an organisation's open tasks of one lane in one territory, in the page's order (migration 0023)
    Index(None, "organisation_id", "status", "audience", "role", "territory", "due_sort", "created_at", "id"),
    Index(None, "status", "role", "due_sort", "created_at", "id"),
    Index(None, "assignee", "status"),
    # a case's tasks; the inbox's team branch reads one lane's from the index (migration 0024)
    Index(None, "case_id", "status", "audience", "role", "territory"),
    # the cockpit's open work of a territory
    Index(None, "territory", "status"),
    # the cockpit's open work: tasks falling due today (the counters keep the other days), and
    # the oldest open task of a role and organisation
    Index(None, "status", "due_sort"),
    Index(None, "status", "role", "organisation_id", "created_at"),
)

case_event = Table(
    "case_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("task_id", String(36)),
    Column("task_name", String(300)),
    Column("bpmn_id", String(200)),
    Column("data", JSONType, nullable=False),
    # Tamper evidence (engine.audit.chain): the command it belongs to, the state it left, the
    # per-field commitments with their salt, and the link to the previous event.
    Column("cmd", Integer, nullable=False),
    Column("state_digest", String(64)),
    Column("salts", JSONType, nullable=False),
    Column("commitments", JSONType, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("erased", JSONType, nullable=False),
    # digest of the case row's status and data after the command (engine.audit.chain.snapshot_digest)
    Column("data_digest", String(64)),
    # digest of the checkpoint the command stored in ``case_checkpoint`` (None: it stored none)
    Column("checkpoint_digest", String(64)),
    UniqueConstraint("case_id", "seq"),
)

# Periodic checkpoints of a case's whole workflow state (engine/audit/checkpoint.py): replay starts
# from the nearest one instead of the first event. ``seq`` is the first event of the command that
# stored it; that event seals the body's digest in the chain.
case_checkpoint = Table(
    "case_checkpoint",
    metadata,
    Column("case_id", ForeignKey("cases.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("body", Text, nullable=False),
)

audit_anchor = Table(
    "audit_anchor",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    # {case_id: [last seq, last hash]} of every case when the anchor was taken
    Column("heads", JSONType, nullable=False),
    Column("events", Integer, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # {case_id: [rows, last hash]} of every case's access-log chain (None on older anchors)
    Column("access_heads", JSONType),
)

app_user = Table(
    "app_user",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(300)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)

user_role = Table(
    "user_role",
    metadata,
    Column("username", ForeignKey("app_user.username"), primary_key=True),
    Column("role", String(60), primary_key=True),
    # '' = every territory (e.g. the lead partner's coordinator)
    Column("territory", String(100), primary_key=True, default=""),
)

partnership = Table(
    "partnership",
    metadata,
    Column("territory", String(100), primary_key=True),
    Column("active", Boolean, nullable=False),
    Column("case_id", ForeignKey("cases.id")),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", ForeignKey("app_user.username"), nullable=False),
    Column("name", String(200), nullable=False),
    # Only a SHA-256 of the token is kept: a database leak does not leak usable tokens.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
)

user_session = Table(
    # A signed-in browser session: the cookie carries only the random session id; this row says
    # whether it is still live (engine.services.accounts: signed_in, close_session).
    "user_session",
    metadata,
    # Only a SHA-256 of the session id is kept: a database leak does not leak live sessions.
    Column("id_hash", String(64), primary_key=True),
    Column("username", ForeignKey("app_user.username"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),  # kept to the minute
    Column("expires_at", UTCDateTime, nullable=False),  # last seen + the idle lifetime
    Column("revoked_at", UTCDateTime),  # logout, a new password
)

task_draft = Table(
    "task_draft",
    metadata,
    Column("task_id", ForeignKey("human_task.id"), primary_key=True),
    Column("username", String(100), primary_key=True),
    Column("data", JSONType, nullable=False),
    Column("saved_at", UTCDateTime, nullable=False),
)

saved_filter = Table(
    "saved_filter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", ForeignKey("app_user.username"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("params", JSONType, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("username", "name"),
)

login_throttle = Table(
    # Failed logins per user name and per client address, shared by every server process.
    "login_throttle",
    metadata,
    Column("scope", String(10), primary_key=True),  # "user" | "address"
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),  # failed (or still being checked) since the last lockout
    Column("lockouts", Integer, nullable=False),  # lockouts in a row: each one lasts twice the last
    Column("locked_until", UTCDateTime),
    Column("last_seen", UTCDateTime),  # the last failure counted
)

data_access_log = Table(
    "data_access_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("username", String(100), nullable=False),
    # None for an export of many cases or of aggregates (the purpose names its filters)
    Column("case_id", ForeignKey("cases.id")),
    Column("purpose", String(300), nullable=False),
    Column("fields", JSONType, nullable=False),
    Column("ip", String(64)),
    # each case's showings form a hash chain (engine.audit.chain.access_hash); NULL on rows written
    # before the log was chained
    Column("prev_hash", String(64)),
    Column("hash", String(64)),
    Index(None, "case_id", "at"),
    Index(None, "username", "at"),
)

case_timer = Table(
    "case_timer",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    # The SpiffWorkflow task waiting on the timer; a cycle gets one row per occurrence.
    Column("task_id", String(36), nullable=False),
    Column("bpmn_id", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    # pending → fired | cancelled; pending → incident after too many failed attempts
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("fired_at", UTCDateTime),
    UniqueConstraint("case_id", "task_id", "due_at"),
    Index(None, "status", "next_attempt_at"),
)

case_message = Table(
    "case_message",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("payload", JSONType, nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
    Column("sent_by", String(100), nullable=False),
    # pending until the case waits for it (SpiffWorkflow 3.2 drops early events), then delivered
    Column("status", String(20), nullable=False),
    Column("delivered_at", UTCDateTime),
    Column("expires_at", UTCDateTime),
    Index(None, "case_id", "status"),
)

notification_outbox = Table(
    "notification_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recipient", String(100), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("case_id", Integer),
    Column("task_id", String(36)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Index(None, "sent_at", "id"),
)

process_draft = Table(
    "process_draft",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # the file the draft will replace or add in the library, e.g. progettazione.bpmn
    Column("file_name", String(300), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("author", String(100), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # validation result at the last save: [{file, element, line, message}]
    Column("problems", JSONType, nullable=False),
    Column("deployed_at", UTCDateTime),
    # bumped by every save: a save based on an older revision is refused (someone else saved)
    Column("revision", Integer, nullable=False, server_default="1"),
    # the edit lock: who edits the draft now, since when (it expires, engine.services.designer)
    Column("locked_by", String(100)),
    Column("locked_at", UTCDateTime),
    Index(None, "file_name"),
)

# Every saved revision of a draft: a refused stale save shows what others changed since the
# revision the editor loaded.
process_draft_revision = Table(
    "process_draft_revision",
    metadata,
    Column("draft_id", Integer, primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column("content", LargeBinary, nullable=False),
    Column("author", String(100), nullable=False),
    Column("saved_at", UTCDateTime, nullable=False),
)

# A dry run kept to be run again after each change of the process: its start data and answers.
dry_run_scenario = Table(
    "dry_run_scenario",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("process_id", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("data", JSONType, nullable=False),
    Column("answers", JSONType, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # what it was saved against: the process's deployed version then, the draft and its revision
    Column("process_version", Integer, nullable=True),
    Column("draft_id", Integer, nullable=True),
    Column("draft_revision", Integer, nullable=True),
    Index(None, "process_id", "id"),
)

# What happened to a draft's edit lock (taken, released, expired and taken over, broken by an
# administrator with the reason): kept after the draft is deleted.
process_draft_event = Table(
    "process_draft_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("draft_id", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("data", JSONType, nullable=False),
    Index(None, "draft_id", "id"),
)

organisation = Table(
    "organisation",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(60), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    # istituzione | servizio_sociale | centro_impiego | servizio_sanitario | giustizia | terzo_settore |
    # impresa_mentor | ente_formazione | finanziatore (engine.registry.ORGANISATION_KINDS)
    Column("kind", String(40), nullable=False),
    # codice fiscale (11 digits for a body, 16 characters for a sole trader) and partita IVA, checked
    Column("tax_code", String(16), unique=True),
    Column("vat_number", String(11)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime),
    Index(None, "kind"),
)

# The territories an organisation serves: a job centre or a UEPE serves several ambiti at once.
organisation_territory = Table(
    "organisation_territory",
    metadata,
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
    Column("territory", String(100), primary_key=True),
    Index(None, "territory"),
)

organisation_member = Table(
    "organisation_member",
    metadata,
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
    Column("username", ForeignKey("app_user.username"), primary_key=True),
    Column("position", String(200), nullable=False, default=""),
    # a person's organisations (every inbox page reads them)
    Index(None, "username", "organisation_id"),
)

protocol = Table(
    "protocol",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # the lead party (the one the protocol was first recorded with); every party is in protocol_party
    Column("organisation_id", ForeignKey("organisation.id"), nullable=False),
    # protocollo_intesa | accordo_partenariato | convenzione | lettera_impegno
    Column("kind", String(40), nullable=False),
    Column("scope", Text, nullable=False),
    Column("territory", String(100), nullable=False),
    # bozza | firmato | attivo | in_scadenza | scaduto | receduto (engine.services.registry.STATUSES)
    Column("status", String(20), nullable=False, default="bozza"),
    Column("number", String(100), nullable=False, default=""),
    Column("signed_on", String(10)),
    Column("starts_on", String(10), nullable=False),
    Column("expires_on", String(10)),
    Column("renewal_clause", Text, nullable=False, default=""),
    Column("withdrawal_clause", Text, nullable=False, default=""),
    # days of notice a party owes before its withdrawal takes effect
    Column("withdrawal_notice_days", Integer, nullable=False, default=0),
    Column("reference", String(200), nullable=False, default=""),
    # the partnership case (F1) whose signed agreement produced the protocol
    Column("origin_case_id", Integer),
    # the case of the lifecycle process (scadenza_protocollo) watching the protocol while in force
    Column("lifecycle_case_id", Integer),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("updated_at", UTCDateTime),
    Index(None, "territory", "expires_on"),
    Index(None, "status"),
)

protocol_party = Table(
    "protocol_party",
    metadata,
    Column("protocol_id", ForeignKey("protocol.id"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
    Index(None, "organisation_id"),
)

# Who signed for each party: always a member of that party's organisation.
protocol_signatory = Table(
    "protocol_signatory",
    metadata,
    Column("protocol_id", ForeignKey("protocol.id"), primary_key=True),
    Column("username", ForeignKey("app_user.username"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), nullable=False),
    Column("signed_on", String(10), nullable=False),
)

# The signed texts and annexes, stored with their SHA-256 (the hash also goes into the registry log).
protocol_document = Table(
    "protocol_document",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("protocol_id", ForeignKey("protocol.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_at", UTCDateTime, nullable=False),
    Column("uploaded_by", String(100), nullable=False),
    Index(None, "protocol_id"),
)

# Every change to the registry, who made it and when (organisations and protocols are not cases,
# so they have their own log).
registry_event = Table(
    "registry_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("organisation_id", Integer),
    Column("protocol_id", Integer),
    Column("data", JSONType, nullable=False),
    Index(None, "protocol_id", "id"),
    Index(None, "organisation_id", "id"),
)

# The people who work on a case (docs/access.md): named users (the case manager, équipe members,
# the job-centre operator) and organisations (the host firm, the ASL or UEPE in charge, the
# referring service, a partner). Visibility of the case and routing of its tasks follow it.
case_team = Table(
    "case_team",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    # engine.teams.RELATIONS: responsabile | equipe | cpi | inviante | sanitario | giustizia | ospitante | partner
    Column("relation", String(40), nullable=False),
    Column("username", String(100)),
    Column("organisation_id", ForeignKey("organisation.id")),
    Column("added_at", UTCDateTime, nullable=False),
    Column("added_by", String(100), nullable=False),
    # handed over or left the team: kept for the history, no longer grants anything
    Column("ended_at", UTCDateTime),
    # a person's current cases; with the relation, the inbox's team branch needs no row (0024)
    Index(None, "username", "ended_at", "case_id", "relation"),
    Index(None, "organisation_id", "ended_at", "case_id"),
    Index(None, "case_id", "relation"),
)

# Access to a case outside one's team, with the reason given; reviewed by coordinator and auditor.
break_glass = Table(
    "break_glass",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    Column("username", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("territory", String(100), nullable=False),
    Column("ip", String(64)),
    Column("reviewed_at", UTCDateTime),
    Column("reviewed_by", String(100)),
    Index(None, "username", "case_id", "expires_at"),
    Index(None, "territory", "at"),
)

# The beneficiary's identity (anagrafica): every field sealed on its own (engine.keyring), the
# keyed hash of the codice fiscale as the stable pseudonym that links the same person's cases.
person = Table(
    "person",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("pseudonym", String(64), nullable=False),
    # {field: "<key id>:<base64 nonce+ciphertext>"}
    Column("sealed", JSONType, nullable=False),
    Column("key_id", String(40), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Index(None, "pseudonym"),
    Index(None, "key_id"),
)

case_person = Table(
    "case_person",
    metadata,
    Column("case_id", ForeignKey("cases.id"), primary_key=True),
    Column("person_id", ForeignKey("person.id"), nullable=False),
    Index(None, "person_id"),
)

# One sealed known text per key (and the pseudonym key's hash of it): a wrong or lost key is
# found at startup, not when a page shows garbage.
key_check = Table(
    "key_check",
    metadata,
    Column("key_id", String(40), primary_key=True),
    Column("token", Text, nullable=False),
)

# A social or community enterprise (track B): its record, keyed by the case that runs its process.
impresa = Table(
    "impresa",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, unique=True),
    Column("territory", String(100), nullable=False),
    Column("denominazione", String(300), nullable=False),
    # engine.services.enterprises.LEGAL_FORMS
    Column("forma_giuridica", String(40), nullable=False),
    Column("regione", String(100), nullable=False),
    Column("sede", String(300), nullable=False),
    Column("partita_iva", String(11), unique=True),
    Column("codice_ateco", String(8)),
    # [{"registro", "numero", "data"}]
    Column("iscrizioni", JSONType, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Index(None, "territory"),
)

# Who is linked to an enterprise, and how: beneficiary cases (founders, workers), non-beneficiary
# founders and community members (a name only), the mentoring company (an organisation). A worker
# link carries what the quota engine counts: hire date, categories, PA evidence, leaving date.
impresa_legame = Table(
    "impresa_legame",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("impresa_id", ForeignKey("impresa.id"), nullable=False),
    # engine.services.enterprises.ROLES
    Column("ruolo", String(40), nullable=False),
    Column("case_id", ForeignKey("cases.id")),
    Column("organisation_id", ForeignKey("organisation.id")),
    Column("nominativo", String(200)),
    Column("categorie", JSONType, nullable=False),
    Column("evidenza_pa", Boolean, nullable=False),
    Column("data_assunzione", String(10)),
    Column("data_cessazione", String(10)),
    Column("volontario", Boolean, nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("added_by", String(100), nullable=False),
    # removed by mistake or no longer linked (a worker who left keeps data_cessazione instead)
    Column("ended_at", UTCDateTime),
    Index(None, "impresa_id", "ended_at"),
    Index(None, "case_id", "ended_at"),
)

# The monitoring read model (engine.monitoring.facts_after): one row per case, written with every
# command on it, so the cockpit counts rows instead of reading workflow data. Open tasks are the
# inbox's own rows (``human_task``), which the same commands keep.
report_case = Table(
    "report_case",
    metadata,
    Column("case_id", ForeignKey("cases.id"), primary_key=True),
    Column("process_id", String(200), nullable=False),
    Column("territory", String(100), nullable=False),
    # the case's status and phase are read off the case row (cases.status, cases.phase)
    Column("stato_caso", String(60)),
    Column("referral_on", Date),
    Column("taken_in_charge_on", Date),
    Column("outcome", String(60)),
    Column("outcome_on", Date),
    Column("track", String(60)),
    Column("instrument", String(60)),
    Column("pact_on", Date),
    Column("started_on", Date),
    Column("implementation_outcome", String(60)),
    Column("closure_reason", String(60)),
    Column("closed_on", Date),
    Column("redesigns", Integer, nullable=False, default=0),
    Column("adi", Boolean, nullable=False, default=False),
    # ESF+ entry facts (EECO), exit (EECR01–04) and follow-ups (EECR05–06)
    Column("entry_on", Date),
    Column("gender", String(60)),
    Column("age_band", String(10)),
    Column("labour_status", String(60)),
    Column("isced", String(60)),
    Column("disability", String(60)),
    Column("citizenship", String(60)),
    Column("foreign_background", String(60)),
    Column("minority", String(60)),
    Column("housing", String(60)),
    Column("municipality", String(60)),
    Column("exit_on", Date),
    Column("exit_reason", String(60)),
    Column("eecr01", Boolean),
    Column("eecr02", Boolean),
    Column("eecr03", Boolean),
    Column("eecr04", Boolean),
    Column("follow_up_6m_on", Date),
    Column("condition_6m", String(60)),
    Column("improved_6m", String(60)),
    Column("follow_up_12m_on", Date),
    Column("condition_12m", String(60)),
    # the row's last activity is the case's own (cases.last_activity_at), saved with the case
    Index(None, "territory", "referral_on"),
    Index(None, "territory", "entry_on"),
    Index(None, "territory", "exit_on"),
    Index(None, "territory", "follow_up_6m_on"),
)

# Counters kept beside the rows (engine.monitoring.marks): how many people of a territory count in
# a key (a funnel stage, an outcome, days to a step, an ESF+ indicator by gender…) in a month of a
# basis date (referral, entry, exit, six-month follow-up; the days to a step, bases take and
# decide, by referral quarter). The same command that changes a row
# moves its counters, so programme-wide views sum a few thousand counters, not 100 000 rows.
# Open inbox rows counted by territory, role, organisation (0: none), claimed or not and due day
# (9999-12-31: none), moved by the same statements that open, close, claim, reroute or
# re-describe the rows (engine/adapters/report_repository.count_open_tasks): the cockpit's open
# work sums them instead of grouping every open task.
report_open_task = Table(
    "report_open_task",
    metadata,
    Column("territory", String(100), primary_key=True),
    Column("role", String(60), primary_key=True),
    Column("organisation_id", Integer, primary_key=True),
    Column("assigned", Integer, primary_key=True),
    Column("due_on", Date, primary_key=True),
    Column("n", Integer, nullable=False),
)

report_summary = Table(
    "report_summary",
    metadata,
    Column("basis", String(10), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("territory", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("n", Integer, nullable=False),
)
