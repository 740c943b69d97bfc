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

import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from sqldrills.catalog.challenges import Challenge
from sqldrills.grading import explain
from sqldrills.grading.compare import Comparison, Table
from sqldrills.grading.references import challenge_worlds, compare_as, expected_results, matching_trap
from sqldrills.grading.results import GradeResult, Verdict, WorldReport, WorldStatus
from sqldrills.grading.sandbox import Limits, QueryFailure, QueryResult, Sandbox
from sqldrills.world.cache import cached_world_path, world_paths

if TYPE_CHECKING:
    from sqldrills.world.cache import WorldSpec
    from sqldrills.world.generate import Progress

# sqlglot (sqlcheck, lint) is imported where it is used: a one-shot `sqldrills check`
# forks its sandbox first, so that the child opens the worlds while sqlglot loads here.


def _lint_warnings(challenge: Challenge, sql: str, dialect: str) -> list[dict[str, Any]]:
    from sqldrills.lint import LintContext, lint

    return [asdict(f) for f in lint(sql, LintContext.from_mapping(challenge.lint), dialect=dialect)]


# A sandbox started ahead of the next grade of the same worlds under the same limits (the
# `run` loop and the browser page start one after each grade): its child imports DuckDB
# and opens the worlds while the learner edits, so a save costs only the query itself.
_spare: tuple[tuple[tuple[str, ...], Limits], Sandbox] | None = None
_spare_lock = threading.Lock()


def keep_warm(challenge: Challenge, *, limits: Limits | None = None, scale: str | None = None) -> None:
    """Start the sandbox for the next :func:`grade` of ``challenge`` now (when its worlds are
    built); any other one kept is ended. An unused one ends with this process."""
    global _spare
    paths = [cached_world_path(s) for s in challenge_worlds(challenge, scale)]
    if not all(paths):
        return
    key = _spare_key(paths, limits or Limits())
    with _spare_lock:
        old, _spare = _spare, (key, Sandbox.start(paths, limits=key[1]))
    if old is not None:
        old[1].cancel()


def _spare_key(paths: list, limits: Limits) -> tuple[tuple[str, ...], Limits]:
    return tuple(str(p) for p in paths), limits


def _take_spare(paths: list, limits: Limits) -> Sandbox | None:
    global _spare
    with _spare_lock:
        if _spare is None or _spare[0] != _spare_key(paths, limits):
            return None
        sandbox, _spare = _spare[1], None
    if not sandbox.alive():  # ended while it waited (the system's memory killer): not the answer's fault
        sandbox.cancel()
        return None
    return sandbox


def grade(
    challenge: Challenge,
    sql: str,
    *,
    dialect: str = "duckdb",
    limits: Limits | None = None,
    scale: str | None = None,
    worlds: list[WorldSpec] | None = None,
    progress: Progress | None = None,
    while_waiting: Callable[[], None] | None = None,
    diagnose: bool = True,
) -> GradeResult:
    """Grade one answer. Never raises for anything the answer does.

    ``worlds``: grade on these instead of the drill's own (:func:`challenge_worlds`): a
    take-home's, derived from its secret (``catalog/distill.py: secret_worlds``).
    ``progress`` reports the building of a world that is not cached yet.
    ``while_waiting``: the caller's own work, done while the answer runs (the command line
    loads its terminal renderer then). ``diagnose``: when a wrong answer
    matches no trap, search for the smallest repair of it (``sqldrills.grading.diagnose``);
    mutation testing, which grades thousands of near misses, turns it off.
    """
    started = time.perf_counter()
    result = _grade(challenge, sql, dialect, limits or Limits(), scale, worlds, progress,
                    while_waiting, diagnose)
    result.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    return result


def _grade(challenge: Challenge, sql: str, dialect: str, limits: Limits,
           scale: str | None, worlds: list[WorldSpec] | None, progress: Progress | None,
           while_waiting: Callable[[], None] | None, diagnose: bool) -> GradeResult:
    specs = worlds or challenge_worlds(challenge, scale)
    paths = [cached_world_path(s) for s in specs]
    # When every world is built, the sandbox child starts now and opens them while this
    # process imports sqlglot and checks the query; otherwise the query is checked first,
    # so that a refused one does not wait for worlds to be built.
    spare = _take_spare(paths, limits) if all(paths) else None
    sandbox = spare or (Sandbox.start(paths, limits=limits) if all(paths) else None)
    from sqldrills.grading.sqlcheck import Refused, prepare_query

    try:
        prepared = prepare_query(sql, dialect=dialect)
    except Refused as exc:
        if sandbox:
            sandbox.cancel()
        return GradeResult(challenge.id, Verdict.ERROR, exc.message,
                           warnings=_lint_warnings(challenge, sql, dialect))
    if sandbox is None:
        sandbox = Sandbox.start(world_paths(specs, progress), limits=limits)
    pending = sandbox.run(prepared)
    # The answer runs in its child while this process lints it and loads the expected results.
    try:
        warnings = _lint_warnings(challenge, sql, dialect)
        expected = expected_results(challenge, specs)
        if while_waiting:
            while_waiting()
    finally:
        outcomes = pending()  # always reap the child, whatever happened here
    if spare is not None and any(isinstance(o, QueryFailure) and o.kind in ("memory", "crashed") for o in outcomes):
        # A sandbox started ahead may have been ended while it waited (the system's memory
        # killer): the answer runs again in a fresh one before it is blamed.
        outcomes = Sandbox.start(paths, limits=limits).run(prepared)()

    reports: list[WorldReport] = []
    comparisons: list[Comparison | None] = []
    for spec, want, got in zip(specs, expected, outcomes, strict=True):
        if isinstance(got, QueryFailure):
            reports.append(WorldReport(spec.label, spec.describe(), WorldStatus.ERROR, got.message))
            comparisons.append(None)
            continue
        comparison = compare_as(challenge, want, Table(list(got.columns), list(got.rows)))
        comparisons.append(comparison)
        reports.append(explain.world_report(spec, comparison, got))

    failure = next((o for o in outcomes if isinstance(o, QueryFailure)), None)
    if failure is not None:
        return GradeResult(challenge.id, Verdict.ERROR, explain.error_message(failure, reports, sql),
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
    repairs = []
    if trap is None and not order_only and diagnose:
        from sqldrills.grading.diagnose import diagnose as find_repair

        repairs = find_repair(challenge, sql, dialect, specs)
    named = next((r for r in repairs if r.pitfall), None)
    practice = next(c for c in done if not c.equal)
    message = explain.misleading_message(challenge, trap, practice, reports, order_only, repairs, warnings)
    return GradeResult(
        challenge.id, Verdict.MISLEADING, message,
        pitfall=trap.id if trap else named.pitfall if named else None,
        pitfall_name=trap.name if trap else named.pitfall_name if named else None,
        pitfall_explanation=trap.explanation if trap else named.pitfall_explanation if named else None,
        worlds=reports, warnings=warnings, order_only=order_only, repairs=repairs,
    )

