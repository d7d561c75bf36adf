"""Plain values the engine hands out and takes in: no SQLAlchemy, no SpiffWorkflow, no Flask."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field


def N_(text: str) -> str:
    """Marks an Italian label the pages show in English through their catalogue (the web layer
    translates it when it shows it; ``web/babel.cfg`` extracts these): returns it unchanged."""
    return text


# A JSON document whose shape is the data's own (a case's data, an event's payload, a form's JSON
# Schema, a signed dossier, a user's unsent form input): typed as JSON, never as ``Any``. Nested
# arrays and objects are read-only views (``Sequence``/``Mapping``), so a ``list[str]`` or a
# ``dict[str, int]`` is a JSON value as it stands; the top-level object is a ``dict`` the engine fills.
JsonValue = str | int | float | bool | None | Sequence["JsonValue"] | Mapping[str, "JsonValue"]
JsonObject = dict[str, JsonValue]


def json_object(value: JsonValue) -> JsonObject:
    """A copy of ``value`` read as a JSON object whose shape the engine wrote itself (an event's
    payload, a migration's mapping): ``{}`` for null or an empty value (as ``dict(value or {})``
    reads it), a TypeError for any other kind of value."""
    if isinstance(value, Mapping):
        return dict(value)
    if not value:
        return {}
    raise TypeError(f"a JSON object was expected, not {type(value).__name__}")


def json_array(value: JsonValue) -> Sequence[JsonValue]:
    """``value`` read as a JSON array (a repeated form section): empty for null or an empty value
    (as ``value or []`` reads it), a TypeError for a string, a number or an object."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return value
    if not value:
        return ()
    raise TypeError(f"a JSON array was expected, not {type(value).__name__}")


def json_int(value: JsonValue) -> int:
    """``value`` read as an integer the engine wrote itself (a version id, a sequence number, possibly
    as a string): a TypeError for a list, an object or null."""
    if isinstance(value, int | float | str):
        return int(value)
    raise TypeError(f"an integer was expected, not {type(value).__name__}")


# One cell of the open-task counters: territory, role, organisation (0: none), claimed (0/1), due day.
OpenTaskKey = tuple[str, str, int, int, dt.date]


class CaseStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"  # paused with a reason: no tasks offered, timers held (docs/case-actions.md)
    CLOSED = "closed"  # closed d'ufficio with a reason: the workflow ended, every recorded datum kept


class TaskStatus(enum.StrEnum):
    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class EventKind(enum.StrEnum):
    STARTED = "started"
    TASK_COMPLETED = "task_completed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    TIMER_FIRED = "timer_fired"
    TASK_CLAIMED = "task_claimed"
    TASK_RELEASED = "task_released"
    TASK_REASSIGNED = "task_reassigned"
    PARTNERSHIP_CHANGED = "partnership_changed"
    MESSAGE_RECEIVED = "message_received"
    MESSAGE_SENT = "message_sent"
    TIMER_INCIDENT = "timer_incident"
    DATA_CORRECTED = "data_corrected"
    CASE_RESET = "case_reset"
    DATA_ERASED = "data_erased"
    MIGRATED = "migrated"
    TEAM_CHANGED = "team_changed"
    PERSON_RECORDED = "person_recorded"
    BREAK_GLASS = "break_glass"
    ENTERPRISE_CHANGED = "enterprise_changed"  # the enterprise record or its links (engine.services.enterprises)
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    CLOSED = "closed"
    PROTOCOL_CHANGED = "protocol_changed"  # a protocol the case relies on lapsed or was withdrawn


@dataclass(frozen=True)
class Actor:
    """Who acts: a user name, the roles held and the territories covered (empty = all).

    ``grants`` keeps each role with the territory it was granted for (``""`` = every territory):
    a social worker of T1 who is also a regional evaluator is a social worker *in T1 only*. An
    actor built without grants (tests, the CLI operator) holds every role in every listed territory.
    """

    username: str
    roles: frozenset[str] = frozenset()
    territories: frozenset[str] = frozenset()
    grants: frozenset[tuple[str, str]] = frozenset()

    def has_role(self, role: str | None) -> bool:
        return role is not None and role in self.roles

    def covers(self, territory: str | None) -> bool:
        return not self.territories or territory is None or territory in self.territories

    def holds(self, role: str | None, territory: str | None) -> bool:
        """Whether the actor may act in ``role`` within ``territory``."""
        if role is None:
            return False
        if not self.grants:
            return role in self.roles and self.covers(territory)
        if territory is None:
            return any(r == role for r, _ in self.grants)
        return (role, territory) in self.grants or (role, "") in self.grants

    def roles_in(self, territory: str | None) -> frozenset[str]:
        """The roles the actor holds within ``territory``."""
        if not self.grants:
            return self.roles if self.covers(territory) else frozenset()
        return frozenset(r for r, t in self.grants if t in ("", territory) or territory is None)


SYSTEM = Actor("system", frozenset({"sistema"}))


@dataclass
class CaseRecord:
    """A case as stored: the pinned process version, its state and its concurrency version."""

    id: int
    process_id: str
    process_version_id: int
    process_version: int
    status: CaseStatus
    state: str
    data: JsonObject
    territory: str | None
    version: int
    event_seq: int
    created_at: dt.datetime
    updated_at: dt.datetime
    started_by: str
    next_timer_due: dt.datetime | None = None
    title: str = ""
    phase: str | None = None
    # hash of the case's last event: the chain head the case row vouches for
    event_head: str | None = None
    # the time of its last event (the monitoring read model's last activity)
    last_activity_at: dt.datetime | None = None


