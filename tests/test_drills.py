"""Every drill proves its claims on the worlds (one parametrized test per drill), and the
grader's verdicts hold for rewrites, dialects and wrong shapes."""

from __future__ import annotations

import pytest

from sqldrills.catalog.challenges import get, load_all
from sqldrills.catalog.validate import validate_challenge
from sqldrills.grading.grade import grade

DRILLS = [c.id for c in load_all()]


@pytest.mark.parametrize("drill", DRILLS)
def test_drill_claims_hold(drill: str) -> None:
    report = validate_challenge(get(drill), fresh=True)
    assert report.problems == []
    assert report.checks >= 2 + 2 * len(get(drill).traps)


EQUIVALENT_REWRITES = {
    "members_not_devices": [
        # upper case names, columns swapped, ORDER BY on an unordered drill, subquery
        """SELECT COUNT(DISTINCT E.ACCOUNT_ID) AS VIEWERS, CAST(E.EVENT_TS_UTC AS DATE) AS DAY
           FROM EVENTS E
           WHERE E.EVENT_TYPE = 'play_start'
             AND E.ACCOUNT_ID IN (SELECT ACCOUNT_ID FROM ACCOUNTS WHERE NOT IS_TEST)
             AND E.EVENT_TS_UTC >= (SELECT CAST(AS_OF_TS_UTC AS DATE) - INTERVAL 7 DAY FROM DATASET_INFO)
             AND E.EVENT_TS_UTC < (SELECT CAST(AS_OF_TS_UTC AS DATE) FROM DATASET_INFO)
           GROUP BY 2 ORDER BY 2 DESC""",
    ],
    "duplicate_events": [
        """SELECT coalesce(genre, 'unknown') AS genre, sum(watch_seconds) / 3600.0 AS watch_hours
           FROM (SELECT event_id, any_value(title_id) AS title_id, any_value(account_id) AS account_id,
                        any_value(watch_seconds) AS watch_seconds, any_value(event_ts_utc) AS ts
                 FROM events WHERE event_type IN ('heartbeat', 'play_stop') GROUP BY event_id) w
           JOIN titles USING (title_id) JOIN accounts USING (account_id)
           WHERE NOT is_test
             AND ts >= (SELECT as_of_ts_utc::DATE - 7 FROM dataset_info)
             AND ts < (SELECT as_of_ts_utc::DATE FROM dataset_info)
           GROUP BY ALL""",
    ],
    "cohort_leakage": [],
}


@pytest.mark.parametrize(("drill", "sql"), [(d, s) for d, ss in EQUIVALENT_REWRITES.items()
                                            for s in ss])
def test_equivalent_rewrites_are_correct(drill: str, sql: str) -> None:
    result = grade(get(drill), sql)
    assert result.verdict == "correct", result.message


def test_wrong_order_on_an_ordered_drill_is_misleading_and_says_so() -> None:
    challenge = get("cohort_leakage")
    sql = challenge.reference.replace("ORDER BY m.cohort_week", "ORDER BY m.cohort_week DESC")
    result = grade(challenge, sql)
    assert result.verdict == "misleading"
    assert result.order_only
    assert "order" in result.message.lower()


def test_missing_and_extra_columns_are_invalid_and_named() -> None:
    sql = get("members_not_devices").reference.replace("AS viewers", "AS n_viewers")
    result = grade(get("members_not_devices"), sql)
    assert result.verdict == "invalid"
    assert "`viewers`" in result.message and "`n_viewers`" in result.message


def test_unrecognised_wrong_answer_gets_a_counterexample() -> None:
    sql = get("members_not_devices").reference.replace("count(DISTINCT e.account_id)",
                                                       "count(DISTINCT e.account_id) + 1")
    result = grade(get("members_not_devices"), sql)
    assert result.verdict == "misleading"
    assert result.pitfall is None
    practice = result.worlds[0]
    assert practice.diffs, "a counterexample must show rows"
    diff = practice.diffs[0]
    assert diff["yours"]["viewers"] == diff["expected"]["viewers"] + 1


def test_hard_coded_numbers_fail_on_hidden_worlds() -> None:
    from sqldrills.grading.grade import challenge_worlds, expected_results

    challenge = get("members_not_devices")
    practice = expected_results(challenge, challenge_worlds(challenge)[:1])[0]
    values = ", ".join(f"(DATE '{d}', {n})" for d, n in practice.rows)
    result = grade(challenge, f"SELECT * FROM (VALUES {values}) t(day, viewers)")
    assert result.worlds[0].match
    assert result.verdict == "misleading"
    assert not all(w.match for w in result.worlds)


def test_refused_statement_is_an_error_with_a_clear_message() -> None:
    result = grade(get("members_not_devices"), "DROP TABLE events")
    assert result.verdict == "error"
    assert "refused" in result.message.lower() or "only" in result.message.lower()


def test_take_home_worlds_come_from_the_secret_not_the_public_recipe() -> None:
    from sqldrills.grading.grade import challenge_worlds

    challenge = get("members_not_devices")
    public = {s.seed for s in challenge_worlds(challenge)}
    secret = challenge_worlds(challenge, secret="bundle-secret")
    assert public.isdisjoint(s.seed for s in secret)
    assert secret == challenge_worlds(challenge, secret="bundle-secret")
    assert [s.as_of for s in secret] == [s.as_of for s in challenge_worlds(challenge)]
    right = grade(challenge, challenge.reference, secret="bundle-secret")
    assert right.verdict == "correct", right.message
    trap = grade(challenge, challenge.trap("count_devices").sql, secret="bundle-secret")
    assert trap.pitfall == "count_devices"


def test_fast_validation_catches_indistinguishable_and_harmless_traps(tmp_path) -> None:
    import shutil

    from sqldrills.catalog.challenges import load_challenge

    folder = tmp_path / "members_not_devices"
    shutil.copytree(get("members_not_devices").path, folder)
    traps = folder / "traps"
    (traps / "zz_same_as_devices.sql").write_text((traps / "count_devices.sql").read_text())
    (traps / "zz_harmless.sql").write_text(
        "-- name: Not a trap\n-- explanation: the reference again\n"
        + (folder / "reference.sql").read_text())
    report = validate_challenge(load_challenge(folder))
    problems = " ".join(report.problems)
    assert "zz_same_as_devices.sql: judged misleading with pitfall 'count_devices'" in problems
    assert "zz_harmless.sql: differs from the reference on 0 world(s)" in problems
    assert len(report.problems) == 3  # the harmless trap also fails to be named
