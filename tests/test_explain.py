"""What the learner reads (sqldrills/grading/explain.py): the pitfall with how far off the
numbers are, a hint when only some worlds are wrong, and the counterexample table."""

from __future__ import annotations

import re

from sqldrills.catalog.challenges import get
from sqldrills.grading.explain import diff_rows
from sqldrills.grading.grade import grade
from sqldrills.grading.references import challenge_worlds, expected_results

DRILL = get("members_not_devices")


def test_a_named_pitfall_says_how_far_off_the_numbers_are() -> None:
    trap = DRILL.trap("count_devices")
    result = grade(DRILL, trap.sql)
    assert result.message.startswith(f"Pitfall: {trap.name}. {trap.explanation}")
    ratio = re.search(r"your viewers is (\d+\.\d\d)x the true value on average", result.message)
    assert ratio and float(ratio.group(1)) > 1, result.message


def test_an_answer_right_on_some_worlds_only_is_pointed_at_boundaries() -> None:
    practice = expected_results(DRILL, challenge_worlds(DRILL)[:1])[0]
    values = ", ".join(f"(DATE '{day}', {n})" for day, n in practice.rows)
    result = grade(DRILL, f"SELECT * FROM (VALUES {values}) t(day, viewers)")
    assert result.worlds[0].match and not all(w.match for w in result.worlds)
    assert "Right on some worlds but not all" in result.message
    assert f"Wrong on {sum(not w.match for w in result.worlds)} of {len(result.worlds)} worlds" in result.message


def test_the_counterexample_lists_expected_and_yours_per_group() -> None:
    off_by_one = DRILL.reference.replace("count(DISTINCT e.account_id)", "count(DISTINCT e.account_id) + 1")
    result = grade(DRILL, off_by_one)
    header, rows = diff_rows(result.worlds[0], DRILL.columns)
    assert header == ["", "day", "viewers"]
    assert [row[0] for row in rows[:2]] == ["expected", "yours"]
    (_, day, expected), (_, same_day, yours) = rows[:2]
    assert day == same_day and yours == expected + 1


def test_a_missing_row_reads_no_row() -> None:
    last_day_dropped = f"SELECT * FROM ({DRILL.reference}) ORDER BY day LIMIT 6"
    result = grade(DRILL, last_day_dropped)
    assert result.verdict == "misleading"
    _, rows = diff_rows(result.worlds[0], DRILL.columns)
    assert ["yours", "(no row)", ""] in rows