@dataclass(frozen=True)
class TaskView:
    """One human task of the inbox table; reading it never touches workflow state."""

    id: str
    case_id: int
    process_id: str
    bpmn_id: str
    name: str
    role: str | None
    form_key: str | None
    territory: str | None
    status: TaskStatus
    assignee: str | None
    created_at: dt.datetime
    due_at: dt.datetime | None
    completed_at: dt.datetime | None = None
    completed_by: str | None = None
    context: JsonObject = field(default_factory=dict)
    priority: int = 0
    # who the task is for (engine.teams): territory | team | organisation | supervisor
    audience: str = "territory"
    organisation_id: int | None = None


@dataclass(frozen=True)
class TaskFilter:
    """Inbox filters; ``sort`` is one of due, -due, priority, -priority, created, -created, name,
    -completed."""

    roles: tuple[str, ...] | None = None
    territories: tuple[str, ...] | None = None
    assignee: str | None = None
    unassigned: bool = False
    case_id: int | None = None
    process_id: str | None = None
    status: TaskStatus | None = TaskStatus.READY
    due_before: dt.datetime | None = None
    due_after: dt.datetime | None = None
    sort: str = "due"
    # (role, territory) pairs the actor holds (territory "" = every one): stricter than roles × territories
    grants: tuple[tuple[str, str], ...] | None = None
    completed_by: str | None = None  # with status COMPLETED: the tasks a user completed
    case_title: str | None = None  # part of the case's title (the beneficiary's pseudonym first)
    # The task's audience (engine.teams): with ``member`` set, a task shows only when it is for
    # the territory, for the team and ``member`` is named in it in its lane's relation
    # (``team_lanes``: lane → relation), or for an organisation ``member`` belongs to (which
    # the query reads from the registry itself, so a page is one statement).
    member: str | None = None
    team_lanes: tuple[tuple[str, str], ...] = ()
    # Every task of the territories where the actor supervises the work (``TASK_SUPERVISE``:
    # coordinators), whatever its lane, audience or assignee: what they may reassign or route.
    supervised: bool = False


@dataclass(frozen=True)
class CaseScope:
    """Which cases a list may show: every one, or those of ``territories`` plus those whose
    current team names ``member`` or one of ``organisations`` (or that ``member`` opened by
    break-glass, still open at ``glass_since``)."""

    everywhere: bool = False
    territories: tuple[str, ...] = ()
    member: str | None = None
    organisations: tuple[int, ...] = ()
    glass_since: dt.datetime | None = None


@dataclass(frozen=True)
class CaseView:
    id: int
    process_id: str
    process_version: int
    status: CaseStatus
    territory: str | None
    data: JsonObject
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    started_by: str
    open_tasks: tuple[TaskView, ...] = ()
    waiting: tuple[str, ...] = ()
    next_timer_due: dt.datetime | None = None
    title: str = ""
    phase: str | None = None
    # Names of personal-data fields withheld from this viewer (health/judicial classes).
    withheld: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseEvent:
    """One entry of a case's append-only history (see ``engine.audit.chain`` for the sealing)."""

    case_id: int
    seq: int
    at: dt.datetime
    actor: str
    kind: EventKind
    task_id: str | None = None
    task_name: str | None = None
    bpmn_id: str | None = None
    data: JsonObject = field(default_factory=dict)
    # the seq of the first event of the command that wrote this one (a command's events replay together)
    cmd: int = 0
    # digest of the case's observable state after the command (data, open tasks, waits)
    state_digest: str | None = None
    salts: dict[str, str] | None = None
    commitments: dict[str, str] | None = None
    prev_hash: str | None = None
    hash: str | None = None
    erased: tuple[str, ...] = ()
    # digest of the case row's snapshot (status and data) after the command, sealed in the chain so
    # ``audit verify`` can check what pages and the API show (None on events sealed before it existed)
    data_digest: str | None = None
    # digest of the checkpoint (the whole workflow state) stored with this command, sealed in the
    # chain so replay can start from it (engine.audit.checkpoint); None when the command kept none
    checkpoint_digest: str | None = None


@dataclass(frozen=True)
class ProcessVersionView:
    id: int
    process_id: str
    version: int
    name: str
    sha256: str
    deployed_at: dt.datetime
    deployed_by: str
    files: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class TimerRow:
    """A timer a case waits on, as the ``case_timer`` table stores it (the database is the truth)."""

    id: int
    case_id: int
    task_id: str
    bpmn_id: str
    kind: str
    due_at: dt.datetime
    status: TimerStatus
    attempts: int
    created_at: dt.datetime
    last_error: str | None = None


@dataclass(frozen=True)
class PendingMessage:
    id: int
    case_id: int
    name: str
    payload: JsonObject
    sent_at: dt.datetime
    sent_by: str


@dataclass(frozen=True)
class TickReport:
    """What one scheduler tick did."""

    timers_fired: int = 0
    messages_delivered: int = 0
    overdue_announced: int = 0
    notifications_sent: int = 0
    anchors_taken: int = 0

    def __bool__(self) -> bool:
        return any(
            (
                self.timers_fired,
                self.messages_delivered,
                self.overdue_announced,
                self.notifications_sent,
                self.anchors_taken,
            )
        )


@dataclass(frozen=True)
class LoginCounter:
    """Failed logins of one user name or client address (``engine.services.login_throttle``)."""

    failures: int = 0
    lockouts: int = 0
    locked_until: dt.datetime | None = None
    last_seen: dt.datetime | None = None


