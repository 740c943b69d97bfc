"""Mutation operators rewrite exactly one thing; the worlds kill a drill's near misses."""

from __future__ import annotations

import sqlglot

from sqldrills.catalog.challenges import get
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
