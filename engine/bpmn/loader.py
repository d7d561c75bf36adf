"""Turns BPMN/DMN source files into SpiffWorkflow specs, or into a list of located problems.

Parsing happens at validation and deployment time (and once per process version per server,
through ``SpecCache``), never per request. XML is read by a hardened lxml parser first: no DTDs,
no entities, no network, so an uploaded "billion laughs" or XXE file is refused before
SpiffWorkflow sees it. Every problem names its file, element id and line.

DMN files are checked against the XSD of their version (1.1, 1.2 or 1.3, whichever modeler wrote
them), except where SpiffWorkflow's own copy of a schema does not compile: its DMN 1.2 schema
imports a DMNDI file that holds the DI schema instead, so a DMN 1.2 file (Camunda Modeler 4)
would crash the parser; such a file is parsed without the XSD, and our own DMN checks still run.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as SPIFF_DMN_SCHEMAS
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.bpmn.prewiring import prewire
from engine.errors import InvalidProcess, ProcessProblem

# SourceFile is a value of the engine's boundary (engine.model); named here too for the tests and
# benchmarks that build libraries from files
from engine.model import SourceFile as SourceFile

BPMN_MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MAX_FILE_BYTES = 2_000_000
_DECISION_RE = re.compile(rb"calledDecisionId>\s*([^<\s]+)\s*<")
_DAYS = re.compile(r"[0-9]{1,5}")  # ASCII digits only: str.isdigit() also accepts "²"
_PRIORITY = re.compile(r"-?[0-9]{1,4}")


def _compiles(path: str) -> bool:
    try:
        etree.XMLSchema(file=path)
    except etree.XMLSchemaParseError:
        return False
    return True


# DMN namespace -> XSD, for the versions whose schema SpiffWorkflow ships in a usable state
DMN_SCHEMAS = {namespace: path for namespace, path in SPIFF_DMN_SCHEMAS.items() if _compiles(path)}


def new_parser() -> SpiffBpmnParser:
    """SpiffWorkflow's parser with XSD validation, for BPMN and for the DMN versions it can check."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.dmn_schemas = DMN_SCHEMAS
    return parser


@dataclass(frozen=True)
class UserTaskInfo:
    """What the engine needs to know of a human task without touching SpiffWorkflow."""

    bpmn_id: str
    name: str
    lane: str | None
    form_key: str | None
    due_in_days: int | None
    due_param: str | None
    instructions: str
    documentation: str
    priority: int = 0
    # what the engine adds to the answer when the task is completed (``engineData``, docs/monitoring.md)
    engine_data: str | None = None
    # the answer's field whose decision the engine carries out on the case (``caseAction``:
    # suspension or closure d'ufficio, engine/services/case_actions.py) and the field giving its reason
    case_action: str | None = None
    case_action_reason: str | None = None


@dataclass
class ProcessSpecs:
    """One executable process, ready to instantiate: spec, called specs and their sources."""

    process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]
    files: tuple[SourceFile, ...]
    user_tasks: dict[str, UserTaskInfo] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """Hash of the closure: this process's file, the files it calls and the DMN it uses."""
        digest = hashlib.sha256()
        for f in sorted(self.files, key=lambda f: f.name):
            digest.update(f.name.encode() + b"\0" + f.sha256.encode() + b"\n")
        return digest.hexdigest()


def _hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def element_ids(source: SourceFile, local_name: str) -> list[str]:
    """Ids of the BPMN elements named ``local_name`` (``process``, ``userTask``) in one file, in
    document order (the file is parsed as safely as ``read_xml`` does)."""
    root = read_xml(source)
    return [str(node.get("id")) for node in root.iter(f"{{{BPMN_MODEL}}}{local_name}") if node.get("id")]


