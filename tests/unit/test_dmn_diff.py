"""The rule diff between two versions of a DMN file: rules matched by id, then by content, so a
rule recreated under a new id with the same cells is unchanged and a rule keeping its id with
other cells is changed."""

from __future__ import annotations

from engine.bpmn.dmn_diff import diff_rules
from tests.fixtures.dmn import table

RULES = [(["> 45"], ['"INVALIDO"']), (["<= 45"], ['"NO"'])]
BEFORE = table("FIRST", [("invalidita", "integer")], RULES)


def changes(after: bytes) -> list[tuple[str, str]]:
    return [(c.rule_id, c.status) for c in diff_rules("t.dmn", BEFORE, after)]


def test_a_rule_recreated_with_a_new_id_and_the_same_content_is_unchanged() -> None:
    recreated = BEFORE.replace(b'<rule id="Rule_2">', b'<rule id="DecisionRule_0x9k2">')
    assert changes(recreated) == []


def test_a_rule_keeping_its_id_with_another_cell_is_changed() -> None:
    changed = BEFORE.replace(b"&gt; 45", b"&gt; 50")
    [change] = diff_rules("t.dmn", BEFORE, changed)
    assert (change.rule_id, change.status, change.before[0], change.after[0]) == ("Rule_1", "changed", "> 45", "> 50")


def test_a_new_id_with_other_content_is_removed_and_added_and_moves_are_no_change() -> None:
    other = BEFORE.replace(b'<rule id="Rule_2">', b'<rule id="Rule_9">').replace(b"&lt;= 45", b"&lt;= 40")
    assert changes(other) == [("Rule_9", "added"), ("Rule_2", "removed")]
    swapped = table("FIRST", [("invalidita", "integer")], list(reversed(RULES)))
    swapped = swapped.replace(b'id="Rule_1"', b'id="tmp"').replace(b'id="Rule_2"', b'id="Rule_1"')
    swapped = swapped.replace(b'id="tmp"', b'id="Rule_2"')
    assert changes(swapped) == []


def test_two_identical_rules_pair_one_by_one() -> None:
    doubled = table("COLLECT", [("x", "integer")], [(["1"], ['"A"']), (["1"], ['"A"'])])
    one_recreated = doubled.replace(b'<rule id="Rule_2">', b'<rule id="Rule_new">')
    assert diff_rules("t.dmn", doubled, one_recreated) == []
    both_gone = table("COLLECT", [("x", "integer")], [(["1"], ['"A"'])]).replace(b'"Rule_1"', b'"Rule_new"')
    assert [(c.rule_id, c.status) for c in diff_rules("t.dmn", doubled, both_gone)] == [("Rule_2", "removed")]
