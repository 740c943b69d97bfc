"""The grader's verdicts on real worlds: order, shape, counterexamples, hard-coded numbers,
refused statements, and take-home worlds from a secret (sqldrills/grading/grade.py)."""

from __future__ import annotations

from sqldrills.catalog.challenges import get
from sqldrills.grading.grade import grade


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
    from sqldrills.grading.references import challenge_worlds, expected_results

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
    from sqldrills.catalog.distill import secret_worlds
    from sqldrills.grading.references import challenge_worlds

    challenge = get("members_not_devices")
    public = {s.seed for s in challenge_worlds(challenge)}
    secret = secret_worlds(challenge, "bundle-secret")
    assert len([s for s in secret if s.seed not in public]) >= 2
    assert secret == secret_worlds(challenge, "bundle-secret")
    right = grade(challenge, challenge.reference, worlds=secret)
    assert right.verdict == "correct", right.message
    trap = grade(challenge, challenge.trap("count_devices").sql, worlds=secret)
    assert trap.pitfall == "count_devices"
