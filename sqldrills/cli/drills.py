"""Commands for practising a drill: list, show, check, hint, solution, progress, reset, run."""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sqldrills.cli import render
from sqldrills.cli.options import (
    UsageError,
    catalog_option,
    json_option,
    output_options,
    query_options,
)
from sqldrills.cli.worlds import practice_db, prepare_grading, schema
from sqldrills.world.schema import TABLES

if TYPE_CHECKING:
    from sqldrills.catalog.challenges import Challenge
    from sqldrills.grading.results import GradeResult


def challenge_by_id(challenge_id: str) -> Challenge:
    """The drill, or a usage error that suggests the closest ids to a misspelled one."""
    from sqldrills.catalog.challenges import ChallengeError, get
    from sqldrills.paths import challenges_dir

    try:
        return get(challenge_id)
    except ChallengeError as exc:
        known = sorted(p.name for p in challenges_dir().iterdir() if (p / "challenge.toml").is_file())
        if challenge_id in known:  # a broken drill folder: the loader's message says where
            raise UsageError(str(exc)) from None
        close = difflib.get_close_matches(challenge_id.lower(), known, n=3, cutoff=0.6)
        guess = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UsageError(f"no drill {challenge_id!r}.{guess} `sqldrills list` shows all "
                         f"{len(known)}.") from None


def _read_answer(source: str) -> str:
    """The answer's text from a file or '-' (stdin). Undecodable bytes are kept visible."""
    if source == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise UsageError(f"no answer file {source!r}; create it or pass '-' to read stdin")
        data = path.read_bytes()
    return data.decode("utf-8", errors="surrogateescape")


def grade_and_record(challenge: Challenge, sql: str, dialect: str, timeout: float,
                     scale: str | None, as_text: bool = True) -> GradeResult:
    """Grade once and count it in progress: what `check`, `run` and the browser page do."""
    from sqldrills.cli import attempts
    from sqldrills.grading.grade import grade
    from sqldrills.grading.sandbox import Limits

    prepare_grading(challenge, scale)
    result = grade(challenge, sql, dialect=dialect, limits=Limits(timeout_s=timeout), scale=scale,
                   while_waiting=render.preload if as_text else None)
    # A refused query never ran on a world (no reports): it is not an attempt at the drill.
    if result.worlds:
        attempts.record_attempt(challenge.id, result.verdict, result.pitfall)
    return result


def untouched(sql: str) -> bool:
    """True for a starter file nobody has written in yet: only comments and a bare SELECT.

    >>> untouched("-- Title\\n-- Output columns: day\\n\\nSELECT\\n"), untouched("SELECT 1")
    (True, False)
    """
    code = re.sub(r"--[^\n]*", "", sql).strip()
    return code.upper() in ("", "SELECT")


def preview_answer(answer: Path, dialect: str, timeout: float, scale: str | None) -> None:
    """The first rows of the answer's own result on the practice world: no grading, no verdict."""
    from sqldrills.grading.explain import error_message
    from sqldrills.grading.sandbox import Limits, QueryFailure, run_user_sql

    sql = _read_answer(str(answer))
    if untouched(sql):
        render.message(f"Write your query in {answer} and save it first.")
        return
    outcome = run_user_sql(sql, [practice_db(scale)], dialect=dialect, limits=Limits(timeout_s=timeout))[0]
    if isinstance(outcome, QueryFailure):
        render.message(error_message(outcome, [], sql), style="red")
    else:
        render.preview(outcome, "practice")


@click.command("list")
@output_options
@catalog_option
def list_(fmt: str) -> None:
    """Drills by track, in learning order, with difficulty, tags and your status."""
    from sqldrills.catalog.challenges import load_all
    from sqldrills.cli import attempts

    data = attempts.load()
    rows = []
    for c in load_all():
        entry = data.get(c.id, {})
        how = attempts.solved_how(entry)
        rows.append((c.track, c.id, "*" * c.difficulty, ", ".join(c.tags),
                     f"{attempts.describe(entry)}{f', {how}' if how else ''}", c.title))
    render.print_rows(["track", "id", "difficulty", "tags", "status", "title"], rows, fmt)


