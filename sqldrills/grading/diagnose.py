"""Name the pitfall when no trap matches: find the smallest repair of the learner's own query.

A wrong answer that equals no trap's results usually has one or two small mistakes written
differently from any trap. So the grader tries the edits a reviewer would try
(``sqldrills.grading.edits``), singly and then in pairs, and keeps one that makes the answer
right on every world (after Qr-Hint, SIGMOD 2024). Which pitfall an edit stands for is
learned from the drill's own traps: the kinds of edit that repair a trap are that trap's.
An edit names a pitfall only when its kind repairs exactly one trap of the drill; otherwise
the repair is still shown, with its line, but nothing is named: never a confident wrong name.

Speed: every candidate runs in one sandbox child on the ``tiny`` twins of the grading
worlds (same seeds, as_of and knobs): a repair that is right is right on any world, so
only the few that pass there are run on the grading worlds themselves.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass, replace

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from sqldrills.catalog.challenges import Challenge
from sqldrills.grading.compare import Comparison, Table
from sqldrills.grading.edits import Edit, edits_of
from sqldrills.grading.references import compare_as, same_as, trusted_results
from sqldrills.grading.results import Repair
from sqldrills.grading.sandbox import Limits, QueryResult, Sandbox
from sqldrills.paths import cache_dir, write_atomic
from sqldrills.world.cache import WorldSpec, world_path

FILTER_SCALE = "tiny"
# Each candidate runs on tiny worlds: a second is far more than a right one needs.
FILTER_LIMITS = Limits(timeout_s=2.0, max_rows=100_000)
MAX_SINGLES = 120
PAIRED = 6  # the singles that bring the answer closest are tried in pairs
MAX_CONFIRMED = 4
TRAP_MAP_FORMAT = 1


@dataclass(frozen=True)
class Candidate:
    edits: tuple[Edit, ...]
    sql: str  # prepared (DuckDB) SQL


def diagnose(challenge: Challenge, sql: str, dialect: str, specs: list[WorldSpec],
             budget_s: float = 3.0) -> list[Repair]:
    """The smallest repair of ``sql`` that is right on every world in ``specs``, as one
    ``Repair`` per edit (empty when none is found within ``budget_s``)."""
    deadline = time.monotonic() + budget_s
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except (SqlglotError, RecursionError):
        return []
    original = _prepared(tree, dialect)
    if original is None:
        return []
    singles = _candidates([(edit,) for edit in edits_of(tree, dialect)], dialect, {original})[:MAX_SINGLES]
    filter_specs = [replace(spec, scale=FILTER_SCALE) for spec in specs]
    right, distance = _staged(challenge, [Candidate((), original), *singles], filter_specs)
    if not right and time.monotonic() < deadline and distance[0] is not None:
        # Pairs of the edits that each bring the answer closer to right on their own.
        closer = sorted((d, i) for i, d in enumerate(distance[1:]) if d is not None and d < distance[0])
        pairs = _pairs([singles[i] for _, i in closer[:PAIRED]], dialect, {original, *(c.sql for c in singles)})
        right, _ = _staged(challenge, pairs, filter_specs)
    if right and filter_specs != specs:
        right, _ = _try(challenge, right[:MAX_CONFIRMED], specs)
    if not right:
        return []
    repairs = trap_repairs(challenge)
    best = min(right, key=lambda c: (len(c.edits), not all(len(repairs.get(e.kind, ())) == 1 for e in c.edits)))
    return [_repair(challenge, edit, repairs.get(edit.kind, [])) for edit in best.edits]


def _staged(challenge: Challenge, candidates: list[Candidate],
            specs: list[WorldSpec]) -> tuple[list[Candidate], list[float | None]]:
    """Like :func:`_try`, but every candidate runs on the first world only, and just the ones
    right there on the others: the distances are the first world's."""
    right, distance = _try(challenge, candidates, specs[:1])
    if right and len(specs) > 1:
        right, _ = _try(challenge, right, specs[1:])
    return right, distance


def _repair(challenge: Challenge, edit: Edit, traps: list[str]) -> Repair:
    trap = challenge.trap(traps[0]) if len(traps) == 1 else None
    return Repair(edit.line, edit.before, edit.after, edit.kind,
                  trap.id if trap else None, trap.name if trap else None,
                  trap.explanation if trap else None)