@dataclass(frozen=True)
class TaskRow:
    """One task of a case's workflow as stored: its sub-process ("" = the case's own), creation
    rank and serialized record (engine/bpmn/state_rows.py)."""

    task_id: str
    workflow: str
    position: int
    payload: str


@dataclass(frozen=True)
class StateWrite:
    """What one command writes: the new header, the rows to insert or replace, the rows to delete."""

    header: str
    upserts: list[TaskRow]
    deletes: list[str]


@dataclass(frozen=True)
class TeamMember:
    """One place in a case's team: a named person or an organisation, in a relation to the case."""

    id: int
    case_id: int
    relation: str
    username: str | None
    organisation_id: int | None
    added_at: dt.datetime
    added_by: str
    ended_at: dt.datetime | None = None
    organisation_code: str | None = None
    organisation_kind: str | None = None


@dataclass(frozen=True)
class BreakGlass:
    """An opening of a case outside one's team, with the reason given (for review)."""

    id: int
    case_id: int
    username: str
    reason: str
    at: dt.datetime
    expires_at: dt.datetime
    territory: str
    ip: str | None = None
    reviewed_at: dt.datetime | None = None
    reviewed_by: str | None = None


@dataclass(frozen=True)
class PersonRecord:
    """The beneficiary's identity (anagrafica), opened for someone allowed to see it."""

    id: str
    pseudonym: str
    nome: str
    cognome: str
    codice_fiscale: str | None
    data_nascita: dt.date | None
    sesso: str | None
    telefono: str = ""
    email: str = ""
    comune: str = ""
    # warnings the person entering it confirmed (code vs birth date or gender)
    confirmed_warnings: tuple[str, ...] = ()
    # changes with every write (each write seals anew): the API's ETag, refusing a lost update
    revision: str = ""


class ErasureBlock(enum.StrEnum):
    """Why a case of the person keeps its personal data (GDPR art. 17 with the legal retention)."""

    ALIVE = "alive"  # running or suspended: the path still needs the data
    RETENTION = "retention"  # finished, but within the retention period
    TERRITORY = "territory"  # of a territory the requester may not erase in


@dataclass(frozen=True)
class ErasureCase:
    case_id: int
    status: CaseStatus
    territory: str | None
    kept_until: dt.date | None  # the end of the retention period (None while the case is alive)
    blocked: ErasureBlock | None  # None: erasable now


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing the personal data of a case's person would do: every case of the person (the
    identity is theirs, not one case's), each erasable or with what keeps it."""

    case_id: int
    has_person: bool
    cases: tuple[ErasureCase, ...]

    @property
    def allowed(self) -> bool:
        return all(c.blocked is None for c in self.cases)


@dataclass(frozen=True)
class Erasure:
    """The outcome of an erasure: the cases blanked and whether the person record went."""

    cases: tuple[int, ...]
    fields: int
    person_removed: bool


def age_on(born: dt.date, day: dt.date) -> int:
    """Completed years on ``day`` (the only place an age is computed: it is never typed)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class RepeatReferral:
    """Another case of the same person (by pseudonym): shown at referral to the new case's team."""

    case_id: int
    status: CaseStatus
    territory: str | None
    created_at: dt.datetime
    manager: str | None = None  # the other case's case manager: the colleague to ask


@dataclass(frozen=True)
class Recorded:
    """A person's identity recorded on a case, with the person's other cases (``repeats``) for the
    new case's team to know about."""

    person: PersonRecord
    repeats: tuple[RepeatReferral, ...]


@dataclass(frozen=True)
class PersonSheet:
    """The person page of a case, for its team: the identity (``None`` until recorded), the
    person's other cases, and what the viewer may do with it."""

    case_id: int
    person: PersonRecord | None
    repeats: tuple[RepeatReferral, ...]
    may_write: bool  # enter or correct the identity, produce the art. 15 copy


# --- process design: decision tests, edit locks ----------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    """One file of a process library as uploaded or deployed: a BPMN diagram or a DMN decision."""

    name: str
    content: bytes

    @property
    def kind(self) -> str:
        return "dmn" if self.name.lower().endswith(".dmn") else "bpmn"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class DecisionTestCase:
    """One example a decision table must answer: inputs (over the suite's defaults) → the outputs
    expected, with the legal article it proves. Values are JSON values."""

    id: str
    name: str
    article: str
    inputs: JsonObject
    expected: JsonObject


@dataclass(frozen=True)
class DecisionTestSuite:
    """The tests kept inside a decision's DMN file: defaults shared by every test, then the tests."""

    decision_id: str
    defaults: JsonObject
    tests: tuple[DecisionTestCase, ...]


@dataclass(frozen=True)
class DecisionTestSuiteView:
    """A decision table's tests as written, with what a test may name: the variables the table
    reads and its outputs."""

    decision_id: str
    decision_name: str
    reads: tuple[str, ...]
    outputs: tuple[str, ...]
    defaults: JsonObject
    tests: tuple[DecisionTestCase, ...]
    # variable or output name -> the column's title, for the columns that read or set one name
    titles: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DecisionTestResult:
    """A test run by the engine: what came out, which rule rows matched, pass or fail."""

    file: str
    decision_id: str
    test_id: str
    name: str
    article: str
    passed: bool
    expected: JsonObject
    actual: JsonObject
    matched_rules: tuple[int, ...]
    error: str | None = None
    # the test's own inputs (over the suite's defaults), to show next to the outcome
    inputs: JsonObject = field(default_factory=dict)


