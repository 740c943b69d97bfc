"""Commands for practising a drill: list, show, check, hint, solution, progress, reset, run."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sqldrills.cli import render
from sqldrills.cli.options import UsageError, json_option, output_options, query_options
from sqldrills.cli.worlds import bar_on_first_use, schema
from sqldrills.world.schema import TABLES


def challenge_by_id(challenge_id: str):
    from sqldrills.catalog.challenges import ChallengeError, get

    try:
        return get(challenge_id)
    except ChallengeError as exc:
        raise UsageError(str(exc)) from None


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


def _grade_and_record(challenge, sql: str, dialect: str, timeout: float, scale: str | None,
                      as_text: bool = True):
    from sqldrills.cli import attempts
    from sqldrills.grading.grade import grade
    from sqldrills.grading.sandbox import Limits

    with bar_on_first_use("Building the worlds (first use only)") as progress_bar:
        result = grade(challenge, sql, dialect=dialect, limits=Limits(timeout_s=timeout),
                       scale=scale, progress=progress_bar,
                       while_waiting=render.preload if as_text else None)
    attempts.record_attempt(challenge.id, result.verdict, result.pitfall)
    return result


@click.command("list")
@output_options
def list_(fmt: str) -> None:
    """Drills by track, in learning order, with difficulty, tags and your status."""
    from sqldrills.catalog.challenges import load_all
    from sqldrills.cli import attempts

    rows = [(c.track, c.id, "*" * c.difficulty, ", ".join(c.tags), attempts.status(c.id), c.title)
            for c in load_all()]
    render.print_rows(["track", "id", "difficulty", "tags", "status", "title"], rows, fmt)


@click.command()
@click.argument("challenge_id")
def show(challenge_id: str) -> None:
    """The prompt, the output contract and the tables involved."""
    challenge = challenge_by_id(challenge_id)
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
    result = _grade_and_record(challenge, _read_answer(answer), dialect, timeout, scale,
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
    index = attempts.next_hint(challenge.id, len(challenge.hints))
    render.console.print(f"Hint {index + 1}/{len(challenge.hints)}: {challenge.hints[index]}")


@click.command()
@click.argument("challenge_id")
@click.option("--force", is_flag=True, help="Show it even before a correct answer.")
def solution(challenge_id: str, force: bool) -> None:
    """The reference query, its explanation and the traps it guards against."""
    from sqldrills.cli import attempts

    challenge = challenge_by_id(challenge_id)
    if attempts.status(challenge.id) != "solved" and not force:
        raise UsageError(f"solve {challenge.id} first, or pass --force to see the solution now")
    render.console.print(render.Text(challenge.reference.strip()))
    render.markdown(challenge.explanation.strip())
    for trap in challenge.traps:
        render.console.print(render.Text(f"- {trap.name}: {trap.explanation}"))


@click.command("progress")
@output_options
def progress_(fmt: str) -> None:
    """Your status on every drill."""
    from sqldrills.catalog.challenges import load_all
    from sqldrills.cli import attempts

    data = attempts.load()
    rows = [(c.id, attempts.status(c.id), data.get(c.id, {}).get("attempts", 0),
             data.get(c.id, {}).get("hints_shown", 0), data.get(c.id, {}).get("last_verdict", ""))
            for c in load_all()]
    render.print_rows(["id", "status", "attempts", "hints", "last verdict"], rows, fmt)


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


def answer_template(challenge) -> str:
    columns = ", ".join(challenge.columns)
    order = f" ordered by {', '.join(challenge.sort_keys)}" if challenge.ordered else ""
    return (f"-- {challenge.title}\n-- Output columns: {columns}{order}\n"
            f"-- Save this file to grade it. `sqldrills show {challenge.id}` shows the prompt.\n\n"
            f"SELECT\n")


@click.command()
@click.argument("challenge_id")
@query_options
@click.option("--answers-dir", type=click.Path(path_type=Path), default=Path("answers"),
              show_default=True, help="Where your answer files live.")
def run(challenge_id: str, dialect: str, timeout: float, scale: str | None,
        answers_dir: Path) -> None:
    """The practice loop: prompt, answer file, verdict; re-grades on every save.

    In a terminal, keys: h = next hint, s = schema, r = re-grade, q = quit.
    Without a terminal it grades once and exits like `check`.
    """
    challenge = challenge_by_id(challenge_id)
    answer = answers_dir / f"{challenge.id}.sql"
    if not answer.exists():
        answers_dir.mkdir(parents=True, exist_ok=True)
        from sqldrills.paths import write_atomic

        write_atomic(answer, answer_template(challenge))
    render.markdown(challenge.prompt)
    render.console.print(f"Your answer: {answer}")

    def grade_once() -> int:
        result = _grade_and_record(challenge, _read_answer(str(answer)), dialect, timeout, scale)
        render.verdict(result, challenge.columns)
        return result.exit_code

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        sys.exit(grade_once())
    from sqldrills.cli.watch import watch

    watch(answer, grade_once, on_key={
        "h": lambda: hint.callback(challenge.id),
        "s": lambda: schema.callback(None, scale),
    })