def read_xml(source: SourceFile) -> Any:
    """Parse one file safely; raises InvalidProcess naming the file and line."""
    if len(source.content) > MAX_FILE_BYTES:
        raise InvalidProcess(
            f"{source.name}: file is larger than {MAX_FILE_BYTES // 1_000_000} MB",
            [ProcessProblem(f"file is larger than {MAX_FILE_BYTES} bytes", file=source.name)],
        )
    try:
        root = etree.fromstring(source.content, _hardened_parser())
    except etree.XMLSyntaxError as err:
        line = err.lineno if isinstance(err.lineno, int) else None
        raise InvalidProcess(
            f"{source.name}:{line}: malformed XML: {err.msg}",
            [ProcessProblem(f"malformed XML: {err.msg}", file=source.name, line=line)],
        ) from None
    if root.getroottree().docinfo.doctype:
        raise InvalidProcess(
            f"{source.name}: DOCTYPE declarations are not allowed",
            [ProcessProblem("DOCTYPE declarations (entities) are not allowed", file=source.name, line=1)],
        )
    return root


class Library:
    """A parsed set of BPMN and DMN files (one deployment's worth, or one validation run)."""

    def __init__(self, files: Iterable[SourceFile]) -> None:
        self.files: dict[str, SourceFile] = {}
        self.roots: dict[str, Any] = {}
        self.parser = new_parser()
        self._parsed: dict[str, ProcessSpecs] = {}
        self._parse_lock = threading.RLock()
        for source in files:
            if source.name in self.files:
                raise InvalidProcess(f"{source.name}: file given twice")
            self.files[source.name] = source
        for source in sorted(self.files.values(), key=lambda s: s.kind != "dmn"):
            root = read_xml(source)
            self.roots[source.name] = root
            try:
                if source.kind == "dmn":
                    self.parser.add_dmn_xml(root, filename=source.name)
                else:
                    self.parser.add_bpmn_xml(root, filename=source.name)
            except ValidationException as err:
                problem = self.locate(err)
                raise InvalidProcess(str(problem), [problem]) from None
        # Taken before any parse: parsing a process registers its embedded sub-processes with the
        # parser as processes of their own, and a shared library would then deploy them.
        self._process_ids = sorted(self.parser.get_process_ids())

    def process_ids(self) -> list[str]:
        """The executable processes of the files (never an embedded sub-process)."""
        return list(self._process_ids)

    def process_file(self, process_id: str) -> str | None:
        parser = self.parser.get_process_parser(process_id)
        return str(parser.filename) if parser is not None and parser.filename else None

    def line_of(self, file_name: str, element_id: str) -> int | None:
        root = self.roots.get(file_name)
        if root is None or not element_id:
            return None
        found = root.xpath("//*[@id=$i]", i=element_id)
        return int(found[0].sourceline) if found else None

    def locate(self, err: ValidationException) -> ProcessProblem:
        file_name = str(getattr(err, "file_name", "") or "")
        element = str(getattr(err, "id", "") or "")
        line = getattr(err, "line_number", None)
        if not isinstance(line, int) or line <= 0:
            line = self.line_of(file_name, element) if file_name else None
            if line is None and element:
                for name in self.files:
                    line = self.line_of(name, element)
                    if line is not None:
                        file_name = name
                        break
        message = str(err).split(". Note:")[0].strip().rstrip(".") or type(err).__name__
        tag = str(getattr(err, "tag", "") or "")
        if tag and element:
            message = f"{message} ({tag})"
        return ProcessProblem(message, file=file_name, element=element, line=line or None)

    def specs(self, process_id: str) -> ProcessSpecs:
        """The parsed process (once per library: specs are read-only once built)."""
        parsed = self._parsed.get(process_id)
        if parsed is None:
            with self._parse_lock:
                parsed = self._parsed.get(process_id) or self._parse(process_id)
                self._parsed[process_id] = parsed
        return parsed

    def _parse(self, process_id: str) -> ProcessSpecs:
        try:
            spec = self.parser.get_spec(process_id)
            subprocess_specs = self.parser.get_subprocess_specs(process_id)
        except ValidationException as err:
            problem = self.locate(err)
            raise InvalidProcess(str(problem), [problem]) from None
        except SpiffWorkflowException as err:
            raise InvalidProcess(f"{process_id}: {err}", [ProcessProblem(str(err))]) from None
        names = {self.process_file(pid) for pid in [process_id, *subprocess_specs]}
        closure = {n for n in names if n}
        for name in list(closure):
            for decision in _DECISION_RE.findall(self.files[name].content):
                dmn = self.parser.dmn_parsers.get(decision.decode())
                if dmn is not None and dmn.filename:
                    closure.add(str(dmn.filename))
        for each in [spec, *subprocess_specs.values()]:
            prewire(each)  # identical specs on every server, used or not (see prewiring.py)
        result = ProcessSpecs(
            process_id=process_id,
            name=str(getattr(spec, "description", "") or process_id),
            spec=spec,
            subprocess_specs=subprocess_specs,
            files=tuple(self.files[n] for n in sorted(closure)),
        )
        for s in [spec, *subprocess_specs.values()]:
            for ts in s.task_specs.values():
                info = user_task_info(ts)
                if info is not None:
                    result.user_tasks.setdefault(info.bpmn_id, info)
        return result

    def all_specs(self) -> dict[str, ProcessSpecs]:
        return {pid: self.specs(pid) for pid in self.process_ids()}