class TimerStatus(enum.StrEnum):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"
    INCIDENT = "incident"


@dataclass(frozen=True)
class Incident:
    """A timer that failed every attempt: shown to the coordinator until retried."""

    id: int
    case_id: int
    task_id: str
    bpmn_id: str
    kind: str
    due_at: dt.datetime
    status: TimerStatus
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    fired_at: dt.datetime | None
    territory: str | None
    title: str


@dataclass(frozen=True)
class CaseMessage:
    """A message sent to a case, delivered when the case waits for it (or expired)."""

    id: int
    case_id: int
    name: str
    payload: dict[str, object]
    sent_at: dt.datetime
    sent_by: str
    status: str
    delivered_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None


@dataclass(frozen=True)
class DraftProblem:
    """One defect found in a draft on save: file, element and line where known."""

    message: str
    file: str = ""
    element: str = ""
    line: int | None = None
    # the kind of problem and its values (decision-table checks), for a message in the user's language
    code: str = ""
    args: JsonObject = field(default_factory=dict)


@dataclass(frozen=True)
class DraftLock:
    """Who is editing a draft, since when, and when the lock lapses unless renewed by a save."""

    holder: str
    since: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class DraftEvent:
    """What happened to a draft's edit lock: ``lock_taken``, ``lock_released``, ``lock_broken``."""

    at: dt.datetime
    actor: str
    kind: str
    data: JsonObject


@dataclass(frozen=True)
class DraftConflict:
    """A save refused because the draft changed since the editor loaded it: what the others
    changed between the editor's revision and the current one (lines of the file, BPMN elements,
    decision rules)."""

    draft_id: int
    your_revision: int
    current_revision: int
    saved_by: str
    saved_at: dt.datetime
    lines: tuple[str, ...]
    elements: ProcessDiff
    rules: tuple[RuleChange, ...] = ()


@dataclass(frozen=True)
class ProcessDraft:
    """A designer's draft of one library file; ``content`` is empty in listings."""

    id: int
    file_name: str
    author: str
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime
    problems: tuple[DraftProblem, ...]
    deployed_at: dt.datetime | None = None
    content: str = ""
    # from the parsed draft (empty in listings): the processes it defines and their user tasks
    process_ids: tuple[str, ...] = ()
    user_tasks: tuple[str, ...] = ()
    # bumped by every save; a save based on an older one is refused (DraftConflict)
    revision: int = 1
    # the edit lock in force (None when free or lapsed)
    lock: DraftLock | None = None

    @property
    def deployable(self) -> bool:
        return not self.problems

    def locked_for(self, username: str) -> bool:
        """Someone else holds the edit lock."""
        return self.lock is not None and self.lock.holder != username


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


@dataclass(frozen=True)
class SavedFilter:
    """A named inbox filter: its query parameters as the inbox form sent them."""

    id: int
    name: str
    params: dict[str, object]


@dataclass(frozen=True)
class UserSummary:
    username: str
    display_name: str
    active: bool
    roles: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Member:
    username: str
    position: str
    display_name: str


# The registry's codes and their Italian labels (forms, pages, API enums; the pages' catalogue
# gives them in English).
ORGANISATION_KINDS: dict[str, str] = {
    "istituzione": N_("Istituzione (Comune, Ambito, Regione)"),
    "servizio_sociale": N_("Servizio sociale"),
    "centro_impiego": N_("Centro per l'Impiego"),
    "servizio_sanitario": N_("Servizio sanitario (ASL, DSM, SerD)"),
    "giustizia": N_("Giustizia (UEPE, istituto penitenziario)"),
    "terzo_settore": N_("Ente del Terzo settore / cooperativa sociale"),
    "impresa_mentor": N_("Impresa mentor / ospitante"),
    "ente_formazione": N_("Ente di formazione / agenzia per il lavoro"),
    "finanziatore": N_("Finanziatore (fondazione, microcredito)"),
}
PROTOCOL_KINDS: dict[str, str] = {
    "protocollo_intesa": N_("Protocollo d'intesa"),
    "accordo_partenariato": N_("Accordo di partenariato"),
    "convenzione": N_("Convenzione"),
    "lettera_impegno": N_("Lettera d'impegno"),
}
PROTOCOL_STATUSES: dict[str, str] = {
    "bozza": N_("Bozza"),
    "firmato": N_("Firmato"),
    "attivo": N_("Attivo"),
    "in_scadenza": N_("In scadenza"),
    "scaduto": N_("Scaduto"),
    "receduto": N_("Receduto"),
}
# In force: grounds the data sharing between its parties. Ended: lapsed or withdrawn, data kept.
PROTOCOL_IN_FORCE = frozenset({"attivo", "in_scadenza"})
PROTOCOL_ENDED = frozenset({"scaduto", "receduto"})


@dataclass(frozen=True)
class ProtocolTerms:
    """What a protocol says, as entered (dates as ``AAAA-MM-GG``)."""

    kind: str
    scope: str
    starts_on: str
    expires_on: str | None = None
    reference: str = ""
    parties: tuple[str, ...] = ()  # the other parties' organisation codes
    territory: str | None = None  # defaults to the lead party's only territory
    renewal_clause: str = ""
    withdrawal_clause: str = ""
    withdrawal_notice_days: int = 0
    origin_case_id: int | None = None


@dataclass(frozen=True)
class Organisation:
    """An interlocutor: a body with its tax codes and the territories it serves."""

    id: int
    code: str
    name: str
    kind: str
    tax_code: str | None
    vat_number: str | None
    created_at: dt.datetime
    updated_at: dt.datetime | None = None
    territories: tuple[str, ...] = ()
    members: tuple[Member, ...] = ()

    def serves(self, territory: str | None) -> bool:
        return territory in self.territories


