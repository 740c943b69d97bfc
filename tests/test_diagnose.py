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


def _named(drill_id: str, sql: str) -> tuple[str | None, list[tuple[str, str | None]]]:
    """What the grader names for a wrong answer no trap matches, and its repair's edits."""
    drill = get(drill_id)
    result = grade(drill, sql)
    assert result.verdict == "misleading"
    return result.pitfall, [(r.kind, r.pitfall) for r in result.repairs]


TOP_TITLES = """SELECT t.genre, t.title_id, t.title, count(DISTINCT e.account_id) AS viewers,
       {rank} OVER (PARTITION BY t.genre ORDER BY {measure} DESC{tiebreak}) AS viewer_rank
FROM events e JOIN titles t USING (title_id) JOIN accounts a USING (account_id)
WHERE e.event_type = 'play_start' AND NOT a.is_test AND t.genre IS NOT NULL
  AND e.event_ts_utc >= (SELECT as_of_ts_utc::DATE - 14 FROM dataset_info)
  AND e.event_ts_utc < (SELECT as_of_ts_utc::DATE FROM dataset_info)
GROUP BY t.genre, t.title_id, t.title
QUALIFY viewer_rank <= 3
"""


def test_plays_counted_where_viewers_were_asked_for_are_named() -> None:
    by_plays = TOP_TITLES.format(rank="rank()", measure="count(DISTINCT e.event_id)", tiebreak="")
    assert _named("top_titles_ties", by_plays) == ("ranked_by_plays",
                                                   [("grain event_id->account_id", "ranked_by_plays")])


def test_a_row_number_with_a_tie_breaker_is_repaired_as_a_rank() -> None:
    unique = TOP_TITLES.format(rank="row_number()", measure="count(DISTINCT e.account_id)", tiebreak=", t.title")
    assert _named("top_titles_ties", unique) == ("row_number_drops_ties",
                                                 [("row_number->rank", "row_number_drops_ties")])


def test_equals_null_is_repaired_as_is_null_and_named_only_where_a_trap_stands_for_it() -> None:
    shares = """WITH counts AS (
  SELECT acquisition_channel AS channel, count(*) AS n FROM accounts
  WHERE NOT is_test AND acquisition_channel IS NOT NULL GROUP BY 1
  UNION ALL
  SELECT 'unknown', count(*) FILTER (WHERE acquisition_channel = NULL) FROM accounts WHERE NOT is_test
)
SELECT channel AS acquisition_channel, n AS members, n / sum(n) OVER () AS share_of_members FROM counts
"""
    assert _named("null_groups_vanish", shares) == ("equals_null", [("= NULL->IS NULL", "equals_null")])
    # members_not_devices has no trap of that kind: a repair is shown, nothing is named.
    nothing_kept = DRILL.reference.replace("AND NOT a.is_test", "AND NOT a.is_test AND NOT (e.account_id = NULL)")
    assert "= NULL->IS NULL" not in trap_repairs(DRILL)
    named, repairs = _named("members_not_devices", nothing_kept)
    assert named is None and repairs and all(pitfall is None for _, pitfall in repairs)


def test_an_expression_written_twice_is_repaired_in_both_places() -> None:
    from sqldrills.grading.edits import edits_of

    twice = "SELECT count(DISTINCT d.device_id) AS accounts, 10 / count(DISTINCT d.device_id) AS ratio FROM devices d"
    edited = [e.sql for e in edits_of(twice) if e.kind == "grain device_id->account_id"]
    both = "SELECT COUNT(DISTINCT d.account_id) AS accounts, 10 / COUNT(DISTINCT d.account_id) AS ratio FROM devices AS d"
    assert both in edited and len(edited) == 3  # each place alone, and both
    # The per_device trap divides by its device count in two places: only the edit made in
    # both repairs it, and teaches which pitfall that kind stands for.
    assert trap_repairs(get("unit_of_analysis"))["grain device_id->account_id"] == ["per_device"]


def test_a_trap_with_two_differences_learns_the_kind_no_other_trap_has() -> None:
    # late_arrivals' include_test_accounts trap also writes its late share another way (a
    # difference the event deduplication repairs): the pair teaches the test-account filter.
    assert trap_repairs(get("late_arrivals_dashboard"))["exclude test accounts"] == ["include_test_accounts"]


# Test accounts kept as well, so that no trap has the same numbers.
LATE = """WITH copies AS ({copies}),
plays AS (
  SELECT e.event_id, e.received_ts_utc, d.device_type
  FROM copies e JOIN titles t USING (title_id) JOIN devices d USING (device_id)
  WHERE e.event_type = 'play_start' AND t.title = 'The Last Lighthouse'
    AND e.event_ts_utc >= TIMESTAMP '2026-04-17 07:00:00' AND e.event_ts_utc < TIMESTAMP '2026-04-17 18:00:00'
)
SELECT device_type, count(*) FILTER (WHERE received_ts_utc <= TIMESTAMP '2026-04-17 18:00:00') AS plays_shown,
       count(*) AS plays_final,
       count(*) FILTER (WHERE received_ts_utc > TIMESTAMP '2026-04-17 18:00:00') / count(*) AS late_share
FROM plays
GROUP BY 1
"""


def test_which_copy_was_kept_and_no_deduplication_are_told_apart() -> None:
    latest = "SELECT * FROM events QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY received_ts_utc DESC) = 1"
    kinds = trap_repairs(get("late_arrivals_dashboard"))
    assert kinds["deduplicate events on the first copy"] == ["kept_latest_copy"]
    assert kinds["deduplicate events"] == ["no_dedup"]
    for copies, dedup in ((latest, "kept_latest_copy"), ("SELECT * FROM events", "no_dedup")):
        _, repairs = _named("late_arrivals_dashboard", LATE.format(copies=copies))
        assert {pitfall for _, pitfall in repairs} == {dedup, "include_test_accounts"}