def user_task_info(task_spec: Any) -> UserTaskInfo | None:
    if not getattr(task_spec, "manual", False) or not getattr(task_spec, "bpmn_id", None):
        return None
    ext = getattr(task_spec, "extensions", None) or {}
    props: Mapping[str, str] = ext.get("properties", {}) or {}
    due = props.get("dueInDays")
    return UserTaskInfo(
        bpmn_id=str(task_spec.bpmn_id),
        name=str(task_spec.bpmn_name or task_spec.bpmn_id),
        lane=task_spec.lane,
        form_key=props.get("formKey") or None,
        due_in_days=int(due) if due is not None and _DAYS.fullmatch(str(due)) else None,
        due_param=props.get("dueParam") or None,
        instructions=str(ext.get("instructionsForEndUser") or ""),
        documentation=str(getattr(task_spec, "documentation", "") or ""),
        priority=int(props["priority"]) if _PRIORITY.fullmatch(str(props.get("priority", ""))) else 0,
        engine_data=props.get("engineData") or None,
        case_action=props.get("caseAction") or None,
        case_action_reason=props.get("caseActionReason") or None,
    )


_LIBRARIES: OrderedDict[str, Library] = OrderedDict()
_LIBRARIES_LOCK = threading.Lock()
_LIBRARIES_KEPT = 8


def library_key(files: Iterable[SourceFile]) -> str:
    """A digest of file names and contents, in order: equal keys, equal libraries."""
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode() + b"\0" + f.sha256.encode() + b"\n")
    return digest.hexdigest()


def parsed_library(files: Iterable[SourceFile]) -> Library:
    """The parsed library of exactly these files, shared within the process: deploying or
    validating the same files again (each server start, each test) parses nothing. A library
    that fails to parse is not kept."""
    sources = list(files)
    key = library_key(sources)
    with _LIBRARIES_LOCK:
        found = _LIBRARIES.get(key)
        if found is not None:
            _LIBRARIES.move_to_end(key)
            return found
    library = Library(sources)
    with _LIBRARIES_LOCK:
        _LIBRARIES[key] = library
        while len(_LIBRARIES) > _LIBRARIES_KEPT:
            _LIBRARIES.popitem(last=False)
    return library


class SpecCache:
    """Process-wide cache of parsed specs by process version id; parses each version once."""

    def __init__(self) -> None:
        self._specs: dict[int, ProcessSpecs] = {}
        self._lock = threading.Lock()

    def get(self, version_id: int, fetch: Callable[[int], tuple[str, list[SourceFile]]]) -> ProcessSpecs:
        """The specs of a version; ``fetch`` reads its (process id, files) on a cache miss."""
        cached = self._specs.get(version_id)
        if cached is not None:
            return cached
        with self._lock:
            if version_id not in self._specs:
                process_id, files = fetch(version_id)
                self._specs[version_id] = parsed_library(files).specs(process_id)
            return self._specs[version_id]

    def cached(self) -> dict[int, ProcessSpecs]:
        """The specs parsed so far, by process version id."""
        with self._lock:
            return dict(self._specs)

    def put(self, version_id: int, specs: ProcessSpecs) -> None:
        with self._lock:
            self._specs[version_id] = specs