@dataclass(frozen=True)
class Party:
    """An organisation bound by a protocol."""

    organisation_id: int
    code: str
    name: str


@dataclass(frozen=True)
class Signatory:
    """Who signed a protocol, for which party, on which day (``AAAA-MM-GG``)."""

    username: str
    display_name: str
    organisation_code: str
    signed_on: str


@dataclass(frozen=True)
class ProtocolDocument:
    """A stored document of a protocol (signed text, annex), stamped with its SHA-256."""

    id: int
    protocol_id: int
    name: str
    media_type: str
    sha256: str
    size: int
    uploaded_at: dt.datetime
    uploaded_by: str


@dataclass(frozen=True)
class PartnerProtocol:
    """A collaboration protocol; dates are ISO days (``AAAA-MM-GG``) as stored."""

    id: int
    organisation_id: int
    kind: str
    scope: str
    territory: str
    starts_on: str
    expires_on: str | None
    reference: str
    created_at: dt.datetime
    created_by: str
    organisation_code: str
    organisation_name: str
    status: str = "bozza"
    number: str = ""
    signed_on: str | None = None
    renewal_clause: str = ""
    withdrawal_clause: str = ""
    withdrawal_notice_days: int = 0
    origin_case_id: int | None = None
    lifecycle_case_id: int | None = None
    updated_at: dt.datetime | None = None
    parties: tuple[Party, ...] = ()
    signatories: tuple[Signatory, ...] = ()
    documents: tuple[ProtocolDocument, ...] = ()


@dataclass(frozen=True)
class RegistryEvent:
    """One change to the registry: who, when, what (the registry's own audit log)."""

    id: int
    at: dt.datetime
    actor: str
    kind: str
    organisation_id: int | None
    protocol_id: int | None
    data: JsonObject


@dataclass(frozen=True)
class Anchor:
    """A commitment to every case's chain head at one instant."""

    id: int
    at: dt.datetime
    cases: int
    events: int
    hash: str


@dataclass(frozen=True)
class AccessLogEntry:
    """One showing of personal data: who, when, which case, why, which fields."""

    id: int
    at: dt.datetime
    username: str
    case_id: int | None
    purpose: str
    fields: tuple[str, ...]
    ip: str | None = None


@dataclass(frozen=True)
class CaseDiagram:
    """One process of a case (main or called): its XML and the state of its elements."""

    process_id: str
    file: str
    xml: str
    completed: tuple[str, ...] = ()
    active: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()


@dataclass(frozen=True)
class Break:
    """The first broken link of a case's chain (``case_id`` 0: the anchor chain)."""

    case_id: int
    seq: int
    reason: str
    # what broke, for readers: event | erasure | head | snapshot | checkpoint | access_log | anchor
    kind: str = "event"

    def __str__(self) -> str:
        return f"case {self.case_id}, event {self.seq}: {self.reason}"


@dataclass(frozen=True)
class OperationalFigures:
    """The deployment at a glance (the metrics page): work waiting, its age, the clock's backlog."""

    running_cases: int
    open_tasks: int
    unassigned_tasks: int
    overdue_tasks: int
    # age of the oldest open task: how long the queue's head has waited
    oldest_open_task_seconds: float
    timers_pending: int
    # pending timers already due: the clock's backlog (should stay near 0)
    timers_due: int
    timer_incidents: int


@dataclass(frozen=True)
class VerifyReport:
    """Every hash chain re-checked: how many cases, events and anchors, and each break found."""

    cases: int = 0
    events: int = 0
    breaks: tuple[Break, ...] = ()
    anchors: int = 0
    # case rows whose shown status and data were checked against their last sealed digest
    snapshots: int = 0
    # rows of the personal-data access log checked in their per-case chains
    access_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.breaks


class MigrationBlock(enum.StrEnum):
    """Why a running case cannot move to another process version (the page words it; the
    ``params`` of a ``MigrationReason`` name the elements and processes involved)."""

    PROCESS_GONE = "process_gone"  # a called process the case runs is not in the new version
    AT_REMOVED = "at_removed"  # the case is at an element the new version removes (map it)
    PASSED_REMOVED = "passed_removed"  # the case went through an element the new version removes
    MAPPING_TARGET_MISSING = "mapping_target_missing"  # a mapping names an element not in the new version
    REBUILD_FAILED = "rebuild_failed"  # a called process cannot be re-run on the new version
    # a called process to re-run has a multi-instance activity (the rebuild does not match instances)
    REBUILD_MULTI_INSTANCE = "rebuild_multi_instance"
    ALREADY_ON_VERSION = "already_on_version"
    CASE_NOT_FOUND = "case_not_found"  # the case or the target version does not exist
    CASE_CLOSED = "case_closed"
    FORBIDDEN = "forbidden"  # outside the actor's territories
    REFUSED = "refused"  # any other refusal of the engine (``message`` says which)


@dataclass(frozen=True)
class MigrationReason:
    """One reason a case cannot migrate: a stable ``code``, its ``params`` (element or process id
    and its BPMN name: ``element``/``element_name``, ``target``, ``process``/``process_name``,
    ``version``) and an English ``message`` for logs, the CLI and API clients."""

    code: MigrationBlock
    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RebuiltProcess:
    """A called process that the migration re-runs on the new version (``engine.bpmn.rebuild``)."""

    process: str
    name: str


