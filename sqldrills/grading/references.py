"""Results the grader trusts: the reference's and each trap's, on each world, computed once
in the sandbox and cached on disk; which worlds a drill is graded on; and equality under a
drill's output rules."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from sqldrills.catalog.challenges import Challenge, Trap
from sqldrills.grading.compare import Comparison, Table, compare, same_result
from sqldrills.grading.sandbox import Limits, QueryFailure, run_query
from sqldrills.paths import cache_dir, write_atomic
from sqldrills.world.cache import WorldSpec, declared_world, hidden_worlds, practice_world, world_paths

# References and traps are trusted, but they run in the same sandbox, with room to spare.
REFERENCE_LIMITS = Limits(timeout_s=300.0, max_rows=1_000_000, memory_limit_mb=4096)


class CatalogError(RuntimeError):
    """A reference or a trap of the catalog does not run: an authoring bug, not the learner's."""


def challenge_worlds(challenge: Challenge, scale: str | None = None) -> list[WorldSpec]:
    """The worlds a drill is graded on: the practice world first (at ``scale``, where the
    learner explores and sees a counterexample), then the hidden worlds.

    The hidden worlds are the drill's distilled ones (``grading.toml``, written by
    ``sqldrills validate --distill``: a few small worlds that tell the reference from every
    trap and mutant); a drill not distilled yet is graded on the recipe's hidden worlds and
    its own ``[[worlds]]``, at ``scale``. A take-home grades on worlds of its own, derived
    from the bundle's secret (``catalog/distill.py: secret_worlds``).
    """
    return [practice_world(scale), *hidden_specs(challenge, scale)]


def hidden_specs(challenge: Challenge, scale: str | None = None) -> list[WorldSpec]:
    """The hidden worlds of :func:`challenge_worlds`."""
    if not challenge.grading_worlds:
        return hidden_worlds(scale, extra=list(challenge.worlds))
    return [declared_world(w, challenge.grading_scale, f"hidden-{i}")
            for i, w in enumerate(challenge.grading_worlds, start=1)]


def secret_seed(secret: str, index: int) -> int:
    """A grading world's seed from a bundle secret; never a public seed (those are small).

    >>> secret_seed("s3cret", 0) == secret_seed("s3cret", 0) != secret_seed("s3cret", 1)
    True
    """
    digest = hashlib.sha256(f"{secret}:world:{index}".encode()).digest()
    return 1_000_000 + int.from_bytes(digest[:4], "big") % 1_000_000_000


# Bumped when what a cached result holds changes (2: plain values, sqldrills.grading.values).
RESULTS_FORMAT = 2


def _results_path(spec: WorldSpec, sql: str) -> Path:
    digest = hashlib.sha256(f"{RESULTS_FORMAT}:{sql}".encode()).hexdigest()[:20]
    return cache_dir() / "results" / spec.key / f"{digest}.pickle"


def trusted_results(sql: str, specs: list[WorldSpec], what: str) -> list[Table]:
    """Results of a reference or trap on each world, computed once and cached on disk."""
    paths = [_results_path(spec, sql) for spec in specs]
    tables: list[Table | None] = []
    for path in paths:
        try:
            tables.append(pickle.loads(path.read_bytes()))
        except (OSError, pickle.UnpicklingError, EOFError):
            tables.append(None)
    missing = [i for i, t in enumerate(tables) if t is None]
    if missing:
        from sqldrills.grading.sqlcheck import prepare_query

        prepared = prepare_query(sql)
        outcomes = run_query(prepared, world_paths([specs[i] for i in missing]),
                             limits=REFERENCE_LIMITS)
        for i, outcome in zip(missing, outcomes, strict=True):
            if isinstance(outcome, QueryFailure):
                raise CatalogError(f"{what} failed on {specs[i].describe()}: {outcome.message}")
            table = Table(list(outcome.columns), list(outcome.rows))
            write_atomic(paths[i], pickle.dumps(table))
            tables[i] = table
    return [t for t in tables if t is not None]


def expected_results(challenge: Challenge, specs: list[WorldSpec]) -> list[Table]:
    return trusted_results(challenge.reference, specs, f"{challenge.id}/reference.sql")


def compare_as(challenge: Challenge, expected: Table, actual: Table) -> Comparison:
    """:func:`compare` under the drill's output rules."""
    return compare(expected, actual, ordered=challenge.ordered, sort_keys=challenge.sort_keys,
                   tolerance=challenge.tolerance, key_columns=challenge.key_columns)


def same_as(challenge: Challenge, a: Table, b: Table) -> bool:
    """Equal under the challenge's output rules (order, sort keys, tolerance)."""
    return same_result(a, b, ordered=challenge.ordered, sort_keys=challenge.sort_keys,
                       tolerance=challenge.tolerance)


def matching_trap(challenge: Challenge, specs: list[WorldSpec], answers: list[Table]) -> Trap | None:
    """The first trap whose results equal the answer's on every world, if any."""
    for trap in challenge.traps:
        results = trusted_results(trap.sql, specs, f"{challenge.id}/traps/{trap.id}.sql")
        if all(same_as(challenge, r, a) for r, a in zip(results, answers, strict=True)):
            return trap
    return None
