"""The browser page's interview mode: ``sqldrills interview``'s timed screen on the same state
(``cli/interview_state.py``: the interview in progress, resumable from either side, and the
scorecard history ``sqldrills progress --interviews`` reads).

The clock counts while the page is open: the page ticks every few seconds, and a gap longer
than ``IDLE_S`` (the tab was closed, the laptop slept) counts as ``IDLE_S`` only, as a paused
terminal interview stops its clock. Every change is made under one lock, load to save, so
two tabs never lose each other's updates; a submitted task shows its verdict, the rest are
held until the end, then the scorecard.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sqldrills.cli import interview_state as state
from sqldrills.cli.options import UsageError
from sqldrills.paths import write_atomic
from sqldrills.web.api import Json, Settings, in_thread, read_json, settings, text_field
from sqldrills.web.practice import html, preparing, preview

IDLE_S = 15.0  # the most a silence between two ticks counts (the page ticks every 5 s)
_LOCK = threading.Lock()
_last_tick: list[float] = []  # monotonic time of the last tick, once there was one


def _challenge(drill_id: str) -> Any:
    from sqldrills.cli.drills import challenge_by_id

    try:
        return challenge_by_id(drill_id)
    except UsageError as exc:
        raise HTTPException(400, exc.message) from None


def _ticked() -> state.Interview:
    """The interview in progress, its clock brought up to now (409 when there is none)."""
    current = state.paused()
    if current is None:
        raise HTTPException(409, "no interview in progress: start one")
    now = time.monotonic()
    if _last_tick:
        current.tick(min(now - _last_tick[0], IDLE_S))
    _last_tick[:] = [now]
    return current


def _close_if_over(current: state.Interview, timeout_s: float, end_now: bool = False) -> bool:
    """When time is up, every task is in or the learner ends it: submit what is open, keep
    the scorecard (True); otherwise save the interview (False)."""
    if not (current.finished or end_now):
        state.save(current)
        return False
    for index, task in enumerate(current.tasks):
        if not task.submitted:
            current.current = index
            _submit_current(current, _read(current, task), timeout_s)
    state.finish(current)
    return True


def _text(current: state.Interview, task: state.Task) -> str:
    """The task's answer file as it is (the starter text until written in)."""
    try:
        return current.answer(task).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _read(current: state.Interview, task: state.Task) -> str | None:
    """The answer to grade, or None for a starter file nobody has written in (skipped)."""
    from sqldrills.cli.drills import untouched

    sql = _text(current, task)
    return None if untouched(sql) else sql


def _submit_current(current: state.Interview, sql: str | None, timeout_s: float) -> None:
    current.submit(_challenge(current.task.drill), sql, timeout_s)


def view(current: state.Interview, finished: bool = False) -> dict[str, Any]:
    """What the page shows: the clock, the tasks (verdicts of submitted ones), the task on
    screen with its prompt, answer and clarifications asked; the scorecard once finished."""
    tasks = [{"drill": t.drill, "title": _challenge(t.drill).title, "submitted": t.submitted,
              "verdict": t.verdict if t.submitted else None, "pitfall": t.pitfall if t.submitted else None,
              "time": state.clock(t.seconds), "clarifications": t.clarifications} for t in current.tasks]
    out: dict[str, Any] = {"started": current.started, "minutes": current.minutes, "remaining_s": current.remaining_s,
                           "current": current.current, "finished": finished, "tasks": tasks}
    if finished:
        out["scorecard"] = {"columns": state.SCORECARD_COLUMNS[1:],
                            "rows": [list(row[1:]) for row in state.scorecard_rows(current)]}
        return out
    task, drill = current.task, _challenge(current.task.drill)
    out["task"] = {"drill": drill.id, "title": drill.title, "prompt_html": html(drill.prompt),
                   "answer": _text(current, task), "answer_path": str(current.answer(task)),
                   "clarifications": [{"question": html(c.question, inline=True), "answer": html(c.answer, inline=True)}
                                      for c in drill.clarifications[: task.clarifications]],
                   "clarifications_total": len(drill.clarifications), "submitted": task.submitted}
    return out


def _changed(change: Callable[[state.Interview], None], config: Settings, end_now: bool = False) -> dict[str, Any]:
    """Load and tick the interview, apply ``change``, close it if it is over, save: one lock."""
    with _LOCK:
        current = _ticked()
        change(current)
        return view(current, finished=_close_if_over(current, config.timeout_s, end_now))


async def show(request: Request) -> Response:
    from sqldrills.catalog.challenges import TRACKS

    current = state.paused()
    return Json({"interview": view(current) if current else None, "tracks": list(TRACKS),
                 "history": {"columns": state.SCORECARD_COLUMNS, "rows": state.history_rows()}})


