"""Grade take-home answers on the hidden worlds, in a process pool, into the results log.

Every answer goes through ``sqldrills.grading.grade.grade``, the one grading path. On top of
it the take-home checks an unexplained misleading answer on the candidate's own world: right
there and wrong elsewhere is an integrity signal.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqldrills.catalog.challenges import Challenge
from sqldrills.grading.results import GradeResult, Verdict, WorldStatus
from sqldrills.grading.values import to_json
from sqldrills.takehome.intake import Job
from sqldrills.takehome.manifest import catalog_challenge
from sqldrills.takehome.records import (
    AnswerRecord,
    Counterexample,
    Outcome,
    RowDifference,
    WorldSummary,
)
from sqldrills.takehome.results_log import ResultsLog
from sqldrills.world.cache import WorldSpec, default_scale

SHOWN_ANSWER_CHARS = 20_000  # of an answer kept in the log for the reports

# Imported once by the forkserver that pool workers fork from: the grader (duckdb, sqlglot)
# and this module, whose grade_jobs the workers run.
_WORKER_PRELOAD = ["duckdb", "sqldrills.grading.grade", "sqldrills.lint",
                   "sqldrills.grading.sqlcheck", "sqldrills.takehome.grading"]


def own_world_status(challenge: Challenge, sql: str, world: Path,
                     timeout_s: float) -> WorldStatus:
    """``match`` when the answer equals the reference on the candidate's own world."""
    from sqldrills.grading.compare import Table, same_result
    from sqldrills.grading.references import REFERENCE_LIMITS
    from sqldrills.grading.sandbox import Limits, QueryFailure, run_query, run_user_sql

    reference = run_query(challenge.reference, [world], limits=REFERENCE_LIMITS)[0]
    answer = run_user_sql(sql, [world], limits=Limits(timeout_s=timeout_s))[0]
    if isinstance(reference, QueryFailure) or isinstance(answer, QueryFailure):
        return WorldStatus.ERROR
    same = same_result(Table(list(reference.columns), list(reference.rows)),
                       Table(list(answer.columns), list(answer.rows)),
                       ordered=challenge.ordered, sort_keys=challenge.sort_keys,
                       tolerance=challenge.tolerance)
    return WorldStatus.MATCH if same else WorldStatus.DIFFERS


def _counterexample(result: GradeResult) -> Counterexample | None:
    failing = next((w for w in result.worlds if w.diffs), None)
    if failing is None or result.verdict != Verdict.MISLEADING:
        return None
    # The cells become JSON values here, in the worker: a fresh record and one read back
    # from the log (--resume) then show the same.
    return Counterexample(failing.world, failing.description,
                          [RowDifference.from_json(to_json(diff)) for diff in failing.diffs[:5]])


def grade_job(job: Job, timeout_s: float, scale: str, threads: int,
              secret: str | None = None) -> AnswerRecord:
    """Grade one answer on the challenge's hidden worlds; with the bundle's ``secret``, on
    worlds whose seeds derive from it and appear nowhere public."""
    if job.sql is None:
        return _decided_record(job)
    return grade_jobs([job], timeout_s, scale, threads, secret)[0]


def grade_jobs(jobs: list[Job], timeout_s: float, scale: str, threads: int,
               secret: str | None = None) -> list[AnswerRecord]:
    """Grade answers to one task that are the same bytes once, and give each candidate its
    own record (runs in a pool worker).

    Grading is deterministic: the same query on the same worlds under the same limits
    gets the same verdict, so running it again for the next candidate would only cost
    time. What depends on the candidate (the own-world integrity check) is still done per
    candidate.
    """
    from sqldrills.grading.grade import grade
    from sqldrills.grading.sandbox import Limits

    first = jobs[0]
    assert first.sql is not None and all(j.task == first.task and j.sql == first.sql for j in jobs)
    challenge = catalog_challenge(first.drill or first.task, first.catalog)
    worlds = None
    if secret is not None:
        from sqldrills.catalog.distill import secret_worlds

        worlds = secret_worlds(challenge, secret, scale)  # chosen once, then read from the cache
    result = grade(challenge, first.sql, limits=Limits(timeout_s=timeout_s, threads=threads),
                   scale=scale, worlds=worlds)
    graded = AnswerRecord(
        first.candidate, first.task, first.answer_sha, Outcome(result.verdict),
        pitfall=result.pitfall, pitfall_name=result.pitfall_name, message=result.message,
        order_only=result.order_only, elapsed_ms=result.elapsed_ms,
        worlds=[WorldSummary(w.world, w.status, w.summary) for w in result.worlds],
        counterexample=_counterexample(result),
        warnings=[f"{w['rule']} {w['name']}: {w['message']}" for w in result.warnings],
        answer=first.sql[:SHOWN_ANSWER_CHARS], columns=list(challenge.columns),
    )
    records = []
    own_world: dict[Path, WorldStatus] = {}  # candidates of a shared bundle share one world
    for job in jobs:
        status = None
        # An answer that reproduces a known trap on every world is a general mistake, not
        # an overfit to the candidate's data: only unexplained wrong answers pay for this.
        if result.verdict == Verdict.MISLEADING and result.pitfall is None and job.seed is not None:
            world = Path(job.world_file) if job.world_file else None
            if world is None:
                from sqldrills.world.cache import world_path

                world = world_path(WorldSpec(job.seed, job.world_scale or scale))
            if world not in own_world:
                own_world[world] = own_world_status(challenge, first.sql, world, timeout_s)
            status = own_world[world]
        records.append(replace(graded, candidate=job.candidate, answer_sha=job.answer_sha,
                               own_world=status))
    return records


