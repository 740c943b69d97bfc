"""Results the grader trusts: the reference's and each trap's, on each world, computed once
in the sandbox and cached on disk; which worlds a drill is graded on; and equality under a
drill's output rules."""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import replace
from pathlib import Path

from sqldrills.catalog.challenges import Challenge, Trap
from sqldrills.grading.compare import Comparison, Table, compare, same_result
from sqldrills.grading.sandbox import Limits, QueryFailure, run_query
from sqldrills.paths import cache_dir, write_atomic
from sqldrills.world.cache import WorldSpec, hidden_worlds, practice_world, world_paths

# References and traps are trusted, but they run in the same sandbox, with room to spare.
REFERENCE_LIMITS = Limits(timeout_s=300.0, max_rows=1_000_000, memory_limit_mb=4096)


class CatalogError(RuntimeError):
    """A reference or a trap of the catalog does not run: an authoring bug, not the learner's."""


def challenge_worlds(challenge: Challenge, scale: str | None = None,
                     secret: str | None = None) -> list[WorldSpec]:
    """The worlds a drill is graded on: the practice world first (at ``scale``, where the
    learner explores and sees a counterexample), then the hidden worlds.

    The hidden worlds are the drill's distilled ones (``grading.toml``, written by
    ``sqldrills validate --distill``: the fewest small worlds that tell the reference from
    every trap and mutant); a drill not distilled yet is graded on the recipe's hidden
    worlds and its own ``[[worlds]]``, at ``scale``.

    With a ``secret`` (a take-home bundle's), only hidden worlds: each keeps its as_of and
    knobs but takes a seed derived from the secret (:func:`secret_worlds`), so the grading
    worlds cannot be regenerated from the public catalog and answers cannot be precomputed.
    """
    if secret is not None:
        return secret_worlds(challenge, secret, scale)
    return [practice_world(scale), *_hidden(challenge, scale)]


def _hidden(challenge: Challenge, scale: str | None) -> list[WorldSpec]:
    if not challenge.grading_worlds:
        return hidden_worlds(scale, extra=list(challenge.worlds))
    return [WorldSpec(int(w["seed"]), challenge.grading_scale, knobs=tuple(sorted(w.get("knobs", {}).items())),
                      as_of=w.get("as_of"), label=f"hidden-{i}")
            for i, w in enumerate(challenge.grading_worlds, start=1)]


# Tries of secret seeds before a take-home gives up on a drill (each try's worlds are small).
SECRET_TRIES = 20


def secret_worlds(challenge: Challenge, secret: str, scale: str | None = None) -> list[WorldSpec]:
    """The hidden worlds with seeds derived from ``secret``, re-checked: every trap of the
    drill must still differ from the reference on one of them (bait depends on the seed),
    else the next seeds derived from the secret are tried. Deterministic for a secret.
    A drill not distilled yet keeps its practice world too, with a secret seed.
    """
    placements = _hidden(challenge, scale)
    if not challenge.grading_worlds:
        placements = [practice_world(scale), *placements]
    for attempt in range(SECRET_TRIES):
        specs = [replace(spec, seed=secret_seed(secret, i + attempt * len(placements)),
                         label=f"graded-{i + 1}")
                 for i, spec in enumerate(placements)]
        if not challenge.grading_worlds or _every_trap_caught(challenge, specs):
            return specs
    raise CatalogError(f"{challenge.id}: no seeds derived from this secret give worlds that catch "
                       f"every trap ({SECRET_TRIES} tries); build the bundle with another secret")


def _every_trap_caught(challenge: Challenge, specs: list[WorldSpec]) -> bool:
    expected = expected_results(challenge, specs)
    for trap in challenge.traps:
        results = trusted_results(trap.sql, specs, f"{challenge.id}/traps/{trap.id}.sql")
        if all(same_as(challenge, want, got) for want, got in zip(expected, results, strict=True)):
            return False
    return True


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
