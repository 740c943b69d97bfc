"""The catalog's self-check: every claim a drill makes is proven on the worlds.

For each drill: the loader accepts it (strictly); every reference is judged ``correct``;
every trap differs from the reference on at least two worlds, is judged ``misleading``
and is named as itself (so traps are distinguishable); the references raise no lint
warning (a warning on a right answer would mislead learners).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqldrills.challenges import Challenge
from sqldrills.compare import same_result
from sqldrills.grade import challenge_worlds, expected_results, grade, trusted_results
from sqldrills.sandbox import Limits

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


def validate_challenge(challenge: Challenge, scale: str | None = None) -> DrillReport:
    report = DrillReport(challenge.id)
    specs = challenge_worlds(challenge, scale)
    expected = expected_results(challenge, specs)

    def claim(ok: bool, problem: str) -> None:
        report.checks += 1
        if not ok:
            report.problems.append(problem)

    for name, sql in challenge.references:
        result = grade(challenge, sql, limits=_LIMITS, scale=scale)
        claim(result.verdict == "correct",
              f"{challenge.id}/{name}: judged {result.verdict}, not correct: {result.message}")
        claim(not result.warnings,
              f"{challenge.id}/{name}: lint warns on a right answer: "
              + "; ".join(f"{w['rule']} {w['message']}" for w in result.warnings))
    for trap in challenge.traps:
        where = f"{challenge.id}/traps/{trap.id}.sql"
        results = trusted_results(trap.sql, specs, where)
        differing = [s.label for s, want, got in zip(specs, expected, results, strict=True)
                     if not same_result(want, got, ordered=challenge.ordered,
                                        sort_keys=challenge.sort_keys,
                                        tolerance=challenge.tolerance)]
        claim(len(differing) >= MIN_WORLDS_DIFFERING,
              f"{where}: differs from the reference on {len(differing)} world(s) "
              f"({', '.join(differing) or 'none'}); needs {MIN_WORLDS_DIFFERING}: "
              f"add boundary bait or a world perturbation that exposes it")
        result = grade(challenge, trap.sql, limits=_LIMITS, scale=scale)
        claim(result.verdict == "misleading" and result.pitfall == trap.id,
              f"{where}: judged {result.verdict} with pitfall {result.pitfall!r}, "
              f"expected misleading with {trap.id!r}")
    return report


def validate_catalog(
    challenges: list[Challenge],
    scale: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[DrillReport]:
    reports = []
    for i, challenge in enumerate(challenges):
        if progress:
            progress(challenge.id, i, len(challenges))
        reports.append(validate_challenge(challenge, scale))
    if progress:
        progress("done", len(challenges), len(challenges))
    return reports
