"""When a wrong answer matches no trap, the grader repairs the learner's own query
(sqldrills/grading/diagnose.py): it names each pitfall a repair stands for, points at the
line, and names nothing it is not sure of."""

from __future__ import annotations

from sqldrills.catalog.challenges import get
from sqldrills.grading.diagnose import trap_repairs
from sqldrills.grading.grade import grade

DRILL = get("members_not_devices")

# Two mistakes at once (devices counted, test accounts kept): no trap has both.
TWO_MISTAKES = """SELECT CAST(e.event_ts_utc AS DATE) AS day, COUNT(DISTINCT e.device_id) AS viewers
FROM events e
WHERE e.event_type = 'play_start'
  AND e.event_ts_utc >= (SELECT CAST(as_of_ts_utc AS DATE) - 7 FROM dataset_info)
  AND e.event_ts_utc < (SELECT CAST(as_of_ts_utc AS DATE) FROM dataset_info)
GROUP BY 1
"""


def test_each_trap_teaches_the_edit_that_repairs_it() -> None:
    repairs = trap_repairs(DRILL)
    assert repairs["grain device_id->account_id"] == ["count_devices"]
    assert repairs["exclude test accounts"] == ["include_test_accounts"]


def test_an_answer_with_two_mistakes_gets_both_pitfalls_and_their_lines() -> None:
    result = grade(DRILL, TWO_MISTAKES)
    assert result.verdict == "misleading"
    assert not any(trap.sql.strip() == TWO_MISTAKES.strip() for trap in DRILL.traps)
    assert {(r.pitfall, r.line) for r in result.repairs} == {("count_devices", 1), ("include_test_accounts", 3)}
    assert result.pitfall in ("count_devices", "include_test_accounts")
    device = next(r for r in result.repairs if r.pitfall == "count_devices")
    assert (device.before, device.after) == ("COUNT(DISTINCT e.device_id)", "COUNT(DISTINCT e.account_id)")
    for name in (DRILL.trap("count_devices").name, DRILL.trap("include_test_accounts").name):
        assert f"Pitfall: {name}." in result.message
    assert "line 1: change `COUNT(DISTINCT e.device_id)` to `COUNT(DISTINCT e.account_id)`" in result.message


def test_a_repair_no_trap_stands_for_is_shown_without_a_name() -> None:
    off_by_one = DRILL.reference.replace("count(DISTINCT e.account_id)", "count(DISTINCT e.account_id) + 1")
    result = grade(DRILL, off_by_one)
    assert result.verdict == "misleading"
    assert result.pitfall is None and result.repairs
    assert all(r.pitfall is None for r in result.repairs)
    assert "your query is right on every world" in result.message


def test_right_answers_and_trap_matches_are_not_searched() -> None:
    assert grade(DRILL, DRILL.reference).repairs == []
    trap = DRILL.trap("count_devices")
    matched = grade(DRILL, trap.sql)
    assert matched.pitfall == trap.id and matched.repairs == []


def test_nothing_is_named_without_a_repair_and_lint_is_offered_as_likely() -> None:
    three_mistakes = TWO_MISTAKES.replace("e.event_ts_utc < (SELECT", "e.event_ts_utc <= (SELECT")
    result = grade(DRILL, three_mistakes)
    assert result.verdict == "misleading"
    assert result.pitfall is None and result.repairs == []
    assert "Likely: distinct-finer-grain (line 1)" in result.message
