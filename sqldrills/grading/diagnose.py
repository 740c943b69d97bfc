"""Name the pitfall when no trap matches: find the smallest repair of the learner's own query.

A wrong answer that equals no trap's results usually has one or two small mistakes written
differently from any trap. So the grader tries the edits a reviewer would try
(``sqldrills.grading.edits``), singly and then in pairs, and keeps one that makes the answer
right on every world (after Qr-Hint, SIGMOD 2024). Which pitfall an edit stands for is
learned from the drill's own traps: the kinds of edit that repair a trap are that trap's
(for a trap no single edit repairs, the kinds of a repairing pair that repair no other
trap alone). An edit names a pitfall only when its kind repairs exactly one trap of the drill; otherwise
the repair is still shown, with its line, but nothing is named: never a confident wrong name.

Speed: every candidate runs in one sandbox child on the ``tiny`` twins of the grading
worlds (same seeds, as_of and knobs): a repair that is right is right on any world, so
only the few that pass there are run on the grading worlds themselves.
"""

from __future__ import annotations

import hashlib
import json
import math
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
# Each candidate runs on tiny worlds, where a right query takes milliseconds; the limit only
# stops an edit that made a join explode, far above what a slow machine needs.
FILTER_LIMITS = Limits(timeout_s=5.0, max_rows=100_000)
MAX_SINGLES = 80
PAIRED = 5  # the singles that bring the answer closest are tried in pairs
MAX_CONFIRMED = 4
TRAP_MAP_FORMAT = 6


@dataclass(frozen=True)
class Candidate:
    edits: tuple[Edit, ...]
    sql: str  # prepared (DuckDB) SQL


def diagnose(challenge: Challenge, sql: str, dialect: str, specs: list[WorldSpec]) -> list[Repair]:
    """The smallest repair of ``sql`` that is right on every world in ``specs``, as one
    ``Repair`` per edit (empty when none is found).

    The search is bounded by counts, never by time, so that the same answer gets the same
    diagnosis on any machine: at most ``MAX_SINGLES`` single edits (those whose kind repairs
    one of the drill's traps first) and pairs of the ``PAIRED`` that come closest.

    Among repairs of the same size, one whose edits each repair exactly one of the drill's
    traps is preferred: the likeliest mistakes are the known ones, and such a repair names
    its pitfalls.
    """
    filter_specs = [replace(spec, scale=FILTER_SCALE) for spec in specs]
    # Both children open their worlds while this process writes the candidates.
    first, rest = _Bench(challenge, filter_specs[:1]), _Bench(challenge, filter_specs[1:])
    try:
        right = _search(challenge, sql, dialect, first, rest, filter_specs)
    finally:  # a bench left unused (the answer did not parse, say) is ended, never orphaned
        first.cancel()
        rest.cancel()
    repairs = trap_repairs(challenge)
    right.sort(key=lambda c: (len(c.edits), not all(len(repairs.get(e.kind, ())) == 1 for e in c.edits)))
    if filter_specs != specs:  # confirm on the grading worlds, the likeliest repair first
        right = next(([c] for c in right[:MAX_CONFIRMED] if _Bench(challenge, specs, Limits()).judge([c])[0]), [])
    if not right:
        return []
    return [_repair(challenge, edit, repairs.get(edit.kind, [])) for edit in right[0].edits]


def _search(challenge: Challenge, sql: str, dialect: str, first: _Bench, rest: _Bench,
            filter_specs: list[WorldSpec]) -> list[Candidate]:
    """The candidates right on the filter worlds: single edits, then pairs of the singles
    that bring the answer closer."""
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
        original = _prepared(sql, dialect, checked=False)
    except (SqlglotError, RecursionError):
        return []
    if original is None:
        return []
    rewritten = _prepared(tree.sql(dialect=dialect), dialect)  # the answer as sqlglot writes it back
    if rewritten is None:
        return []
    known = trap_repairs(challenge)
    edits = sorted(edits_of(tree, dialect, null_labels(challenge)), key=lambda edit: edit.kind not in known)
    singles = _candidates([(edit,) for edit in edits], dialect, {original, rewritten})[:MAX_SINGLES]
    right, distance = _staged(first, rest, [Candidate((), original), Candidate((), rewritten), *singles])
    if distance[1] != distance[0]:
        # sqlglot wrote the answer back with another meaning: edits of that text prove nothing.
        return []
    del distance[1]
    right = [c for c in right if c.edits]  # the answer itself may be right on the tiny twins
    if not right and distance[0] is not None:
        # Pairs of the edits that each bring the answer closer to right on their own.
        pairs = _pairs(_closest(singles, distance), dialect, {original, *(c.sql for c in singles)}, challenge)
        if pairs:
            right, _ = _staged(_Bench(challenge, filter_specs[:1]), _Bench(challenge, filter_specs[1:]), pairs)
    return right