def _decided_record(job: Job) -> AnswerRecord:
    """The record of an answer whose outcome reading it decided (not attempted, or an
    error: unreadable)."""
    assert job.verdict is not None and job.reason is not None
    return AnswerRecord(job.candidate, job.task, job.answer_sha, job.verdict,
                        reason=job.reason, message=job.reason)


def _crashed_record(job: Job, exc: BaseException) -> AnswerRecord:
    reason = f"the grader failed on this answer ({type(exc).__name__}: {exc})"
    return AnswerRecord(job.candidate, job.task, job.answer_sha, Outcome.ERROR, reason=reason,
                        message=reason, answer=job.sql[:SHOWN_ANSWER_CHARS] if job.sql else None)


def run_jobs(
    jobs: list[Job],
    log: ResultsLog,
    *,
    workers: int = 1,
    timeout_s: float = 10.0,
    scale: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    secret: str | None = None,
) -> int:
    """Grade every job not in the log yet; return how many were graded now."""
    scale = scale or default_scale()
    done = log.done()
    todo = [job for job in jobs if job.key not in done]
    decided = [job for job in todo if job.sql is None]
    pending = [job for job in todo if job.sql is not None]
    for job in decided:
        log.append(_decided_record(job))
    total, count = len(todo), len(decided)
    if progress:
        progress("grading", count, total)
    threads = max(1, (os.cpu_count() or 1) // max(workers, 1))
    if secret is not None and pending:  # the grading worlds, chosen here once, not in each worker
        from sqldrills.catalog.distill import secret_worlds

        for drill, catalog in dict.fromkeys((job.drill or job.task, job.catalog) for job in pending):
            secret_worlds(catalog_challenge(drill, catalog), secret, scale)
    # Answers to a task that are the same bytes are graded once (grade_jobs): candidates
    # who paste the same query, or hand in the untouched stub, cost one grading.
    groups: dict[tuple[str, str], list[Job]] = {}
    for job in pending:
        groups.setdefault((job.task, job.answer_sha), []).append(job)
    pending_groups = list(groups.values())
    # A worker that dies (a crash in a native library) breaks the pool: the unfinished
    # groups go to a fresh pool once; one that breaks a second pool is recorded as an error.
    for attempt in range(2):
        if not pending_groups:
            break
        broken: list[list[Job]] = []
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_WORKER_PRELOAD)
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers,
                                                    mp_context=context) as pool:
            futures = {pool.submit(grade_jobs, group, timeout_s, scale, threads, secret): group
                       for group in pending_groups}
            try:
                for future in concurrent.futures.as_completed(futures):
                    group = futures[future]
                    try:
                        records = future.result()
                    except concurrent.futures.process.BrokenProcessPool as exc:
                        if attempt == 0:
                            broken.append(group)
                            continue
                        records = [_crashed_record(job, exc) for job in group]
                    except Exception as exc:  # noqa: BLE001 - one answer never stops the batch
                        records = [_crashed_record(job, exc) for job in group]
                    for job, record in zip(group, records, strict=True):
                        log.append(record)
                        count += 1
                        if progress:
                            progress(f"{job.candidate}/{job.task}", count, total)
            except BaseException:
                # The log cannot be written (a full disk) or we are interrupted: grade no
                # more answers whose results would be lost; --resume picks up from the log.
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        pending_groups = broken
    return total
