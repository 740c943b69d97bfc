"""``sqldrills takehome``: build bundles, grade a folder of submissions, grade one answer set.

Registered in ``sqldrills.cli.commands`` with ``main.add_command(takehome)``.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sqldrills.cli import render
from sqldrills.cli.options import (
    Failure,
    UsageError,
    catalog_option,
    scale_option,
    timeout_option,
)
from sqldrills.world.recipe import SCALES

if TYPE_CHECKING:
    from sqldrills.takehome.scoring import Cohort


def _usage(exc: Exception) -> UsageError:
    """A manifest, a candidates file, a rubric or a drill id that cannot be used: exit 2."""
    return UsageError(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def takehome() -> None:
    """Graded take-home exercises: one bundle per candidate, hidden-world grading.

    \b
    sqldrills takehome build --catalog ./our-drills --challenges weekly_churn,... \\
        --candidates candidates.csv --deadline 2026-12-07T18:00Z --out takehome/
    sqldrills takehome grade takehome/manifest.json submissions/ --out report/

    The built-in drills' answers are public (`sqldrills solution`): for hiring, write
    your own with `sqldrills new` and pass --catalog.
    """


@takehome.command()
@click.option("--challenges", "challenge_list", required=True,
              help="Comma-separated challenge ids, in the order candidates see them.")
@click.option("--candidates", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with a 'candidate' column (and optional 'name', 'email'): one bundle "
                   "(and seed) per candidate. Without it, one shared bundle.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the bundles, their zips and the grading manifest.json.")
@scale_option
@click.option("--bundle-scale", type=click.Choice(SCALES), default="tiny", show_default=True,
              help="Size of each candidate's own world (tiny holds every bait the drills "
                   "need; --scale is the grading worlds').")
@click.option("--data", type=click.Choice(["duckdb", "parquet", "both"]), default="duckdb",
              show_default=True, help="The candidate's world as a DuckDB file, Parquet, or both.")
@click.option("--deadline", default=None, metavar="WHEN",
              help="Hand-back time, e.g. 2026-12-07T18:00Z: answers changed after it are "
                   "flagged when grading (never penalised).")
@click.option("--rubric", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Rubric TOML to describe in the README (default: the default rubric).")
@click.option("--secret", default=None,
              help="Secret the candidate seeds derive from (default: random, kept in the "
                   "grading manifest). Pass the same one to rebuild identical bundles.")
@catalog_option
def build(challenge_list: str, candidates: Path | None, out: Path, scale: str | None,
          bundle_scale: str, data: str, deadline: str | None, rubric: Path | None,
          secret: str | None) -> None:
    """Build the bundles: prompts, the candidate's own world, answer stubs, a manifest.

    \b
    Examples:
      sqldrills takehome build --catalog ./our-drills --challenges weekly_churn --out th/
      sqldrills takehome build --challenges cohort_leakage --candidates c.csv --out th/
    """
    from sqldrills.catalog.challenges import ChallengeError, get
    from sqldrills.takehome import TakehomeError
    from sqldrills.takehome.bundle import build_bundles, read_candidates
    from sqldrills.takehome.deadline import parse_deadline
    from sqldrills.takehome.manifest import task_id
    from sqldrills.takehome.rubric import load_rubric

    ids = [c.strip() for c in challenge_list.split(",") if c.strip()]
    started = time.perf_counter()
    try:
        due = parse_deadline(deadline) if deadline else None
        scoring = load_rubric(rubric, {task_id(i): get(c) for i, c in enumerate(ids, start=1)})
        who = read_candidates(candidates) if candidates else None
        with render.progress_bar("Building bundles", enabled=sys.stderr.isatty()) as progress:
            manifest = build_bundles(ids, out, who, scale=scale, secret=secret,
                                     progress=progress, data=data, bundle_scale=bundle_scale,
                                     deadline=due, rubric=scoring)
    except (ChallengeError, TakehomeError) as exc:
        raise _usage(exc) from None
    sizes = {c.id: (out / c.zip).stat().st_size for c in manifest.candidates}
    render.console.print(render.rows_table(
        ["candidate", "name", "seed", "bundle", "zipped"],
        [(c.id, c.name, c.seed, str(out / c.zip), _megabytes(sizes[c.id]))
         for c in manifest.candidates],
        title=f"{len(manifest.candidates)} bundle(s), {len(ids)} task(s), world "
              f"{manifest.bundle_scale} as {data}"))
    render.message(f"Grading manifest: {out / 'manifest.json'} (keep it; it is not for "
                   f"candidates)  [{time.perf_counter() - started:.1f}s]")
    if manifest.catalog is None:
        render.message("note: these are built-in drills, whose answers anyone can read with "
                       "`sqldrills solution`; for hiring, use a private catalog (--catalog, "
                       "docs/authoring.md)", stderr=True)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _grading_options(func):
    func = click.option("--rubric", type=click.Path(exists=True, dir_okay=False,
                                                    path_type=Path),
                        help="Rubric TOML: points per task and partial credit.")(func)
    return catalog_option(timeout_option(func))


@takehome.command()
@click.argument("manifest_path", metavar="MANIFEST",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("submissions", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the reports and the results log.")
@click.option("--workers", type=click.IntRange(1, 64), default=os.cpu_count() or 1,
              show_default=True, help="Answers graded in parallel.")
@click.option("--resume", is_flag=True,
              help="Keep the answers already graded in --out's results log.")
@click.option("--format", "fmt", type=click.Choice(["standard", "gradescope"]),
              default="standard", show_default=True,
              help="gradescope also writes gradescope/<candidate>/results.json.")
@_grading_options
def grade(manifest_path: Path, submissions: Path, out: Path, workers: int, resume: bool,
          fmt: str, timeout: float, rubric: Path | None) -> None:
    """Grade a folder of candidate folders and/or zips on the hidden worlds.

    \b
    Examples:
      sqldrills takehome grade th/manifest.json submissions/ --out report/
      sqldrills takehome grade th/manifest.json submissions/ --out report/ --resume
    """
    from sqldrills.takehome import TakehomeError, reports
    from sqldrills.takehome.grading import run_jobs
    from sqldrills.takehome.intake import collect_jobs
    from sqldrills.takehome.manifest import load_manifest
    from sqldrills.takehome.results_log import RESULTS_LOG, ResultsLog
    from sqldrills.takehome.rubric import load_rubric
    from sqldrills.takehome.scoring import score

    try:
        manifest = load_manifest(manifest_path)
        drills = manifest.drills()
        scoring = load_rubric(rubric, drills)
        intake = collect_jobs(manifest, manifest_path.parent, submissions)
    except TakehomeError as exc:
        raise _usage(exc) from None
    out.mkdir(parents=True, exist_ok=True)
    # One grading run per --out at a time: a second one would rewrite the results log
    # under the first and grade every answer twice. Released when the command ends.
    lock = click.get_current_context().with_resource(open(out / ".lock", "w"))  # noqa: SIM115
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise Failure(f"another `sqldrills takehome grade` is writing into {out}; wait for it to "
                    "finish (then add --resume to keep its results) or choose another --out"
                    ) from None
    try:
        log = ResultsLog(out / RESULTS_LOG, resume)
        started = time.perf_counter()
        jobs = intake.jobs
        with render.progress_bar(f"Grading {len(jobs)} answers with {workers} worker(s)",
                                 enabled=sys.stderr.isatty()) as progress:
            graded = run_jobs(jobs, log, workers=workers, timeout_s=timeout,
                              scale=manifest.scale, progress=progress, secret=manifest.secret)
        elapsed = time.perf_counter() - started
        cohort = score(manifest, jobs, log.latest(), scoring, intake.notes, intake.folder_notes,
                       intake.flags, drills)
        reports.write_reports(cohort, out, gradescope=fmt == "gradescope")
    except OSError as exc:  # a full disk, a read-only or vanished --out
        raise Failure(f"grading into {out} stopped: {exc.strerror or exc}"
                    f"{f' ({exc.filename})' if exc.filename else ''}. The answers graded so far "
                    f"are kept in {out / RESULTS_LOG}; fix this and run again with --resume"
                    ) from None
    _summary(cohort)
    rate = f", {graded / elapsed:.1f} answers/s" if graded and elapsed > 0 else ""
    render.message(f"{graded} answer(s) graded now, {len(jobs) - graded} kept from the "
                   f"log, in {elapsed:.1f}s{rate}. Reports: {out / 'index.html'}")


def _summary(cohort: Cohort) -> None:
    from sqldrills.takehome.integrity import describe_flags

    rows = []
    for candidate in cohort.candidates:
        points, max_points = cohort.total(candidate)
        cells = [f"{a.verdict.shown} ({a.pitfall})" if a.pitfall else a.verdict.shown
                 for a in cohort.answers_of(candidate)]
        rows.append((candidate, cohort.person(candidate)[0], f"{points:g}/{max_points:g}",
                     *cells))
    render.console.print(render.rows_table(
        ["candidate", "name", "points", *(f"Task {i}" for i in range(1, len(cohort.tasks) + 1))],
        rows, title="Take-home"))
    for line in describe_flags(cohort.flags, shown=8):
        render.message(f"flag {line}")
    for note in cohort.warnings + cohort.folder_notes:
        render.message(f"note: {note}", stderr=True)


@takehome.command("grade-one")
@click.argument("manifest_path", metavar="MANIFEST",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("answers_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--candidate", default=None,
              help="The candidate's id in the manifest (enables the own-world check).")
@click.option("--format", "fmt", type=click.Choice(["json", "gradescope"]), default="json",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here (e.g. /autograder/results/results.json) instead of stdout.")
@_grading_options
def grade_one(manifest_path: Path, answers_dir: Path, candidate: str | None, fmt: str,
              out: Path | None, timeout: float, rubric: Path | None) -> None:
    """Grade one candidate's answers in this process: for LMS / autograder containers.

    ANSWERS_DIR holds task_1.sql, task_2.sql, ... (or answers/task_1.sql, ...).

    \b
    Example (Gradescope's run_autograder):
      sqldrills takehome grade-one /autograder/source/manifest.json \\
          /autograder/submission --format gradescope \\
          --out /autograder/results/results.json
    """
    from sqldrills.paths import write_atomic
    from sqldrills.takehome import TakehomeError, reports
    from sqldrills.takehome.grading import grade_job
    from sqldrills.takehome.intake import candidate_jobs, read_answers_dir
    from sqldrills.takehome.manifest import SHARED_ID, load_manifest
    from sqldrills.takehome.rubric import load_rubric
    from sqldrills.takehome.scoring import score

    try:
        manifest = load_manifest(manifest_path)
        drills = manifest.drills()
        scoring = load_rubric(rubric, drills)
    except TakehomeError as exc:
        raise _usage(exc) from None
    who = candidate or (SHARED_ID if manifest.shared else "candidate")
    answers = read_answers_dir(answers_dir, manifest.task_ids)
    jobs = candidate_jobs(who, answers, manifest, manifest_path.parent)
    latest = {(job.candidate, job.task): grade_job(job, timeout, manifest.scale, 2,
                                                   manifest.secret)
              for job in jobs}
    cohort = score(manifest, jobs, latest, scoring, {}, [], None, drills)
    data = (reports.gradescope_result(cohort, who) if fmt == "gradescope"
            else cohort.candidate_json(who))
    text = json.dumps(data, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomic(out, text)