@dataclass(frozen=True)
class ElementLabel:
    """How a page names a BPMN element of a migration: its BPMN ``name`` (None when the diagram
    gives it none) and its ``kind`` (SpiffWorkflow's class name: ``UserTask``, ``EndEvent``…)."""

    name: str | None
    kind: str


@dataclass(frozen=True)
class CaseMigration:
    """The plan (dry run) or outcome of moving one running case to another process version."""

    case_id: int
    from_version: int
    to_version: int
    can_migrate: bool
    migrated: bool
    reasons: list[MigrationReason]
    active: list[str]
    changed: list[str]
    removed: list[str]
    added: list[str]
    # called processes the migration re-runs on the new version (said by the dry run too)
    rebuilt: list[RebuiltProcess] = field(default_factory=list)
    # every element id of ``active``/``changed``/``removed``/``added`` with its name and kind (old
    # version first, the new one for the elements it adds)
    elements: dict[str, ElementLabel] = field(default_factory=dict)

    @classmethod
    def refused(cls, case_id: int, from_version: int, to_version: int, reason: MigrationReason) -> CaseMigration:
        return cls(case_id, from_version, to_version, False, False, [reason], [], [], [], [])

    def as_dict(self) -> JsonObject:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class DryRunResult:
    """A draft run in memory on sample data: the path taken and where it stopped."""

    path: list[JsonObject] = field(default_factory=list)
    completed: bool = False
    stopped_at: list[JsonObject] = field(default_factory=list)
    data: JsonObject = field(default_factory=dict)
    error: str | None = None
    timers_fired: int = 0
    # the data after each step: {element, name, type (start | user_task | timer), changes, removed,
    # path_length (the path up to this step is path[:path_length])}
    steps: list[JsonObject] = field(default_factory=list)


@dataclass(frozen=True)
class ReplayStep:
    """The case right after one command, as replay rebuilt it."""

    cmd: int
    seqs: list[int]
    kind: str
    actor: str
    at: dt.datetime
    task_name: str | None
    matches: bool | None
    status: str
    data: JsonObject
    changes: dict[str, JsonObject]
    ready: list[str]
    elements: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # personal-data fields the step changed that the viewer may not see (filled for a viewer)
    withheld: list[str] = field(default_factory=list)
    # the process where the case's open work was after the step (None once ended)
    phase: str | None = None


@dataclass(frozen=True)
class ReplayResult:
    steps: list[ReplayStep]
    faithful: bool
    first_mismatch: int | None
    final: JsonObject
    # the command (its first event's seq) whose checkpoint the replay started from; None: from the
    # start, when the steps cover every command
    checkpoint: int | None = None
    # replayed from the start: the commands whose stored checkpoint differs from the replayed state
    bad_checkpoints: tuple[int, ...] = ()


@dataclass(frozen=True)
class ElementChange:
    id: str
    aspects: tuple[str, ...]


