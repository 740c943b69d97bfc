"""``sqldrills validate``: the catalog's self-check, mutation testing of its worlds, and
the pitfall-naming measured on a labelled corpus of wrong answers."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from sqldrills.cli import render
from sqldrills.cli.drills import challenge_by_id
from sqldrills.cli.options import Failure, UsageError, catalog_option, json_option, scale_option

# A grader may fail to name a pitfall; naming the wrong one misleads the learner.
MAX_WRONG_SHARE = 0.02


@click.command()
@click.argument("challenge_ids", nargs=-1)
@scale_option
@json_option
@catalog_option
@click.option("--mutants", is_flag=True,
              help="Mutation-test the worlds: grade near misses of every reference.")
@click.option("--min-kill-rate", type=float, default=0.95, show_default=True,
              help="With --mutants: fail below this share of non-equivalent mutants killed.")
@click.option("--fresh", is_flag=True,
              help="Also grade every reference and trap end to end, as a learner's answer, and "
                   "check each gives one result whatever the row order and thread count (slower).")
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Grade a labelled corpus of wrong answers (<drill>.toml files) and report how "
                   "often the pitfall is named right and wrongly.")
@click.option("--distill", is_flag=True,
              help="Choose each drill's hidden worlds again: the fewest small worlds that tell the "
                   "reference from every trap and mutant; written to its grading.toml.")
def validate(challenge_ids: tuple[str, ...], scale: str | None, as_json: bool, mutants: bool,
             min_kill_rate: float, fresh: bool, corpus: Path | None, distill: bool) -> None:
    """The catalog's self-check: references agree, every trap is caught and named.

    \b
    Examples:
      sqldrills validate
      sqldrills validate cohort_leakage --scale tiny
    """
    from sqldrills.catalog.challenges import ChallengeError, load_all
    from sqldrills.catalog.validate import validate_catalog

    started = time.perf_counter()
    try:
        challenges = [challenge_by_id(c) for c in challenge_ids] if challenge_ids else load_all()
    except ChallengeError as exc:
        raise Failure(str(exc)) from None
    _refuse_unfinished(challenges)
    if distill:
        _validate_distill(challenges, as_json)
        return
    if mutants:
        _validate_mutants(challenges, scale, min_kill_rate, as_json)
        return
    if corpus is not None:
        _validate_corpus(corpus, {c.id for c in challenges} if challenge_ids else None, scale, as_json)
        return
    with render.progress_bar("Validating the catalog") as progress:
        reports = validate_catalog(challenges, scale, progress, fresh)
    elapsed = time.perf_counter() - started
    if as_json:
        render.print_json([vars(r) for r in reports])
    else:
        render.print_rows(["drill", "claims checked", "problems"],
                          [(r.challenge, r.checks, len(r.problems)) for r in reports])
        for r in reports:
            for problem in r.problems:
                render.err_console.print(render.Text(problem, style="red"))
        render.console.print(f"{len(reports)} drills validated in {elapsed:.1f}s")
    if any(not r.ok for r in reports):
        sys.exit(1)


def _refuse_unfinished(challenges: list) -> None:
    """A drill still being written (a `sqldrills new` scaffold) is no drill: say what to write."""
    from sqldrills.catalog.scaffold import unfinished

    problems = [line for challenge in challenges for line in unfinished(challenge)]
    if problems:
        raise Failure("not finished yet:\n  " + "\n  ".join(problems))


def _validate_distill(challenges: list, as_json: bool) -> None:
    from sqldrills.catalog.distill import distill, write_grading
    from sqldrills.grading.references import CatalogError

    started = time.perf_counter()
    results = []
    with render.progress_bar("Distilling grading worlds") as progress:
        for i, challenge in enumerate(challenges):
            def step(what: str, done: int, total: int, i: int = i, drill: str = challenge.id) -> None:
                if progress:  # one bar: this drill's share of the catalog, its worlds within it
                    progress(f"{drill}: {what}", i * total + done, len(challenges) * total)

            try:
                result = distill(challenge, step)
            except CatalogError as exc:
                raise Failure(str(exc)) from None
            write_grading(challenge, result)
            results.append(result)
    if as_json:
        render.print_json([{"challenge": r.challenge, "pool": len(r.pool), "targets": len(r.kills),
                            "worlds": [s.describe() for s in r.specs], "uncovered": r.uncovered}
                           for r in results])
    else:
        render.print_rows(["drill", "candidates", "targets", "worlds kept", "not told apart"],
                          [(r.challenge, len(r.pool), len(r.kills), len(r.chosen), len(r.uncovered))
                           for r in results])
        for r in results:
            for target in r.uncovered:
                render.console.print(render.Text(
                    f"{r.challenge}: {target} is told apart on fewer worlds than asked by every candidate "
                    "world: declare it equivalent (with the reason) or plant the bait", style="yellow"))
        render.console.print(f"{len(results)} drills distilled in {time.perf_counter() - started:.0f}s")
    if any(r.challenge and any(t.startswith("trap:") for t in r.uncovered) for r in results):
        sys.exit(1)


def _validate_mutants(challenges: list, scale: str | None, min_kill_rate: float,
                      as_json: bool) -> None:
    from sqldrills.catalog.mutants import mutation_test

    started = time.perf_counter()
    reports = []
    with render.progress_bar("Mutation testing") as progress:
        for i, challenge in enumerate(challenges):
            if progress:
                progress(challenge.id, i, len(challenges))
            reports.append(mutation_test(challenge, scale))
    killed = sum(r.killed for r in reports)
    scored = sum(r.scored for r in reports)
    rate = killed / scored if scored else 1.0
    if as_json:
        render.print_json({"kill_rate": rate, "drills": [
            {"challenge": r.challenge, "mutants": r.total, "not_running": r.not_running,
             "equivalent": r.equivalent, "killed": r.killed,
             "survivors": [vars(m) for m in r.survivors]} for r in reports]})
    else:
        render.print_rows(
            ["drill", "mutants", "not running", "equivalent", "killed", "survived"],
            [(r.challenge, r.total, r.not_running, len(r.equivalent), r.killed, len(r.survivors))
             for r in reports])
        for r in reports:
            for m in r.survivors:
                render.console.print(render.Text(f"survivor {r.challenge} {m.id}: {m.description}"))
        render.console.print(
            f"{killed} of {scored} non-equivalent running mutants killed ({rate:.1%}) "
            f"in {time.perf_counter() - started:.0f}s")
    if rate < min_kill_rate:
        sys.exit(1)




def _validate_corpus(folder: Path, drills: set[str] | None, scale: str | None, as_json: bool) -> None:
    from sqldrills.catalog.challenges import ChallengeError
    from sqldrills.catalog.corpus import CorpusError, load_corpus, measure

    try:
        answers = [a for a in load_corpus(folder) if drills is None or a.drill in drills]
    except (CorpusError, ChallengeError) as exc:
        raise UsageError(str(exc)) from None
    started = time.perf_counter()
    with render.progress_bar("Grading the corpus") as progress:
        report = measure(answers, scale, progress)
    if as_json:
        render.print_json({
            "named_share": report.named_share, "wrong_share": report.wrong_share,
            "answers": [{"drill": o.answer.drill, "id": o.answer.id, "verdict": o.verdict,
                         "labelled": sorted(o.answer.pitfalls), "named": sorted(o.named),
                         "wrong": sorted(o.wrong)} for o in report.outcomes]})
    else:
        rows = [(drill, len(r.outcomes), len(r.labelled), sum(o.right for o in r.labelled),
                 sum(bool(o.wrong) for o in r.outcomes)) for drill, r in report.by_drill().items()]
        render.print_rows(["drill", "answers", "labelled wrong", "named right", "named wrongly"], rows)
        for outcome in report.outcomes:
            if outcome.wrong:
                render.console.print(render.Text(
                    f"named wrongly: {outcome.answer.drill}/{outcome.answer.id}: {', '.join(sorted(outcome.wrong))} "
                    f"(labelled {', '.join(sorted(outcome.answer.pitfalls)) or 'none'})", style="red"))
        render.console.print(
            f"{len(report.outcomes)} answers in {time.perf_counter() - started:.0f}s: pitfall named right for "
            f"{report.named_share:.0%} of {len(report.labelled)} labelled wrong answers; named wrongly for "
            f"{report.wrong_share:.1%} of all answers")
    if report.wrong_share > MAX_WRONG_SHARE:
        sys.exit(1)
