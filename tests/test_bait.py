"""Bait the worlds plant for wrong answers that would otherwise pass: each test grades a
wrong answer that only the planted rows expose (sqldrills/world/steps/, datasets/checks/)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from sqldrills.catalog.challenges import get
from sqldrills.grading.grade import grade
from sqldrills.world.cache import WorldSpec, build_to

# A range closed at the last whole second of the last day: it loses the plays that start a
# fraction of a second after 23:59:59 (timestamps carry microseconds).
END_AT_235959 = """
SELECT CAST(e.event_ts_utc AS DATE) AS day, count(DISTINCT e.event_id) AS plays
FROM events e JOIN accounts a USING (account_id)
WHERE e.event_type = 'play_start' AND NOT a.is_test
  AND e.event_ts_utc BETWEEN '2026-04-20 00:00:00' AND '2026-04-26 23:59:59'
GROUP BY 1
"""


def test_an_end_at_23_59_59_loses_the_last_fraction_of_a_second() -> None:
    result = grade(get("between_last_day"), END_AT_235959)
    assert result.verdict == "misleading", result.message
    failed = [w for w in result.worlds if not w.match]
    assert failed, "no world has a play in the last second of 2026-04-26"
    assert all(str(d["key"]["day"]) == "2026-04-26" for w in failed for d in w.diffs)
    # the same answer written half-open is right
    fixed = END_AT_235959.replace(
        "BETWEEN '2026-04-20 00:00:00' AND '2026-04-26 23:59:59'",
        ">= '2026-04-20' AND e.event_ts_utc < '2026-04-27'")
    assert grade(get("between_last_day"), fixed).verdict == "correct"


def test_exact_arm_sizes_are_the_same_at_every_scale_and_seed(tmp_path: Path) -> None:
    # The sample-ratio drill's world on the chi-square threshold relies on it.
    knobs = (("experiments.onboarding_tour.end", "2026-05-04 00:00:00"),
             ("experiments.onboarding_tour.exact_accounts", 1200),
             ("experiments.onboarding_tour.exact_treatment_accounts", 657),
             ("experiments.onboarding_tour.start", "2026-01-05 00:00:00"))
    for seed in (3202, 11):
        db = tmp_path / f"w{seed}.duckdb"
        build_to(WorldSpec(seed, "tiny", knobs=knobs), db)
        con = duckdb.connect(str(db), read_only=True)
        arms = dict(con.execute(
            "SELECT variant, count(*) FROM (SELECT account_id, arg_min(variant, assigned_ts_utc) AS variant "
            "FROM experiment_assignments WHERE experiment_id = 'onboarding_tour' GROUP BY ALL) "
            "GROUP BY ALL").fetchall())
        con.close()
        assert arms == {"control": 543, "treatment": 657}