@click.command()
@click.argument("challenge_id")
@catalog_option
def show(challenge_id: str) -> None:
    """The prompt, the output contract and the tables involved."""
    show_prompt(challenge_by_id(challenge_id))


def show_prompt(challenge: Challenge) -> None:
    render.markdown(challenge.prompt)
    order = f"ordered by {', '.join(challenge.sort_keys)}" if challenge.ordered else "any order"
    render.console.print(f"Output: {', '.join(challenge.columns)} - {challenge.grain}; {order}; "
                         f"numbers within relative tolerance {challenge.tolerance:g}.")
    used = [t for t in TABLES if t in challenge.reference]
    render.console.print(f"Tables involved: {', '.join(used)}  (sqldrills schema TABLE)")


@click.command()
@click.argument("challenge_id")
@click.argument("answer")
@query_options
@json_option
@catalog_option
def check(challenge_id: str, answer: str, dialect: str, timeout: float, scale: str | None,
          as_json: bool) -> None:
    """Grade an answer once. Exit 0 if correct, 1 if not, 2 on usage errors.

    \b
    Examples:
      sqldrills check cohort_leakage answers/cohort_leakage.sql
      sqldrills check members_not_devices - --dialect postgres < my.sql
      sqldrills check duplicate_events my.sql --json
    """
    challenge = challenge_by_id(challenge_id)
    result = grade_and_record(challenge, _read_answer(answer), dialect, timeout, scale,
                               as_text=not as_json)
    if as_json:
        render.print_json(result.to_json())
    else:
        render.verdict(result, challenge.columns)
    sys.exit(result.exit_code)


@click.command()
@click.argument("challenge_id")
def hint(challenge_id: str) -> None:
    """The next hint (each call reveals one more)."""
    from sqldrills.cli import attempts

    challenge = challenge_by_id(challenge_id)
    index = _reveal(challenge, "hints", challenge.hints, attempts.next_hint,
                    f"`sqldrills solution {challenge.id} --force` shows the reference query.")
    if index is not None:
        render.console.print(f"Hint {index + 1}/{len(challenge.hints)}: {challenge.hints[index]}")


def next_clarification(challenge: Challenge) -> None:
    """Reveal the drill's next clarification (counted in progress: "solved with clarifications")."""
    from sqldrills.cli import attempts

    index = _reveal(challenge, "clarifications", challenge.clarifications, attempts.next_clarification,
                    f"A hint is next: h in the loop, or `sqldrills hint {challenge.id}`.")
    if index is not None:
        asked = challenge.clarifications[index]
        render.clarification(index + 1, len(challenge.clarifications), asked.question, asked.answer)


def _reveal(challenge: Challenge, what: str, items: Sequence[object],
            reveal: Callable[[str, int], int], then: str) -> int | None:
    """The index of the next hint or clarification to show, or None (said why) when there
    are none, or none left: the last one is not repeated as if it were new."""
    from sqldrills.cli import attempts

    if not items:
        render.message(f"{challenge.id} has no {what}.")
        return None
    if attempts.shown(challenge.id, what) >= len(items):
        render.message(f"No more {what}: all {len(items)} are shown. {then}")
        return None
    return reveal(challenge.id, len(items))


@click.command()
@click.argument("challenge_id")
@click.option("--force", is_flag=True, help="Show it even before a correct answer.")
def solution(challenge_id: str, force: bool) -> None:
    """The reference query, its explanation and the traps it guards against."""
    from sqldrills.cli import attempts

    challenge = challenge_by_id(challenge_id)
    if attempts.status(challenge.id) != "solved" and not force:
        raise UsageError(f"solve {challenge.id} first, or pass --force to see the solution now")
    attempts.record_solution_seen(challenge.id)
    render.console.print(render.Text(challenge.reference.strip()))
    render.markdown(challenge.explanation.strip())
    for trap in challenge.traps:
        render.console.print(render.Text(f"- {trap.name}: {trap.explanation}"))