@dataclass(frozen=True)
class ElementDiff:
    """One process's elements added, removed and changed (with the aspects that differ)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[ElementChange, ...] = ()


@dataclass(frozen=True)
class ProcessDiff:
    """What changed between two versions (or a draft and the library), per process."""

    processes: dict[str, ElementDiff]
    process_id: str = ""
    from_version: int | None = None
    to_version: int | None = None

    def as_dict(self) -> JsonObject:
        """The JSON document (``from``/``to`` for a version diff) the API, pages and CLI give."""
        doc: JsonObject = {
            "processes": {
                pid: {
                    "added": list(entry.added),
                    "removed": list(entry.removed),
                    "changed": [{"id": c.id, "aspects": list(c.aspects)} for c in entry.changed],
                }
                for pid, entry in self.processes.items()
            }
        }
        if self.process_id:
            doc |= {"process_id": self.process_id, "from": self.from_version, "to": self.to_version}
        return doc


# Legal forms of a track-B enterprise (the same codes as the F3 form's choice), the roles a person
# or organisation has in it, and the registers it is entered in: labels the pages show.
ENTERPRISE_LEGAL_FORMS: dict[str, str] = {
    "COOP_SOCIALE_B": "Cooperativa sociale di tipo B (L. 381/1991)",
    "IMPRESA_SOCIALE_SRL": "Impresa sociale in forma di S.r.l. (D.Lgs. 112/2017)",
    "IMPRESA_SOCIALE_COOP": "Impresa sociale in forma cooperativa (D.Lgs. 112/2017)",
    "COOP_COMUNITA": "Cooperativa di comunità (legge regionale)",
}
ENTERPRISE_ROLES: dict[str, str] = {
    "FONDATORE": "Socio fondatore",
    "SOCIO_LAVORATORE": "Socio fondatore e lavoratore",
    "LAVORATORE": "Lavoratore",
    "SOCIO_COMUNITA": "Socio della comunità",
    "IMPRESA_MENTOR": "Impresa mentor",
}
_FOUNDER_ROLES = frozenset({"FONDATORE", "SOCIO_LAVORATORE"})
# How an enterprise hires a founder (the contract of the UniLav start notice).
ENTERPRISE_CONTRACTS: dict[str, str] = {
    "TEMPO_INDETERMINATO": "Tempo indeterminato",
    "TEMPO_DETERMINATO": "Tempo determinato",
    "APPRENDISTATO": "Apprendistato",
    "SOCIO_LAVORATORE": "Socio lavoratore (rapporto ulteriore)",
}
ENTERPRISE_REGISTRIES: dict[str, str] = {
    "REGISTRO_IMPRESE": "Registro delle imprese",
    "REGISTRO_IMPRESE_SEZ_IS": "Registro delle imprese, sezione speciale imprese sociali",
    "ALBO_COOPERATIVE": "Albo delle società cooperative",
    "ALBO_REGIONALE_COOP_SOCIALI": "Albo regionale delle cooperative sociali (sezione B)",
    "ALBO_REGIONALE_COOP_COMUNITA": "Albo regionale delle cooperative di comunità",
    "RUNTS": "Registro unico nazionale del Terzo settore",
}

# The categories an enterprise's quota counts (L. 381/1991 art. 4; D.Lgs. 112/2017 art. 2 c.4).
ENTERPRISE_CATEGORIES: dict[str, str] = {
    "INV_FIS_PSI_SENS": "Invalidità fisica, psichica o sensoriale (L. 381/1991)",
    "EX_DEGENTE_OP_OPG": "Ex degente di ospedale psichiatrico, anche giudiziario (L. 381/1991)",
    "TRATT_PSICHIATRICO": "In trattamento psichiatrico (L. 381/1991)",
    "TOSSICODIPENDENTE": "Tossicodipendenza (L. 381/1991)",
    "ALCOLISTA": "Alcolismo (L. 381/1991)",
    "MINORE_DIFF_FAM": "Minore in età lavorativa in difficoltà familiare (L. 381/1991)",
    "DETENUTO_INTERNATO": "Detenuto o internato (L. 381/1991)",
    "MISURA_ALTERNATIVA": "Misura alternativa alla detenzione (L. 381/1991)",
    "DPCM": "Categoria aggiunta con DPCM (L. 381/1991)",
    "IS_A_MOLTO_SVANTAGGIATO": "Lavoratore molto svantaggiato (D.Lgs. 112/2017, lett. a)",
    "IS_B_SVANTAGGIATO_DISABILE": "Persona svantaggiata o con disabilità (D.Lgs. 112/2017, lett. b)",
    "IS_B_PROTEZIONE_INTERNAZIONALE": "Titolare di protezione internazionale (D.Lgs. 112/2017, lett. b)",
    "IS_B_SENZA_DIMORA": "Persona senza dimora (D.Lgs. 112/2017, lett. b)",
}


@dataclass(frozen=True)
class Registration:
    """One registration of an enterprise (registro imprese, albo cooperative, albo regionale…)."""

    registro: str
    numero: str
    data: str  # ISO day


@dataclass(frozen=True)
class EnterpriseLink:
    """A person or organisation linked to an enterprise: a beneficiary case (founder, worker), a
    founder or community member who is not a beneficiary, or the mentoring company.

    Worker fields (hire date, categories, PA evidence) feed the quota engine; dates are ISO days.
    """

    id: int
    ruolo: str
    case_id: int | None
    organisation_code: str | None
    nominativo: str | None
    categorie: tuple[str, ...]
    evidenza_pa: bool
    data_assunzione: str | None
    data_cessazione: str | None
    volontario: bool
    added_at: dt.datetime
    added_by: str
    case_title: str = ""
    organisation_name: str = ""

    @property
    def in_organico(self) -> bool:
        """A worker on the roster (founders who do not work for the enterprise are not)."""
        return self.data_assunzione is not None


@dataclass(frozen=True)
class Enterprise:
    """A social or community enterprise: its record and the case that runs its own process."""

    id: int
    case_id: int
    territory: str
    denominazione: str
    forma_giuridica: str
    regione: str
    sede: str
    partita_iva: str | None
    codice_ateco: str | None
    iscrizioni: tuple[Registration, ...]
    created_at: dt.datetime
    created_by: str
    links: tuple[EnterpriseLink, ...] = ()

    @property
    def founders_hired(self) -> tuple[int, int]:
        """(founders from the programme, of whom hired by the enterprise): beneficiary cases
        linked as founders, and those with a hire date in it (``hire_founder`` or linked as a
        founding member who works there)."""
        founders = {lk.case_id for lk in self.links if lk.case_id is not None and lk.ruolo in _FOUNDER_ROLES}
        hired = {lk.case_id for lk in self.links if lk.case_id in founders and lk.data_assunzione}
        return len(founders), len(hired)


@dataclass(frozen=True)
class AwaitedEvent:
    """Something a waiting case waits for: a timer (with its due time) or a message (by name)."""

    kind: str  # "timer" or "message"
    element: str  # the catching element's name in the diagram (its id when it has none)
    bpmn_id: str
    due_at: dt.datetime | None = None
    message: str | None = None


@dataclass(frozen=True)
class CaseOutlook:
    """What happens next on a case: its status, the open tasks and what it waits for."""

    case_id: int
    status: CaseStatus
    open_tasks: tuple[TaskView, ...] = ()
    awaited: tuple[AwaitedEvent, ...] = ()
    # the case actions the asking actor may take now (``CaseAction`` values)
    actions: tuple[str, ...] = ()


class CaseAction(enum.StrEnum):
    WITHDRAW = "withdraw"
    SUSPEND = "suspend"
    RESUME = "resume"
    CLOSE = "close"
    CANCEL = "cancel"
    HEALTH_ALERT = "health_alert"  # the health service in charge alerts the case team


# --- Monitoring: the programme's read model and its reports (engine.monitoring) -------------


@dataclass(frozen=True)
class CaseFacts:
    """One case as the monitoring read model keeps it (table ``report_case``): what the reports
    count, taken from the case's data after each command, never from the workflow at query time."""

    case_id: int
    process_id: str
    territory: str
    status: str
    phase: str | None
    stato_caso: str | None
    referral_on: dt.date | None = None
    taken_in_charge_on: dt.date | None = None
    outcome: str | None = None
    outcome_on: dt.date | None = None
    track: str | None = None
    instrument: str | None = None
    pact_on: dt.date | None = None
    started_on: dt.date | None = None
    implementation_outcome: str | None = None
    closure_reason: str | None = None
    closed_on: dt.date | None = None
    redesigns: int = 0
    adi: bool = False
    entry_on: dt.date | None = None
    gender: str | None = None
    age_band: str | None = None
    labour_status: str | None = None
    isced: str | None = None
    disability: str | None = None
    citizenship: str | None = None
    foreign_background: str | None = None
    minority: str | None = None
    housing: str | None = None
    municipality: str | None = None
    exit_on: dt.date | None = None
    exit_reason: str | None = None
    eecr01: bool | None = None
    eecr02: bool | None = None
    eecr03: bool | None = None
    eecr04: bool | None = None
    follow_up_6m_on: dt.date | None = None
    condition_6m: str | None = None
    improved_6m: str | None = None
    follow_up_12m_on: dt.date | None = None
    condition_12m: str | None = None
    # stored on the case row (``cases.last_activity_at``), which every command saves anyway
    last_activity_at: dt.datetime | None = None


