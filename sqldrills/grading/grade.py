"""The grader: run an answer on every world of a challenge and give a verdict (architecture.md §3).

1. prepare: parse, allowlist and transpile (``sqlcheck``);
2. run: one sandboxed child process for the answer, on the practice and hidden worlds;
3. compare with the reference results, computed once per world by running the
   reference in its own sandbox child and cached on disk (the world holds no answers);
4. explain: name the trap whose results the answer reproduces, or show a counterexample
   (``explain``), and add lint warnings.

Verdicts and result records: ``sqldrills.grading.results``.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqldrills.catalog.challenges import Challenge
from sqldrills.grading import explain
from sqldrills.grading.compare import Comparison, Table, compare, same_result
from sqldrills.grading.results import GradeResult, Verdict, WorldReport, WorldStatus
from sqldrills.grading.sandbox import Limits, QueryFailure, QueryResult, Sandbox, run_query
from sqldrills.paths import cache_dir, write_atomic
from sqldrills.world.cache import WorldSpec, cached_world_path, hidden_worlds, practice_world, world_path

if TYPE_CHECKING:
    from sqldrills.world.generate import Progress

# sqlglot (sqlcheck, lint) is imported where it is used: a one-shot `sqldrills check`
# forks its sandbox first, so that the child opens the worlds while sqlglot loads here.

# References and traps are trusted, but they run in the same sandbox, with room to spare.
REFERENCE_LIMITS = Limits(timeout_s=300.0, max_rows=1_000_000, memory_limit_mb=4096)


class CatalogError(RuntimeError):
    """A reference or a trap of the catalog does not run: an authoring bug, not the learner's."""


def challenge_worlds(challenge: Challenge, scale: str | None = None,
                     secret: str | None = None) -> list[WorldSpec]:
    """The practice world first, then the hidden worlds (recipe's and challenge's own).

    With a ``secret`` (a take-home bundle's), each world keeps its as_of and knobs but
    takes a seed derived from the secret, so the grading worlds cannot be regenerated
    from the public recipe and answers cannot be precomputed for them.
    """
    specs = [practice_world(scale), *hidden_worlds(scale, extra=list(challenge.worlds))]
    if secret is None:
        return specs
    return [replace(spec, seed=secret_seed(secret, i), label=f"graded-{i + 1}")
            for i, spec in enumerate(specs)]


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
        outcomes = run_query(prepared, [world_path(specs[i]) for i in missing],
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


def _lint_warnings(challenge: Challenge, sql: str, dialect: str) -> list[dict[str, Any]]:
    from sqldrills.lint import LintContext, lint

    return [asdict(f) for f in lint(sql, LintContext.from_mapping(challenge.lint), dialect=dialect)]


def _compare(challenge: Challenge, expected: Table, actual: Table) -> Comparison:
    return compare(expected, actual, ordered=challenge.ordered, sort_keys=challenge.sort_keys,
                   tolerance=challenge.tolerance, key_columns=challenge.key_columns)


def grade(
    challenge: Challenge,
    sql: str,
    *,
    dialect: str = "duckdb",
    limits: Limits | None = None,
    scale: str | None = None,
    secret: str | None = None,
    progress: Progress | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> GradeResult:
    """Grade one answer. Never raises for anything the answer does.

    ``secret``: grade on worlds derived from a take-home bundle's secret (see
    :func:`challenge_worlds`). ``progress`` reports the building of a world that is not
    cached yet. ``while_waiting``: the caller's own work, done while the answer runs
    (the command line loads its terminal renderer then).
    """
    started = time.perf_counter()
    result = _grade(challenge, sql, dialect, limits or Limits(), scale, secret, progress,
                    while_waiting)
    result.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    return result


def _grade(challenge: Challenge, sql: str, dialect: str, limits: Limits,
           scale: str | None, secret: str | None, progress: Progress | None,
           while_waiting: Callable[[], None] | None) -> GradeResult:
    specs = challenge_worlds(challenge, scale, secret)
    paths = [cached_world_path(s) for s in specs]
    # When every world is built, the sandbox child starts now and opens them while this
    # process imports sqlglot and checks the query; otherwise the query is checked first,
    # so that a refused one does not wait for worlds to be built.
    sandbox = Sandbox.start(paths, limits=limits) if all(paths) else None
    from sqldrills.grading.sqlcheck import Refused, prepare_query

    try:
        prepared = prepare_query(sql, dialect=dialect)
    except Refused as exc:
        if sandbox:
            sandbox.cancel()
        return GradeResult(challenge.id, Verdict.ERROR, exc.message,
                           warnings=_lint_warnings(challenge, sql, dialect))
    if sandbox is None:
        sandbox = Sandbox.start([world_path(s, progress) for s in specs], limits=limits)
    pending = sandbox.run(prepared)
    # The answer runs in its child while this process lints it and loads the expected results.
    try:
        warnings = _lint_warnings(challenge, sql, dialect)
        expected = expected_results(challenge, specs)
        if while_waiting:
            while_waiting()
    finally:
        outcomes = pending()  # always reap the child, whatever happened here

    reports: list[WorldReport] = []
    comparisons: list[Comparison | None] = []
    for spec, want, got in zip(specs, expected, outcomes, strict=True):
        if isinstance(got, QueryFailure):
            reports.append(WorldReport(spec.label, spec.describe(), WorldStatus.ERROR, got.message))
            comparisons.append(None)
            continue
        comparison = _compare(challenge, want, Table(list(got.columns), list(got.rows)))
        comparisons.append(comparison)
        reports.append(explain.world_report(spec, comparison, got))

    failure = next((o for o in outcomes if isinstance(o, QueryFailure)), None)
    if failure is not None:
        return GradeResult(challenge.id, Verdict.ERROR, explain.error_message(failure, reports),
                           worlds=reports, warnings=warnings)
    done = [c for c in comparisons if c is not None]
    if any(c.missing_columns or c.extra_columns for c in done):
        return GradeResult(challenge.id, Verdict.INVALID, explain.invalid_message(challenge, done[0]),
                           worlds=reports, warnings=warnings)
    if all(c.equal for c in done):
        return GradeResult(challenge.id, Verdict.CORRECT, explain.correct_message(challenge, reports),
                           worlds=reports, warnings=warnings)

    answers = [Table(list(o.columns), list(o.rows)) for o in outcomes
               if isinstance(o, QueryResult)]
    trap = matching_trap(challenge, specs, answers)
    order_only = all(c.equal or c.order_only for c in done)
    practice = next(c for c in done if not c.equal)
    message = explain.misleading_message(challenge, trap, practice, reports, order_only)
    return GradeResult(
        challenge.id, Verdict.MISLEADING, message,
        pitfall=trap.id if trap else None,
        pitfall_name=trap.name if trap else None,
        pitfall_explanation=trap.explanation if trap else None,
        worlds=reports, warnings=warnings, order_only=order_only,
    )


def same_as(challenge: Challenge, a: Table, b: Table) -> bool:
    """Equal under the challenge's output rules (order, sort keys, tolerance)."""
    return same_result(a, b, ordered=challenge.ordered, sort_keys=challenge.sort_keys,
                       tolerance=challenge.tolerance)


def matching_trap(challenge: Challenge, specs: list[WorldSpec], answers: list[Table]):
    """The first trap whose results equal the answer's on every world, if any."""
    for trap in challenge.traps:
        results = trusted_results(trap.sql, specs, f"{challenge.id}/traps/{trap.id}.sql")
        if all(same_as(challenge, r, a) for r, a in zip(results, answers, strict=True)):
            return trap
    return None