@click.command("progress")
@click.option("--interviews", is_flag=True, help="Your interviews' scorecards instead.")
@output_options
def progress_(interviews: bool, fmt: str) -> None:
    """Your status on every drill: attempts that ran, and how each was solved (unaided,
    with clarifications, with hints, after the solution)."""
    from sqldrills.catalog.challenges import load_all
    from sqldrills.cli import attempts

    if interviews:
        from sqldrills.cli.interview_state import SCORECARD_COLUMNS, history_rows

        render.print_rows(SCORECARD_COLUMNS, history_rows(), fmt)
        return
    data = attempts.load()
    rows = []
    for c in load_all():
        entry = data.get(c.id, {})
        rows.append((c.id, attempts.describe(entry), attempts.solved_how(entry), entry.get("attempts", 0),
                     entry.get("hints_shown", 0), entry.get("clarifications_revealed", 0),
                     entry.get("last_verdict", "")))
    render.print_rows(["id", "status", "solved", "attempts", "hints", "clarifications", "last verdict"],
                      rows, fmt)


@click.command()
@click.argument("challenge_id", required=False)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(challenge_id: str | None, yes: bool) -> None:
    """Forget your progress on one drill (or all of them). Answer files are kept."""
    from sqldrills.cli import attempts

    if challenge_id:
        challenge_by_id(challenge_id)
    what = challenge_id or "every drill"
    if not yes and not click.confirm(f"Reset progress on {what}?"):
        return
    attempts.reset(challenge_id)
    render.console.print(f"Progress on {what} reset.")


def answer_template(challenge: Challenge) -> str:
    """The starter file: the output contract as comments, then a bare SELECT (see
    :func:`untouched`)."""
    columns = ", ".join(challenge.columns)
    order = f" ordered by {', '.join(challenge.sort_keys)}" if challenge.ordered else ""
    return (f"-- {challenge.title}\n-- Output columns: {columns}{order}\n"
            f"-- Write one query below and save. `sqldrills show {challenge.id}` shows the prompt.\n\n"
            f"SELECT\n")


def write_starter(challenge: Challenge, answers_dir: Path, overwrite: bool = False) -> Path:
    """``answers_dir/<id>.sql``, created with the starter text unless it exists."""
    from sqldrills.paths import write_atomic

    answer = answers_dir / f"{challenge.id}.sql"
    if overwrite or not answer.exists():
        write_atomic(answer, answer_template(challenge))
    return answer


@click.command()
@click.argument("challenge_id")
@query_options
@click.option("--answers-dir", type=click.Path(path_type=Path), default=Path("answers"),
              show_default=True, help="Where your answer files live.")
def run(challenge_id: str, dialect: str, timeout: float, scale: str | None,
        answers_dir: Path) -> None:
    """The practice loop: prompt, answer file, verdict; re-grades on every save.

    In a terminal, keys: h = next hint, c = next clarification, s = schema, p = the prompt
    again, v = preview your first rows, r = re-grade, q = quit.
    Without a terminal it grades once and exits like `check`.
    """
    challenge = challenge_by_id(challenge_id)
    answer = write_starter(challenge, answers_dir)
    show_prompt(challenge)
    render.console.print(f"Your answer: {answer}")

    def grade_once() -> int:
        sql = _read_answer(str(answer))
        if untouched(sql):  # not graded, not counted: there is nothing to grade yet
            render.message(f"Write your query in {answer} and save: it is graded on every save.")
            return 1
        result = grade_and_record(challenge, sql, dialect, timeout, scale)
        render.verdict(result, challenge.columns)
        warm()
        return result.exit_code

    def warm() -> None:  # the next save's sandbox opens the worlds while the learner edits
        from sqldrills.grading.grade import keep_warm
        from sqldrills.grading.sandbox import Limits

        keep_warm(challenge, limits=Limits(timeout_s=timeout), scale=scale)

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        sys.exit(grade_once())
    from sqldrills.cli.watch import watch

    warm()

    watch(answer, grade_once, {
        "h": ("hint", lambda: hint.callback(challenge.id)),
        "c": ("clarify", lambda: next_clarification(challenge)),
        "s": ("schema", lambda: schema.callback(None, scale)),
        "p": ("prompt", lambda: show_prompt(challenge)),
        "v": ("preview rows", lambda: preview_answer(answer, dialect, timeout, scale)),
    })
