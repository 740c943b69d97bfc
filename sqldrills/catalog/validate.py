"""The catalog's self-check: every claim a drill makes is proven on the worlds.

For each drill: the loader accepts it (strictly); every reference is judged ``correct``;
every trap differs from the reference on at least two worlds, is judged ``misleading``
and is named as itself (so traps are distinguishable); the references raise no lint
warning (a warning on a right answer would mislead learners); the screen prompt and title
give no trap away (no trap's ``tells``) and the handbook entries the drill relies on exist
(architecture.md §2; the loader already checks that the prompt names its output columns).
With ``fresh``, also that
every reference and trap gives one result whatever the row order and thread count
(``catalog/determinism.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqldrills.catalog.challenges import Challenge
from sqldrills.catalog.handbook import Entry
from sqldrills.catalog.handbook import load as load_handbook
from sqldrills.catalog.handbook import missing as missing_entries
from sqldrills.grading.grade import grade
from sqldrills.grading.references import (
    challenge_worlds,
    expected_results,
    matching_trap,
    same_as,
    trusted_results,
)
from sqldrills.grading.results import Verdict
from sqldrills.grading.sandbox import Limits
from sqldrills.lint import LintContext, lint

MIN_WORLDS_DIFFERING = 2
_LIMITS = Limits(timeout_s=120.0, max_rows=1_000_000, memory_limit_mb=4096)


@dataclass
class DrillReport:
    challenge: str
    problems: list[str] = field(default_factory=list)
    checks: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def screen_problems(challenge: Challenge, handbook: dict[str, Entry]) -> list[str]:
    """What makes a screen prompt unfair or a giveaway: a trap's tell-tale phrase in the
    prompt or title (case-insensitive), a cited handbook entry that does not exist.

    A screen question tests judgement only if it does not say where the trap is; it is
    answerable only if every convention it leans on is defined.
    """
    problems = [f"{challenge.id}: handbook entry {h!r} does not exist (sqldrills handbook)"
                for h in missing_entries(challenge.handbook, handbook)]
    for where, text in (("prompt.md", challenge.prompt), ("title", challenge.title)):
        for trap in challenge.traps:
            problems += [f"{challenge.id}/{where}: gives trap {trap.id!r} away with {tell!r}"
                         for tell in trap.tells if tell.casefold() in text.casefold()]
    return problems


def validate_challenge(challenge: Challenge, scale: str | None = None,
                       fresh: bool = False) -> DrillReport:
    """Prove a drill's claims on its worlds.

    By default every reference and trap runs once per world (results are cached on disk)
    and the verdicts the grader would give are derived from those results. With ``fresh``,
    each one is also graded end to end as a learner's answer would be, in its own sandbox
    child, and run again with one thread on the practice world's shuffled twin: slower, and
    it catches SQL whose result depends on row order or thread scheduling.
    """
    report = DrillReport(challenge.id)
    specs = challenge_worlds(challenge, scale)
    expected = expected_results(challenge, specs)
    context = LintContext.from_mapping(challenge.lint)

    def claim(ok: bool, problem: str) -> None:
        report.checks += 1
        if not ok:
            report.problems.append(problem)

    screen = screen_problems(challenge, load_handbook())
    claim(not screen, "; ".join(screen))
    for name, sql in challenge.references:
        where = f"{challenge.id}/{name}"
        if fresh:
            result = grade(challenge, sql, limits=_LIMITS, scale=scale, diagnose=False)
            verdict, message = result.verdict, result.message
        else:
            results = trusted_results(sql, specs, where)
            agrees = all(same_as(challenge, x, y) for x, y in zip(expected, results, strict=True))
            verdict = Verdict.CORRECT if agrees else Verdict.MISLEADING
            message = "its results differ from reference.sql on some world"
        claim(verdict == Verdict.CORRECT, f"{where}: judged {verdict}, not correct: {message}")
        warnings = lint(sql, context)
        claim(not warnings, f"{where}: lint warns on a right answer: "
              + "; ".join(f"{w.rule} {w.message}" for w in warnings))
    for trap in challenge.traps:
        where = f"{challenge.id}/traps/{trap.id}.sql"
        results = trusted_results(trap.sql, specs, where)
        differing = [s.label for s, want, got in zip(specs, expected, results, strict=True)
                     if not same_as(challenge, want, got)]
        claim(len(differing) >= MIN_WORLDS_DIFFERING,
              f"{where}: differs from the reference on {len(differing)} world(s) "
              f"({', '.join(differing) or 'none'}); needs {MIN_WORLDS_DIFFERING}: "
              f"add boundary bait or a world perturbation that exposes it")
        if fresh:
            result = grade(challenge, trap.sql, limits=_LIMITS, scale=scale, diagnose=False)
            verdict, pitfall = result.verdict, result.pitfall
        else:  # what the grader would say of these results, without running them again
            verdict = Verdict.MISLEADING if differing else Verdict.CORRECT
            named = matching_trap(challenge, specs, results)
            pitfall = named.id if named else None
        claim(verdict == Verdict.MISLEADING and pitfall == trap.id,
              f"{where}: judged {verdict} with pitfall {pitfall!r}, "
              f"expected misleading with {trap.id!r}")
    if fresh:
        from sqldrills.catalog.determinism import nondeterministic

        problems = nondeterministic(challenge, specs[0])
        claim(not problems, "; ".join(problems))
    return report


def validate_catalog(
    challenges: list[Challenge],
    scale: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    fresh: bool = False,
) -> list[DrillReport]:
    reports = []
    for i, challenge in enumerate(challenges):
        if progress:
            progress(challenge.id, i, len(challenges))
        reports.append(validate_challenge(challenge, scale, fresh))
    if progress:
        progress("done", len(challenges), len(challenges))
    return reports
