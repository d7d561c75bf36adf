"""Decision tests: examples kept inside a decision's DMN file and run by the real engine.

Where they live. In the ``<decision>``'s ``<extensionElements>``, as
``<impresa:decisionTests>`` (namespace ``TESTS_NS``): DMN allows any foreign element there and
SpiffWorkflow's parser ignores it. So a table and the examples that prove it are one file: one
draft, one review, one content hash (a test change makes a new version of every process that uses
the decision, like a rule change), exported and uploaded together, and the diff between versions
shows both. ::

    <impresa:decisionTests>
      <impresa:defaults><impresa:input name="eta">35</impresa:input>…</impresa:defaults>
      <impresa:test id="T_invalidita_46" name="Invalidità al 46%" article="L. 381/1991 art. 4 c.1">
        <impresa:input name="invalidita_civile_perc">46</impresa:input>
        <impresa:expect name="cat_381">["INV_FIS_PSI_SENS"]</impresa:expect>
      </impresa:test>
    </impresa:decisionTests>

Values are JSON. A test's inputs go over the defaults; every ``expect`` names an output and the
value it must have: for a COLLECT table the list of every matching row's value (``[]`` when none
matches), for the others the first match's value (``null`` when none matches, where the engine
itself sets nothing).

How they run. Each test runs the decision from a one-task process through SpiffBpmnParser and our
script sandbox, exactly as a case's business rule task does; the rows that matched are reported
too. A test that fails (or names an input the table does not read, or an output it does not
have) is a problem of the file, so the library refuses to deploy it.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import datetime as dt
import hashlib
import json
import re
import threading
from collections.abc import Mapping
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.bpmn import dmn_cells, loader
from engine.bpmn.dmn_table import DecisionTable, DmnFile, children, local
from engine.bpmn.scripting import build_script_engine, make_helpers
from engine.errors import InvalidData, NotFound, ProcessProblem
from engine.model import DecisionTestCase, DecisionTestResult, DecisionTestSuite, DecisionTestSuiteView

TESTS_NS = "http://impresapernoi.it/schema/decision-tests"
PREFIX = "impresa"
# Tests run on a fixed day, so one that uses fn_today() gives the same answer tomorrow.
TEST_DAY = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)

_WRAPPER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="D_decision_test"
  targetNamespace="http://impresapernoi.it/decision-test">
  <bpmn:process id="decision_test" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide" name="Decisione">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def _q(name: str) -> str:
    return f"{{{TESTS_NS}}}{name}"


# --- reading and writing the suite ---------------------------------------------------------------


def _values(node: Any, tag: str, out: dict[str, Any], bad: list[tuple[str, str, str]]) -> None:
    for item in node.iterchildren(_q(tag)):
        name = (item.get("name") or "").strip()
        text = (item.text or "").strip()
        try:
            out[name] = json.loads(text) if text else None
        except ValueError as err:
            bad.append((name, text, str(err)))
            out[name] = text


def read_suite(decision: Any) -> tuple[DecisionTestSuite | None, list[tuple[str, str, str, str]]]:
    """The tests of one ``<decision>`` element, and the values that are not JSON
    (test id, name, text, error)."""
    blocks = [b for ext in children(decision, "extensionElements") for b in ext.iterchildren(_q("decisionTests"))]
    if not blocks:
        return None, []
    block = blocks[0]
    bad: list[tuple[str, str, str, str]] = []
    defaults: dict[str, Any] = {}
    for node in block.iterchildren(_q("defaults")):
        found: list[tuple[str, str, str]] = []
        _values(node, "input", defaults, found)
        bad += [("", *b) for b in found]
    tests = []
    for node in block.iterchildren(_q("test")):
        inputs: dict[str, Any] = {}
        expected: dict[str, Any] = {}
        found = []
        _values(node, "input", inputs, found)
        _values(node, "expect", expected, found)
        test_id = node.get("id", "") or ""
        bad += [(test_id, *b) for b in found]
        tests.append(
            DecisionTestCase(
                id=test_id,
                name=node.get("name", "") or "",
                article=node.get("article", "") or "",
                inputs=inputs,
                expected=expected,
            )
        )
    return DecisionTestSuite(decision.get("id", ""), defaults, tuple(tests)), bad


def _line(decision: Any, test_id: str) -> int | None:
    for node in decision.iter(_q("test")):
        if node.get("id") == test_id:
            return int(node.sourceline)
    return None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def suite_element(suite: DecisionTestSuite) -> Any:
    block = etree.Element(_q("decisionTests"), nsmap={PREFIX: TESTS_NS})
    if suite.defaults:
        defaults = etree.SubElement(block, _q("defaults"))
        for name, value in suite.defaults.items():
            etree.SubElement(defaults, _q("input"), name=name).text = _json(value)
    for test in suite.tests:
        attrs = {"id": test.id, "name": test.name}
        if test.article:
            attrs["article"] = test.article
        node = etree.SubElement(block, _q("test"), attrs)
        for name, value in test.inputs.items():
            etree.SubElement(node, _q("input"), name=name).text = _json(value)
        for name, value in test.expected.items():
            etree.SubElement(node, _q("expect"), name=name).text = _json(value)
    return block


def write_suite(root: Any, suite: DecisionTestSuite) -> None:
    """Put ``suite`` into its decision (replacing the tests it had), in place."""
    decision = next(
        (d for d in root.iter() if local(d) == "decision" and d.get("id") == suite.decision_id),
        None,
    )
    if decision is None:
        raise KeyError(suite.decision_id)
    dmn_ns = etree.QName(decision).namespace
    extensions = children(decision, "extensionElements")
    if extensions:
        ext = extensions[0]
    else:
        ext = etree.Element(f"{{{dmn_ns}}}extensionElements" if dmn_ns else "extensionElements")
        descriptions = children(decision, "description")
        # DMN's order: description, extensionElements, then the rest.
        index = decision.index(descriptions[0]) + 1 if descriptions else 0
        decision.insert(index, ext)
    for old in list(ext.iterchildren(_q("decisionTests"))):
        ext.remove(old)
    if suite.tests or suite.defaults:
        ext.append(suite_element(suite))
    elif not len(ext):
        decision.remove(ext)
        return
    depth = sum(1 for _ in ext.iterancestors())
    etree.indent(ext, space="  ", level=depth)
    ext.tail = "\n" + "  " * depth


def serialize(root: Any) -> bytes:
    """A DMN document as UTF-8 bytes with the usual declaration."""
    body: bytes = etree.tostring(root, encoding="UTF-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


# --- writing one test (the designer's pages and the API) ---------------------------------------

TEST_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
MAX_TEXT = 500


def check_case(test: DecisionTestCase) -> dict[str, list[str]]:
    """What is wrong with a test as written (field -> Italian messages); names the table does
    not read are no error here: the save reports them as problems of the file."""
    found: dict[str, list[str]] = {}
    if not TEST_ID.match(test.id):
        found["test_id"] = ["Serve un identificativo: lettera o _, poi lettere, cifre, _ . - (es. T_invalidita_46)."]
    if not test.name.strip():
        found["name"] = ["Scrivi il nome del test."]
    elif len(test.name) > MAX_TEXT:
        found["name"] = [f"Al massimo {MAX_TEXT} caratteri."]
    if len(test.article) > MAX_TEXT:
        found["article"] = [f"Al massimo {MAX_TEXT} caratteri."]
    for field, values in (("inputs", test.inputs), ("expected", test.expected)):
        bad = [name for name in values if not VARIABLE.match(name)]
        if bad:
            found[field] = [f"«{name}» non è un nome di variabile (lettere, cifre e _)." for name in bad]
    if not test.expected and "expected" not in found:
        found["expected"] = ["Indica almeno un risultato atteso."]
    return found


def _decision_of(dmn: DmnFile, decision_id: str | None) -> Any:
    with_table = [d for d in dmn.decisions if children(d, "decisionTable")]
    if decision_id:
        found = [d for d in with_table if d.get("id") == decision_id]
        if not found:
            raise InvalidData(
                f"no decision table {decision_id!r}",
                {"decision_id": [f"La tabella decisionale «{decision_id}» non è in questo file."]},
            )
        return found[0]
    if len(with_table) != 1:
        raise InvalidData("which decision?", {"decision_id": ["Indica la tabella decisionale del test."]})
    return with_table[0]


def put_test(dmn: DmnFile, decision_id: str | None, test: DecisionTestCase, replaces: str | None = None) -> bytes:
    """The file with ``test`` added to its decision's tests (or put in place of the test
    ``replaces``, keeping its position). ``InvalidData`` with Italian field messages for a test
    badly written or an id already taken; ``NotFound`` when ``replaces`` is not there."""
    found = check_case(test)
    if found:
        raise InvalidData("invalid decision test", found)
    decision = _decision_of(dmn, decision_id)
    suite, _bad = read_suite(decision)
    suite = suite or DecisionTestSuite(decision.get("id", ""), {}, ())
    tests = list(suite.tests)
    ids = [t.id for t in tests]
    if replaces is not None and replaces not in ids:
        raise NotFound(f"decision test {replaces!r} not found")
    if test.id in ids and test.id != replaces:
        raise InvalidData("test id taken", {"test_id": [f"Esiste già un test «{test.id}» in questa tabella."]})
    if replaces is None:
        tests.append(test)
    else:
        tests[ids.index(replaces)] = test
    write_suite(dmn.root, DecisionTestSuite(suite.decision_id, suite.defaults, tuple(tests)))
    return serialize(dmn.root)


def remove_test(dmn: DmnFile, decision_id: str | None, test_id: str) -> bytes:
    """The file without the test ``test_id`` (``NotFound`` when it is not there)."""
    decision = _decision_of(dmn, decision_id)
    suite, _bad = read_suite(decision)
    if suite is None or test_id not in [t.id for t in suite.tests]:
        raise NotFound(f"decision test {test_id!r} not found")
    kept = tuple(t for t in suite.tests if t.id != test_id)
    write_suite(dmn.root, DecisionTestSuite(suite.decision_id, suite.defaults, kept))
    return serialize(dmn.root)


def suites(dmn: DmnFile) -> list[DecisionTestSuiteView]:
    """Every decision table of the file with its tests as written (run or not), the variables
    the table reads and its outputs: what a designer needs to write a test."""
    tables = {t.decision_id: t for t in dmn.tables}
    found = []
    for decision in dmn.decisions:
        table = tables.get(decision.get("id", ""))
        if table is None:
            continue
        suite, _bad = read_suite(decision)
        found.append(
            DecisionTestSuiteView(
                decision_id=table.decision_id,
                decision_name=table.decision_name or table.decision_id,
                reads=tuple(sorted(table_reads(table))),
                outputs=table.output_names,
                defaults=dict(suite.defaults) if suite else {},
                tests=suite.tests if suite else (),
                titles={
                    **{(c.expression or "").strip(): c.title for c in table.inputs if c.label},
                    **{c.name: c.title for c in table.outputs if c.name and c.label},
                },
            )
        )
    return found


# --- running -------------------------------------------------------------------------------------


class _Runner:
    """The decision of one DMN file, parsed once, ready to run tests."""

    def __init__(self, content: bytes, file: str, decision_id: str, parameters: Mapping[str, Any]) -> None:
        parser = loader.new_parser()
        parser.add_dmn_str(content, filename=file)
        parser.add_bpmn_str(_WRAPPER.format(decision=decision_id).encode(), "decision_test.bpmn")
        self.spec = parser.get_spec("decision_test")
        self.engine = build_script_engine(lambda: TEST_DAY, parameters)

    def run(self, data: dict[str, Any]) -> tuple[dict[str, Any], tuple[int, ...]]:
        wf = BpmnWorkflow(self.spec, script_engine=self.engine)
        wf.get_next_task(spec_name="Start").data.update(data)
        wf.do_engine_steps()
        task = wf.get_next_task(spec_name="decide")
        rules = tuple(r.row_number for r in task.task_spec.dmnEngine.decide(task))
        return dict(task.data), rules


def _outcome(table: DecisionTable, data: dict[str, Any]) -> dict[str, Any]:
    empty: Any = [] if table.hit_policy == "COLLECT" else None
    return {name: data.get(name, empty) for name in table.output_names}


def run_suite(
    file: str, content: bytes, table: DecisionTable, suite: DecisionTestSuite, parameters: Mapping[str, Any]
) -> list[DecisionTestResult]:
    runner: _Runner | None = None
    setup_error: str | None = None
    try:
        runner = _Runner(content, file, table.decision_id, parameters)
    except (SpiffWorkflowException, etree.LxmlError, ValueError) as err:
        setup_error = str(err).split(". Note:")[0]
    results = []
    for test in suite.tests:
        given = {**suite.defaults, **test.inputs}
        actual: dict[str, Any] = {}
        rules: tuple[int, ...] = ()
        error = setup_error
        if runner is not None:
            try:
                data, rules = runner.run(dict(given))
                actual = _outcome(table, data)
            except Exception as err:  # noqa: BLE001 - any failure of the table is the test's result
                error = _error_text(err)
        passed = error is None and all(actual.get(k) == v for k, v in test.expected.items()) and bool(test.expected)
        results.append(
            DecisionTestResult(
                file=file,
                decision_id=table.decision_id,
                test_id=test.id,
                name=test.name,
                article=test.article,
                passed=passed,
                expected=dict(test.expected),
                actual={k: actual.get(k) for k in test.expected} if error is None else {},
                matched_rules=rules,
                error=error,
                inputs=dict(test.inputs),
            )
        )
    return results


def _error_text(err: Exception) -> str:
    text = str(err).split(". Note:")[0].strip()
    notes = [n for n in getattr(err, "__notes__", []) if "row" in n]
    return f"{text} ({'; '.join(notes)})" if notes else text or type(err).__name__


# --- checking a file: problems and results -----------------------------------------------------

_KNOWN = frozenset(dir(builtins)) | frozenset(make_helpers(lambda: TEST_DAY, {})) | {"math", dmn_cells.SUBJECT}


def table_reads(table: DecisionTable) -> frozenset[str]:
    """The variables the table reads: names in its input expressions and in every cell."""
    sources = [c.expression or "" for c in table.inputs]
    for rule in table.rules:
        for column, cell in zip(table.inputs, rule.inputs, strict=False):
            if not dmn_cells.is_any(cell.text) and cell.text:
                try:
                    sources.append(dmn_cells.engine_expression((column.expression or "x").strip() or "x", cell.text)[0])
                except SyntaxError:
                    continue
        sources += [c.text or "" for c in rule.outputs]
    names: set[str] = set()
    for source in sources:
        try:
            tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError:
            continue
        bound = {
            t.id
            for n in ast.walk(tree)
            if isinstance(n, ast.comprehension)
            for t in ast.walk(n.target)
            if isinstance(t, ast.Name)
        }
        names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound
    return frozenset(names - _KNOWN)


_CACHE: dict[tuple[str, str], tuple[list[ProcessProblem], list[DecisionTestResult]]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 256


def check_tests(
    dmn: DmnFile, content: bytes, parameters: Mapping[str, Any]
) -> tuple[list[ProcessProblem], list[DecisionTestResult]]:
    """The problems of a file's decision tests (unknown names, values that are not JSON, failed
    tests) and every test's result. Results are kept per file content and parameters: saving
    another file of the library does not run these tests again."""
    key = (hashlib.sha256(content).hexdigest(), json.dumps(parameters, sort_keys=True, default=str))
    with _CACHE_LOCK:
        if key in _CACHE:
            problems, results = _CACHE[key]
            return list(problems), list(results)
    problems, results = _check(dmn, content, parameters)
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (problems, results)
    return list(problems), list(results)


def _problem(dmn: DmnFile, decision: Any, element: str, code: str, message: str, **args: Any) -> ProcessProblem:
    line = _line(decision, element) if element else decision.sourceline
    return ProcessProblem(message, file=dmn.file, element=element, line=line, code=code, args=args)


def _check(
    dmn: DmnFile, content: bytes, parameters: Mapping[str, Any]
) -> tuple[list[ProcessProblem], list[DecisionTestResult]]:
    problems: list[ProcessProblem] = []
    results: list[DecisionTestResult] = []
    tables = {t.decision_id: t for t in dmn.tables}
    for decision in dmn.decisions:
        suite, bad = read_suite(decision)
        if suite is None:
            continue
        table = tables.get(suite.decision_id)
        for test_id, name, text, error in bad:
            problems.append(
                _problem(
                    dmn,
                    decision,
                    test_id,
                    "dmn.test_value",
                    f"test {test_id or '(defaults)'}: value of {name!r} is not JSON: {text!r} ({error})",
                    test=test_id,
                    name=name,
                    value=text,
                )
            )
        if table is None:
            continue
        wrong = _check_names(dmn, decision, table, suite)
        problems += wrong
        # a test that names what the table lacks, or holds a value that is not JSON, does not run;
        # the others do (a mistake in the defaults stops them all)
        skipped = {str(p.args.get("test", "")) for p in wrong} | {b[0] for b in bad}
        if "" in skipped:
            continue
        runnable = dataclasses.replace(suite, tests=tuple(t for t in suite.tests if t.id not in skipped))
        for result in run_suite(dmn.file, content, table, runnable, parameters):
            results.append(result)
            if not result.passed:
                problems.append(_failure(dmn, decision, result))
    return problems, results


def _check_names(dmn: DmnFile, decision: Any, table: DecisionTable, suite: DecisionTestSuite) -> list[ProcessProblem]:
    reads, outputs = table_reads(table), set(table.output_names)
    problems = []
    seen: set[str] = set()
    for name in suite.defaults:
        if name not in reads:
            problems.append(
                _problem(
                    dmn,
                    decision,
                    "",
                    "dmn.test_unknown_input",
                    f"the tests' defaults name {name!r}, which the table does not read",
                    test="",
                    name=name,
                )
            )
    for test in suite.tests:
        if not test.id or test.id in seen:
            problems.append(
                _problem(
                    dmn,
                    decision,
                    test.id,
                    "dmn.test_id",
                    f"test id {test.id!r} is missing or used twice",
                    test=test.id,
                )
            )
        seen.add(test.id)
        for name in test.inputs:
            if name not in reads:
                problems.append(
                    _problem(
                        dmn,
                        decision,
                        test.id,
                        "dmn.test_unknown_input",
                        f"test {test.id} names input {name!r}, which the table does not read",
                        test=test.id,
                        name=name,
                    )
                )
        for name in test.expected:
            if name not in outputs:
                problems.append(
                    _problem(
                        dmn,
                        decision,
                        test.id,
                        "dmn.test_unknown_output",
                        f"test {test.id} expects {name!r}, which is not an output of the table",
                        test=test.id,
                        name=name,
                    )
                )
        if not test.expected:
            problems.append(
                _problem(
                    dmn,
                    decision,
                    test.id,
                    "dmn.test_empty",
                    f"test {test.id} expects nothing",
                    test=test.id,
                )
            )
    return problems


def _failure(dmn: DmnFile, decision: Any, result: DecisionTestResult) -> ProcessProblem:
    if result.error:
        detail = result.error
    else:
        detail = "; ".join(
            f"{k}: expected {_json(v)}, got {_json(result.actual.get(k))}"
            for k, v in result.expected.items()
            if result.actual.get(k) != v
        )
    return _problem(
        dmn,
        decision,
        result.test_id,
        "dmn.test_failed",
        f"decision test {result.test_id} ({result.article or 'no article'}) fails: {detail}",
        test=result.test_id,
        name=result.name,
        article=result.article,
        detail=detail,
    )