def _closest(singles: list[Candidate], distance: list[float | None]) -> list[Candidate]:
    """The ``PAIRED`` singles that bring a query closest to right, each closer than the query
    itself (``distance``: the query's own, then each single's)."""
    closer = sorted((d, i) for i, d in enumerate(distance[1:]) if d is not None and distance[0] is not None
                    and d < distance[0])
    return [singles[i] for _, i in closer[:PAIRED]]


def _staged(first: _Bench, rest: _Bench, candidates: list[Candidate]) -> tuple[list[Candidate], list[float | None]]:
    """Every candidate on the ``first`` bench's world, and just the ones right there on the
    ``rest``: the candidates right on all, and the distances on the first."""
    try:
        right, distance = first.judge(candidates)
    except BaseException:
        rest.cancel()
        raise
    if right and rest.specs:
        right, _ = rest.judge(right)
    else:
        rest.cancel()
    return right, distance


def _repair(challenge: Challenge, edit: Edit, traps: list[str]) -> Repair:
    trap = challenge.trap(traps[0]) if len(traps) == 1 else None
    return Repair(edit.line, edit.before, edit.after, edit.kind,
                  trap.id if trap else None, trap.name if trap else None,
                  trap.explanation if trap else None)


def _prepared(sql: str, dialect: str, checked: bool = True) -> str | None:
    """The DuckDB SQL a candidate runs as. A DuckDB answer's edits are run as written: the
    answer passed the statement check, and an edit adds nothing but world columns and plain
    functions (the sandbox's own checks stand behind that); other dialects are translated,
    and checked, as an answer is. ``checked=False``: the answer itself, which must pass."""
    if dialect == "duckdb" and checked:
        return sql
    from sqldrills.grading.sqlcheck import Refused, prepare_query

    try:
        return prepare_query(sql, dialect=dialect)
    except (Refused, SqlglotError, RecursionError):
        return None


def _candidates(edit_sets: list[tuple[Edit, ...]], dialect: str, seen: set[str | None]) -> list[Candidate]:
    """One candidate per distinct prepared query (edits that give the same SQL are one)."""
    out = []
    for edits in edit_sets:
        sql = _prepared(edits[-1].sql, dialect)
        if sql not in seen:
            seen.add(sql)
            out.append(Candidate(edits, sql))  # type: ignore[arg-type]
    return out


def null_labels(challenge: Challenge) -> tuple[str, ...]:
    """The strings the drill's references give COALESCE: how the question names a NULL group.

    >>> from types import SimpleNamespace as Drill
    >>> null_labels(Drill(references=[("reference.sql", "SELECT coalesce(genre, 'unknown') AS g FROM titles")]))
    ('unknown',)
    """
    labels: dict[str, None] = {}
    for _, sql in challenge.references:
        for node in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Coalesce):
            for argument in node.expressions:
                if isinstance(argument, exp.Literal) and argument.is_string:
                    labels[argument.this] = None
    return tuple(labels)


def _pairs(closest: list[Candidate], dialect: str, seen: set[str], challenge: Challenge) -> list[Candidate]:
    """Each close single followed by another close single's edit, found again in the
    edited query (same kind, same clause)."""
    pairs = []
    for first in closest:
        wanted = {(c.edits[0].kind, c.edits[0].before) for c in closest if c is not first}
        for second in edits_of(first.edits[0].tree, dialect, null_labels(challenge)):
            if (second.kind, second.before) in wanted:
                pairs.append((first.edits[0], second))
    return _candidates(pairs, dialect, set(seen))