def _prepared(tree: exp.Expression, dialect: str) -> str | None:
    from sqldrills.grading.sqlcheck import Refused, prepare_query

    try:
        return prepare_query(tree.sql(dialect=dialect), dialect=dialect)
    except (Refused, SqlglotError, RecursionError):
        return None


def _candidates(edit_sets: list[tuple[Edit, ...]], dialect: str, seen: set[str | None]) -> list[Candidate]:
    """One candidate per distinct prepared query (edits that give the same SQL are one)."""
    out = []
    for edits in edit_sets:
        sql = _prepared(edits[-1].tree, dialect)
        if sql not in seen:
            seen.add(sql)
            out.append(Candidate(edits, sql))  # type: ignore[arg-type]
    return out


def _pairs(closest: list[Candidate], dialect: str, seen: set[str]) -> list[Candidate]:
    """Each close single followed by another close single's edit, found again in the
    edited query (same kind, same clause)."""
    pairs = []
    for first in closest:
        wanted = {(c.edits[0].kind, c.edits[0].before) for c in closest if c is not first}
        for second in edits_of(first.edits[0].tree, dialect):
            if (second.kind, second.before) in wanted:
                pairs.append((first.edits[0], second))
    return _candidates(pairs, dialect, set(seen))


def _try(challenge: Challenge, candidates: list[Candidate],
         specs: list[WorldSpec]) -> tuple[list[Candidate], list[float | None]]:
    """The candidates right on every world, and each candidate's distance from right
    (:func:`_distance` summed over worlds; None when it fails or has the wrong columns)."""
    if not candidates:
        return [], []
    expected = trusted_results(challenge.reference, specs, f"{challenge.id}/reference.sql")
    paths = [world_path(spec) for spec in specs]
    outcomes = Sandbox.start(paths, limits=FILTER_LIMITS).run_many([c.sql for c in candidates])()
    right: list[Candidate] = []
    distance: list[float | None] = []
    for candidate, per_world in zip(candidates, outcomes, strict=True):
        if not all(isinstance(o, QueryResult) for o in per_world):
            distance.append(None)
            continue
        tables = [Table(list(o.columns), list(o.rows)) for o in per_world]  # type: ignore[union-attr]
        if all(same_as(challenge, want, got) for want, got in zip(expected, tables, strict=True)):
            right.append(candidate)
            distance.append(0)
            continue
        comparisons = [compare_as(challenge, want, got) for want, got in zip(expected, tables, strict=True)]
        if any(c.missing_columns or c.extra_columns for c in comparisons):
            distance.append(None)
        else:
            distance.append(sum(_distance(c) for c in comparisons))
    return right, distance


def _distance(comparison: Comparison) -> float:
    """How far a result is from right: the differing groups, then (as a fraction, so it only
    breaks ties) how far its numbers are off on average."""
    off = sum(abs(ratio - 1) for ratio in comparison.ratios.values() if ratio == ratio)
    return comparison.total_differing + math.tanh(off)


def trap_repairs(challenge: Challenge) -> dict[str, list[str]]:
    """Which trap ids each kind of edit repairs in this drill, learned by repairing every
    trap with single edits on the tiny worlds; cached per drill content."""
    from sqldrills.world.steps import GENERATOR_VERSION

    key = hashlib.sha256(f"{TRAP_MAP_FORMAT}:{GENERATOR_VERSION}:{challenge.content_hash}".encode()).hexdigest()[:20]
    path = cache_dir() / "diagnosis" / f"{challenge.id}-{key}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        pass
    from sqldrills.grading.references import challenge_worlds

    specs = challenge_worlds(challenge, FILTER_SCALE)
    kinds: dict[str, list[str]] = {}
    for trap in challenge.traps:
        tree = sqlglot.parse_one(trap.sql, read="duckdb")
        singles = _candidates([(edit,) for edit in edits_of(tree)], "duckdb", {_prepared(tree, "duckdb")})
        right, _ = _staged(challenge, singles[:MAX_SINGLES], specs)
        for kind in sorted({c.edits[0].kind for c in right}):
            kinds.setdefault(kind, []).append(trap.id)
    write_atomic(path, json.dumps(kinds, indent=1, sort_keys=True))
    return kinds
