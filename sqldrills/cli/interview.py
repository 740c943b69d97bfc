"""``sqldrills interview``: a timed screen in a plain terminal. The learner writes each task's
answer in ``<answers-dir>/<id>.sql`` with their own editor; single keys preview rows, ask a
clarification, submit, move on or pause. Verdicts are held until a task is submitted (or
the time is up), then a scorecard is shown and kept. State and scoring:
``interview_state``."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sqldrills.catalog.challenges import TRACKS
from sqldrills.cli import interview_state as state
from sqldrills.cli import render
from sqldrills.cli.drills import challenge_by_id, preview_answer, untouched, write_starter
from sqldrills.cli.options import UsageError, query_options
from sqldrills.cli.watch import keypresses
from sqldrills.cli.worlds import prepare_grading
from sqldrills.grading.results import Verdict

if TYPE_CHECKING:
    from sqldrills.catalog.challenges import Challenge

KEYS = "[n] next task  [p] preview rows  [s] submit task  [c] clarify  [q] pause"
SAVE_EVERY_S = 5.0  # the clock is written this often, so a killed terminal loses little time


@click.command()
@click.option("--track", type=click.Choice(TRACKS), default=None,
              help=f"Take the tasks from this track ({state.DEFAULT_TASKS} of them).")
@click.option("--drills", default=None, help="Comma-separated drill ids, e.g. a,b,c.")
@click.option("--minutes", type=click.FloatRange(min=0, min_open=True), default=45.0, show_default=True,
              help="The time for the whole interview.")
@click.option("--answers-dir", type=click.Path(path_type=Path), default=Path("answers") / "interview",
              show_default=True, help="Where the interview's answer files are written.")
@click.option("--new", is_flag=True, help="Start a new interview, dropping a paused one.")
@query_options
def interview(track: str | None, drills: str | None, minutes: float, answers_dir: Path, new: bool,
              dialect: str, timeout: float, scale: str | None) -> None:
    """A timed screen: unsolved drills first, screen prompts only, verdicts held until you
    submit a task, then a scorecard. Run it again to resume a paused interview.

    \b
    Keys: n = next task, p = preview your first rows, s = submit the task,
          c = ask a clarification, q = pause (resume with `sqldrills interview`).
    \b
    Examples:
      sqldrills interview
      sqldrills interview --track time --minutes 30
      sqldrills interview --drills members_not_devices,duplicate_events
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("interview mode needs a terminal (it reads single keys and shows a clock)")
    current = None if new else state.paused()
    if current is not None and (track or drills):
        raise UsageError(f"an interview is paused ({state.clock(current.remaining_s)} left): run "
                         f"`sqldrills interview` to resume it, or add --new to start another")
    if current is None:
        current = _start(track, drills, minutes, answers_dir, dialect, scale)
    else:
        render.message(f"Resuming the interview started {current.started} "
                       f"({state.clock(current.remaining_s)} left).")
    challenges = {t.drill: challenge_by_id(t.drill) for t in current.tasks}
    for challenge in challenges.values():  # built now, so that submitting is quick
        prepare_grading(challenge, current.scale)
    _run(current, challenges, timeout)


def _start(track: str | None, drills: str | None, minutes: float, answers_dir: Path, dialect: str,
           scale: str | None) -> state.Interview:
    from sqldrills.catalog.challenges import load_all
    from sqldrills.cli import attempts

    ids = [challenge_by_id(d.strip()).id for d in drills.split(",") if d.strip()] if drills else None
    solved = [cid for cid, entry in attempts.load().items() if entry.get("solved")]
    chosen = state.choose_drills(load_all(), solved, track=track, ids=ids)
    for cid in chosen:  # a fresh file each interview: the last one's answers are in the history
        write_starter(challenge_by_id(cid), answers_dir, overwrite=True)
    return state.start(chosen, minutes, answers_dir, dialect, scale)


def _run(current: state.Interview, challenges: dict[str, Challenge], timeout: float) -> None:
    with keypresses() as pressed:
        _show_task(current, challenges)
        if _answer_keys(current, challenges, timeout, pressed):
            return  # paused
    _submit_open(current, challenges, timeout)
    _scorecard(current)
    state.finish(current)