class _Bench:
    """A sandbox child with some worlds open, started before its candidates are known; it
    judges one batch of candidates (or is cancelled)."""

    def __init__(self, challenge: Challenge, specs: list[WorldSpec], limits: Limits = FILTER_LIMITS) -> None:
        self.challenge, self.specs = challenge, specs
        self._sandbox = Sandbox.start([world_path(spec) for spec in specs], limits=limits) if specs else None

    def cancel(self) -> None:
        if self._sandbox is not None:
            self._sandbox.cancel()
            self._sandbox = None

    def judge(self, candidates: list[Candidate]) -> tuple[list[Candidate], list[float | None]]:
        """The candidates right on every world, and each candidate's distance from right
        (:func:`_distance` summed over worlds; None when it fails or has the wrong columns)."""
        assert self._sandbox is not None, "a bench judges one batch"
        sandbox, self._sandbox = self._sandbox, None
        if not candidates:
            sandbox.cancel()
            return [], []
        pending = sandbox.run_many([c.sql for c in candidates])
        try:
            expected = trusted_results(self.challenge.reference, self.specs, f"{self.challenge.id}/reference.sql")
        finally:
            outcomes = pending()  # always reap the child, whatever happened here
        right: list[Candidate] = []
        distance: list[float | None] = []
        for candidate, per_world in zip(candidates, outcomes, strict=True):
            if not all(isinstance(o, QueryResult) for o in per_world):
                distance.append(None)
                continue
            tables = [Table(list(o.columns), list(o.rows)) for o in per_world]  # type: ignore[union-attr]
            if all(same_as(self.challenge, want, got) for want, got in zip(expected, tables, strict=True)):
                right.append(candidate)
                distance.append(0)
                continue
            comparisons = [compare_as(self.challenge, want, got) for want, got in zip(expected, tables, strict=True)]
            if any(c.missing_columns or c.extra_columns for c in comparisons):
                distance.append(None)
            else:
                distance.append(sum(_distance(c) for c in comparisons))
        return right, distance


def _distance(comparison: Comparison) -> float:
    """How far a result is from right: the differing groups, then (as a fraction, so it only
    breaks ties) how far its numbers are off on average."""
    off = sum(abs(ratio - 1) for ratio in comparison.ratios.values() if ratio == ratio)
    # Rounded: float sums change in their last bits with thread scheduling, and which edits
    # are paired must not.
    return round(comparison.total_differing + math.tanh(off), 6)


def trap_repairs(challenge: Challenge) -> dict[str, list[str]]:
    """Which trap ids each kind of edit repairs in this drill, learned by repairing every
    trap with single edits on the tiny worlds; cached per drill content.

    A trap that differs from the reference in two ways (the test accounts kept *and* the
    count written another way) has no single repair: it is repaired with pairs, as an
    answer is, and learns the kinds of its repair that repair no other trap alone (its own
    mistake, not the one it shares with another trap)."""
    from sqldrills.world.steps import GENERATOR_VERSION

    key = hashlib.sha256(f"{TRAP_MAP_FORMAT}:{GENERATOR_VERSION}:{challenge.content_hash}".encode()).hexdigest()[:20]
    path = cache_dir() / "diagnosis" / f"{challenge.id}-{key}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        pass
    from sqldrills.grading.references import challenge_worlds

    specs = challenge_worlds(challenge, FILTER_SCALE)
    labels = null_labels(challenge)
    singles: dict[str, set[str]] = {}
    unrepaired: dict[str, tuple[list[Candidate], list[float | None]]] = {}
    for trap in challenge.traps:
        tree = sqlglot.parse_one(trap.sql, read="duckdb")
        itself = tree.sql(dialect="duckdb")
        candidates = _candidates([(edit,) for edit in edits_of(tree, "duckdb", labels)], "duckdb", {itself})
        right, distance = _staged(_Bench(challenge, specs[:1]), _Bench(challenge, specs[1:]),
                                  [Candidate((), itself), *candidates[:MAX_SINGLES]])
        singles[trap.id] = {c.edits[0].kind for c in right if c.edits}
        if not singles[trap.id]:
            unrepaired[trap.id] = (candidates[:MAX_SINGLES], distance)
    kinds: dict[str, list[str]] = {}
    for trap in challenge.traps:
        learned = set(singles[trap.id])
        if trap.id in unrepaired:
            candidates, distance = unrepaired[trap.id]
            others = set().union(*(singles[t] for t in singles if t != trap.id))
            pairs = _pairs(_closest(candidates, distance), "duckdb", {c.sql for c in candidates}, challenge)
            right, _ = _staged(_Bench(challenge, specs[:1]), _Bench(challenge, specs[1:]), pairs)
            learned = {e.kind for c in right for e in c.edits} - others
        for kind in sorted(learned):
            kinds.setdefault(kind, []).append(trap.id)
    write_atomic(path, json.dumps(kinds, indent=1, sort_keys=True))
    return kinds