def _start(config: Settings, track: str | None, drills: list[str] | None, minutes: float) -> dict[str, Any]:
    from sqldrills.catalog.challenges import load_all
    from sqldrills.cli import attempts
    from sqldrills.cli.drills import write_starter
    from sqldrills.cli.worlds import prepare_grading

    with _LOCK:
        ids = [_challenge(d).id for d in drills] if drills else None
        solved = [cid for cid, entry in attempts.load().items() if entry.get("solved")]
        chosen = state.choose_drills(load_all(), solved, track=track, ids=ids)
        answers = config.answers_dir / "interview"
        for cid in chosen:  # a fresh file each interview, as the terminal's
            write_starter(_challenge(cid), answers, overwrite=True)
        for cid in chosen:  # built now, so that submitting is quick
            with preparing:
                prepare_grading(_challenge(cid), config.scale)
        current = state.start(chosen, minutes, answers, "duckdb", config.scale)
        _last_tick[:] = [time.monotonic()]
        return view(current)


MAX_TASKS = 30  # a screen of more drills than the catalog holds is a mistake, or an attack


async def start(request: Request) -> Response:
    from sqldrills.catalog.challenges import TRACKS

    data = await read_json(request)
    track, drills, minutes = data.get("track") or None, data.get("drills") or None, data.get("minutes", 45)
    if track is not None and track not in TRACKS:
        raise HTTPException(400, f"unknown track {track!r}; one of: {', '.join(TRACKS)}")
    if drills is not None and not (isinstance(drills, list) and all(isinstance(d, str) for d in drills)):
        raise HTTPException(400, "`drills` must be a list of drill ids")
    if drills is not None and len(drills) > MAX_TASKS:
        raise HTTPException(400, f"an interview has at most {MAX_TASKS} drills")
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or not 0 < minutes <= 600:
        raise HTTPException(400, "`minutes` must be a number of minutes, above 0 and at most 600")
    if state.paused() is not None and data.get("new") is not True:
        raise HTTPException(409, "an interview is in progress: resume it, or start with new to drop it")
    return Json(await in_thread(_start, settings(request), track, drills, float(minutes)))


async def tick(request: Request) -> Response:
    return Json(await in_thread(_changed, lambda current: None, settings(request)))


async def task(request: Request) -> Response:
    index = (await read_json(request)).get("index")

    def switch(current: state.Interview) -> None:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(current.tasks):
            raise HTTPException(400, f"`index` must be a task number from 0 to {len(current.tasks) - 1}")
        if current.tasks[index].submitted:
            raise HTTPException(409, f"{current.tasks[index].drill} is already submitted")
        current.current = index

    return Json(await in_thread(_changed, switch, settings(request)))


async def clarify(request: Request) -> Response:
    return Json(await in_thread(_changed, lambda current: current.clarify(_challenge(current.task.drill)),
                                settings(request)))


def _write_answer(current: state.Interview, sql: str, drill: str | None = None) -> None:
    """Write the current task's answer (``drill``, when given, must be that task: a save sent
    for the task on screen before another was chosen must not land in the new one)."""
    if drill is not None and drill != current.task.drill:
        raise HTTPException(409, f"{drill} is not the task on screen ({current.task.drill})")
    if current.task.submitted:
        raise HTTPException(409, f"{current.task.drill} is already submitted")
    write_atomic(current.answer(current.task), sql)


async def save(request: Request) -> Response:
    data = await read_json(request)
    sql, drill = text_field(data, "sql"), text_field(data, "drill")
    return Json(await in_thread(_changed, lambda current: _write_answer(current, sql, drill), settings(request)))


async def run(request: Request) -> Response:
    """The current task's first rows (previews only: no verdict before submitting)."""
    sql = text_field(await read_json(request), "sql")
    config = settings(request)
    seen: list[state.Interview] = []

    def save_and_keep(current: state.Interview) -> None:
        _write_answer(current, sql)
        seen.append(current)

    await in_thread(_changed, save_and_keep, config)
    return Json(await in_thread(preview, sql, seen[0].dialect, config.timeout_s, config.scale))


async def submit(request: Request) -> Response:
    sql = text_field(await read_json(request), "sql")
    config = settings(request)

    def submit_current(current: state.Interview) -> None:
        _write_answer(current, sql)
        _submit_current(current, _read(current, current.task), config.timeout_s)
        if not current.finished:
            current.next_task()

    return Json(await in_thread(_changed, submit_current, config))


async def end(request: Request) -> Response:
    """End now: every open task is submitted as it is, and the scorecard kept."""
    return Json(await in_thread(_changed, lambda current: None, settings(request), True))


routes = [
    Route("/api/interview", show),
    Route("/api/interview/start", start, methods=["POST"]),
    Route("/api/interview/tick", tick, methods=["POST"]),
    Route("/api/interview/task", task, methods=["POST"]),
    Route("/api/interview/clarify", clarify, methods=["POST"]),
    Route("/api/interview/answer", save, methods=["PUT"]),
    Route("/api/interview/run", run, methods=["POST"]),
    Route("/api/interview/submit", submit, methods=["POST"]),
    Route("/api/interview/end", end, methods=["POST"]),
]