def _answer_keys(current: state.Interview, challenges: dict[str, Challenge], timeout: float,
                 pressed: Iterator[str | None]) -> bool:
    """Run the clock and the keys until every task is submitted or the time is up (False),
    or the learner pauses (True)."""
    last = saved = time.monotonic()
    shown_second = None
    for key in pressed:
        now = time.monotonic()
        current.tick(now - last)
        last = now
        if key:
            _clear_status()
        if key == "q":
            state.save(current)
            render.message(f"Paused with {state.clock(current.remaining_s)} left. "
                           f"`sqldrills interview` resumes it.")
            return True
        if key == "n":
            if current.next_task():
                _show_task(current, challenges)
            else:
                render.message("This is the only task left.")
        elif key == "p":
            preview_answer(current.answer(current.task), current.dialect, timeout, current.scale)
        elif key == "c":
            _clarify(current, challenges[current.task.drill])
        elif key == "s":
            _submit(current, challenges, timeout)
            if not current.finished and current.next_task():
                _show_task(current, challenges)
        if current.remaining_s <= 0:
            _clear_status()
            render.message("Time is up: every task still open is submitted as it is.", style="bold")
        if current.finished:
            return False
        if key or now - saved >= SAVE_EVERY_S:
            state.save(current)
            saved = now
        if key or int(current.remaining_s) != shown_second:
            shown_second = int(current.remaining_s)
            _status(current)
    return False


def _show_task(current: state.Interview, challenges: dict[str, Challenge]) -> None:
    task = current.task
    challenge = challenges[task.drill]
    render.separator(f"Task {current.current + 1}/{len(current.tasks)}: {challenge.title}")
    render.markdown(challenge.prompt)
    render.message(f"Answer in {current.answer(task)} (save, then [p] to preview rows).  {KEYS}")


def _status(current: state.Interview) -> None:
    # One line rewritten in place (a visible clock that does not scroll the screen away);
    # every part of it is ours: drill ids are snake_case.
    sys.stdout.write(f"\r\x1b[K{state.clock(current.remaining_s)} left | task {current.current + 1}/"
                     f"{len(current.tasks)} {current.task.drill} | {KEYS}")
    sys.stdout.flush()


def _clear_status() -> None:
    sys.stdout.write("\r\x1b[K")
    sys.stdout.flush()


def _clarify(current: state.Interview, challenge: Challenge) -> None:
    asked = current.clarify(challenge)
    if asked is None:
        render.message(f"No more clarifications for this task ({len(challenge.clarifications)} asked).")
    else:
        render.clarification(current.task.clarifications, len(challenge.clarifications),
                             asked.question, asked.answer)


def _submit(current: state.Interview, challenges: dict[str, Challenge], timeout: float) -> None:
    answer = current.answer(current.task)
    try:
        sql: str | None = answer.read_bytes().decode("utf-8", errors="surrogateescape")
    except OSError:
        sql = None
    task = current.submit(challenges[current.task.drill], None if sql is None or untouched(sql) else sql,
                          timeout)
    state.save(current)
    named = f" - {task.pitfall}" if task.pitfall else ""
    render.message(f"Submitted {task.drill}: {str(task.verdict).upper()}{named} "
                   f"(in {state.clock(task.seconds)}).", style="bold")


def _submit_open(current: state.Interview, challenges: dict[str, Challenge], timeout: float) -> None:
    for index, task in enumerate(current.tasks):
        if not task.submitted:
            current.current = index
            _submit(current, challenges, timeout)


def _scorecard(current: state.Interview) -> None:
    rows = [row[1:] for row in state.scorecard_rows(current)]
    render.console.print(render.rows_table(state.SCORECARD_COLUMNS[1:], rows, title="Scorecard"))
    right = sum(t.verdict == Verdict.CORRECT for t in current.tasks)
    spent = sum(t.seconds for t in current.tasks)
    render.message(f"{right} of {len(current.tasks)} correct in {state.clock(spent)}. "
                   f"`sqldrills progress --interviews` keeps every scorecard.")