@dataclass(frozen=True)
class Span:
    """A person of a times report: territory, ADI/SFL, case status, the days from referral to the
    step (None: not yet) and, while not yet, the days since referral."""

    territory: str
    adi: bool
    status: str
    days: int | None
    age: int | None


@dataclass(frozen=True)
class Period:
    """A reporting period: a year (``2026``), a half (``2026-H2``) or a quarter (``2026-Q3``);
    ``end`` is the first day after it."""

    code: str
    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Cell:
    """One figure of a report; ``value`` is None when suppressed (fewer than five people behind it)
    or when there is nothing to compute (no case to take a median of)."""

    value: int | float | None
    suppressed: bool = False


@dataclass(frozen=True)
class ReportRow:
    key: str
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class ReportTable:
    """A table of a report: ``columns`` label the cells of every row (the row label comes first)."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[ReportRow, ...]
    note: str = ""


@dataclass(frozen=True)
class Report:
    """A report on a period and a territory (None: every territory the viewer covers). An empty
    report has no tables and says why in ``empty_reason``."""

    kind: str
    title: str
    period: Period
    territory: str | None
    tables: tuple[ReportTable, ...]
    generated_at: dt.datetime
    empty_reason: str | None = None
    cases: int = 0


@dataclass(frozen=True)
class RebuildResult:
    cases: int
    replayed: int
    kept: tuple[int, ...] = ()


FileValue = str | int | float | bool | dt.date | dt.datetime | None


@dataclass(frozen=True)
class ArchivedDocument:
    """An approved programme document (semester report, evaluation) whose PDF can be downloaded."""

    case_id: int
    title: str
    period: str  # 2026-H1
    period_label: str  # Primo semestre 2026
    territory: str | None
    approved_on: str  # ISO date


@dataclass(frozen=True)
class ExportFile:
    """A download: its file name, media type and body (CSV is a stream of text chunks)."""

    name: str
    media_type: str
    body: bytes | str | Iterator[str]


@dataclass(frozen=True)
class DataFile:
    """Rows for an export (CSV, XLSX, JSON): Italian column headers, one tuple per row."""

    key: str
    title: str
    period: Period
    territory: str | None
    columns: tuple[str, ...]
    rows: tuple[tuple[FileValue, ...], ...]


@dataclass(frozen=True)
class RuleChange:
    """A rule of a decision table added, removed or changed between two versions of a DMN file.
    Rules are matched by id, then by content; ``before``/``after`` are the cells (inputs, outputs)."""

    decision_id: str
    decision_name: str
    rule_id: str
    status: str  # added | removed | changed
    number_before: int | None
    number_after: int | None
    columns: tuple[str, ...]
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class DecisionRuleRow:
    """One rule of a decision table as shown: its cells' text, input cells then output cells."""

    id: str
    number: int
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class DecisionTableView:
    """A decision table of a DMN file as a table: column titles and rules."""

    decision_id: str
    decision_name: str
    hit_policy: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    rules: tuple[DecisionRuleRow, ...]


@dataclass(frozen=True)
class ElementLoad:
    """One user task of a process as the cases went through it: how many passed, how many are
    there now, the days they spent (median, 90th percentile) and the share that ran late."""

    bpmn_id: str
    name: str
    passed: Cell
    now: Cell
    median_days: Cell
    p90_days: Cell
    overdue_share: Cell
    # the cases there now, for viewers who may open the case list (else empty)
    cases: tuple[int, ...] = ()


@dataclass(frozen=True)
class ProcessLoad:
    process_id: str
    xml: str
    elements: tuple[ElementLoad, ...]


@dataclass(frozen=True)
class DryRunTask:
    """A user task a dry run may meet (in the process or what it calls), with the form it shows."""

    bpmn_id: str
    name: str
    form_key: str | None
    lane: str | None


@dataclass(frozen=True)
class DryRunScenario:
    """A dry run kept for a process: start data and answers, run again after each change."""

    id: int
    process_id: str
    name: str
    data: JsonObject
    answers: JsonObject
    created_by: str
    created_at: dt.datetime
    # what it was saved against: the deployed version of the process then (None: never
    # deployed), the draft it was run on and that draft's revision
    process_version: int | None = None
    draft_id: int | None = None
    draft_revision: int | None = None
