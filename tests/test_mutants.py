"""Mutation operators rewrite exactly one thing; the worlds kill a drill's near misses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot

from sqldrills.catalog.challenges import Challenge, ChallengeError, get, load_all, load_challenge
from sqldrills.catalog.mutants import OPERATORS, mutate, mutation_test


def _ids(sql: str) -> dict[str, str]:
    return {m.id: m.sql for m in mutate(sql)}


def test_comparison_and_literal_operators() -> None:
    mutants = _ids("SELECT a FROM t WHERE x < 5 AND y >= 2")
    assert "x <= 5" in mutants["lt_to_lte:1"]
    assert "y > 2" in mutants["gte_to_gt:1"]
    assert "x < 6" in mutants["literal_plus_one:1"]
    assert "y >= 1" in mutants["literal_minus_one:2"]
    assert "OR" in mutants["and_to_or:1"]


def test_each_conjunct_of_a_chain_is_dropped_once() -> None:
    mutants = [m.sql for m in mutate("SELECT a FROM t WHERE p = 1 AND q = 2 AND r = 3")
               if m.id.startswith("drop_conjunct")]
    assert len(mutants) == 3
    for kept in mutants:
        assert sum(c in kept for c in ("p = 1", "q = 2", "r = 3")) == 2


def test_join_distinct_grain_coalesce_and_time_zone_operators() -> None:
    sql = ("SELECT coalesce(g, 'unknown') AS g, count(DISTINCT e.account_id) AS n, "
           "min(timezone(a.home_tz, e.ts)) AS first FROM e LEFT JOIN a ON a.id = e.id GROUP BY 1")
    mutants = _ids(sql)
    assert any("INNER JOIN" in s or " JOIN a" in s and "LEFT" not in s for s in mutants.values())
    assert any("COUNT(e.account_id)" in s for s in mutants.values())
    assert any("COUNT(DISTINCT e.device_id)" in s for s in mutants.values())
    assert any("coalesce" not in s.lower() for s in mutants.values())
    assert any("timezone" not in s.lower() for s in mutants.values())
    assert any("MAX(" in s for s in mutants.values())


def test_every_mutant_parses_and_differs_from_the_original() -> None:
    reference = get("cohort_leakage").reference
    original = sqlglot.parse_one(reference, read="duckdb").sql(dialect="duckdb")
    mutants = list(mutate(reference))
    assert len(mutants) >= 10
    assert len({m.id for m in mutants}) == len(mutants)
    for m in mutants:
        assert m.id.split(":")[0] in OPERATORS
        assert sqlglot.parse_one(m.sql, read="duckdb").sql(dialect="duckdb") != original


def test_the_worlds_kill_every_non_equivalent_mutant_of_a_drill() -> None:
    report = mutation_test(get("members_not_devices"))
    assert report.scored >= 10
    assert [m.id for m in report.survivors] == []
    assert report.equivalent == ["join_kind_swap:1"]


# A reason that says the world merely lacks the rows is not equivalence: plant the bait.
_NOT_A_REASON = re.compile(r"by construction|never happens|never occurs in the world", re.IGNORECASE)


@pytest.mark.parametrize("challenge", load_all(), ids=lambda c: c.id)
def test_every_equivalent_mutant_has_a_semantic_reason(challenge: Challenge) -> None:
    mutant_ids = {m.id for m in mutate(challenge.reference)}
    for mutant_id, reason in challenge.equivalent_mutants.items():
        assert mutant_id in mutant_ids, f"{challenge.id}: {mutant_id} is not a mutant of the reference"
        assert reason.strip(), f"{challenge.id}: {mutant_id} has no reason"
        assert not _NOT_A_REASON.search(reason), (
            f"{challenge.id}: {mutant_id}: {reason!r} describes the worlds, not an equivalence")


def test_an_equivalent_mutant_without_a_reason_is_refused(tmp_path: Path) -> None:
    source = get("members_not_devices").path
    folder = tmp_path / "members_not_devices"
    (folder / "traps").mkdir(parents=True)
    for path in source.rglob("*"):
        if path.is_file():
            (folder / path.relative_to(source)).write_bytes(path.read_bytes())
    toml = folder / "challenge.toml"
    text = toml.read_text()
    toml.write_text(re.sub(r'("join_kind_swap:1") = ".*"', r'\1 = ""', text))
    with pytest.raises(ChallengeError, match="join_kind_swap:1"):
        load_challenge(folder)
