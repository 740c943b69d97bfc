"""The browser page's drill API: the same engine calls as the command line's ``list``,
``show``, ``query``, ``check``, ``hint``, ``clarify``, ``solution`` and ``schema``, on the
same answer files (``<answers-dir>/<id>.sql``, what ``sqldrills run`` watches) and the same
progress store (``cli/attempts.py``).

A check is ``cli.drills.grade_and_record`` (grade, then count the attempt exactly as
``check`` does); Run is ``sandbox.run_user_sql`` on the practice world, as ``query`` does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sqldrills import DIALECTS
from sqldrills.cli import attempts
from sqldrills.cli.options import UsageError
from sqldrills.grading.values import display
from sqldrills.paths import write_atomic
from sqldrills.web.api import Json, dialect_field, in_thread, read_json, settings, text_field
from sqldrills.world.schema import TABLES

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from sqldrills.catalog.challenges import Challenge
    from sqldrills.grading.results import GradeResult
    from sqldrills.grading.sandbox import Outcome

PREVIEW_ROWS = 100  # a page scrolls: more of the first rows than the terminal's 10
# One preparation at a time: the first use of a drill builds its worlds and reference
# results; two tabs asking at once would build them twice (and draw two progress bars).
preparing = threading.Lock()


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt  # rich's Markdown parser; raw HTML is escaped

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def html(text: str, inline: bool = False) -> str:
    """A drill's Markdown (prompt, hints, explanations) as HTML, any HTML in it escaped.

    >>> html("Count **members**, <b>not</b> devices", inline=True)
    'Count <strong>members</strong>, &lt;b&gt;not&lt;/b&gt; devices'
    """
    return _markdown().renderInline(text) if inline else _markdown().render(text)


def challenge(request: Request) -> Challenge:
    """The drill named in the path, or 404 with the closest ids (``challenge_by_id``'s words)."""
    from sqldrills.cli.drills import challenge_by_id

    try:
        return challenge_by_id(request.path_params["drill"])
    except UsageError as exc:
        raise HTTPException(404, exc.message) from None


def answer_file(request: Request, drill: Challenge) -> Path:
    """The drill's answer file, created with the starter text (as ``sqldrills run`` does)."""
    from sqldrills.cli.drills import write_starter

    return write_starter(drill, settings(request).answers_dir)


def read_answer(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def status_text(entry: dict[str, Any]) -> str:
    """The status as ``sqldrills list`` shows it."""
    how = attempts.solved_how(entry)
    return f"{attempts.describe(entry)}{f', {how}' if how else ''}"


@cache
def catalog() -> tuple[Challenge, ...]:
    """The drills, read once per server (~25 ms for 30 folders); a drill edited while serving
    shows in the list after a restart (its own page reads it again)."""
    from sqldrills.catalog.challenges import load_all

    return tuple(load_all())


def drill_rows() -> list[dict[str, Any]]:
    """Every drill with the learner's status, as ``sqldrills list`` has them."""
    data = attempts.load()
    return [{"id": c.id, "title": c.title, "track": c.track, "difficulty": c.difficulty, "tags": list(c.tags),
             "status": attempts.describe(data.get(c.id, {})), "status_text": status_text(data.get(c.id, {}))}
            for c in catalog()]


async def drills(request: Request) -> Response:
    from sqldrills.catalog.challenges import TRACKS

    return Json({"tracks": list(TRACKS), "drills": await in_thread(drill_rows), "dialects": list(DIALECTS)})


def _revealed(drill: Challenge) -> dict[str, Any]:
    hints = drill.hints[: attempts.shown(drill.id, "hints")]
    asked = drill.clarifications[: attempts.shown(drill.id, "clarifications")]
    return {"hints": [html(h, inline=True) for h in hints], "hints_total": len(drill.hints),
            "clarifications": [{"question": html(c.question, inline=True), "answer": html(c.answer, inline=True)}
                               for c in asked],
            "clarifications_total": len(drill.clarifications)}


async def drill(request: Request) -> Response:
    found = challenge(request)
    path = await in_thread(answer_file, request, found)
    entry = attempts.load().get(found.id, {})
    order = f"ordered by {', '.join(found.sort_keys)}" if found.ordered else "any order"
    return Json({
        "id": found.id, "title": found.title, "track": found.track, "difficulty": found.difficulty,
        "tags": list(found.tags), "prompt_html": html(found.prompt),
        "contract": f"Output: {', '.join(found.columns)} - {found.grain}; {order}; "
                    f"numbers within relative tolerance {found.tolerance:g}.",
        "columns": list(found.columns), "tables": [t for t in TABLES if t in found.reference],
        "handbook": list(found.handbook), "answer": read_answer(path), "answer_path": str(path),
        "status": attempts.describe(entry), "status_text": status_text(entry), **_revealed(found),
    })


async def save(request: Request) -> Response:
    found = challenge(request)
    sql = text_field(await read_json(request), "sql")
    path = settings(request).answers_dir / f"{found.id}.sql"
    await in_thread(write_atomic, path, sql)
    return Json({"saved": str(path)})


async def _save_sql(request: Request, found: Challenge) -> tuple[str, str]:
    """The answer posted with Run or Check, written to the answer file first (atomically:
    ``sqldrills run`` in a terminal may be watching it), and its dialect."""
    data = await read_json(request)
    sql, dialect = text_field(data, "sql"), dialect_field(data)
    await in_thread(write_atomic, settings(request).answers_dir / f"{found.id}.sql", sql)
    return sql, dialect


def preview(sql: str, dialect: str, timeout_s: float, scale: str | None) -> dict[str, Any]:
    """The answer's first rows on the practice world: ``sqldrills query``'s path, no verdict."""
    from sqldrills.cli.drills import untouched
    from sqldrills.cli.worlds import practice_db
    from sqldrills.grading.explain import error_message
    from sqldrills.grading.sandbox import Limits, QueryFailure, run_user_sql

    if untouched(sql):
        return {"error": "Write your query first: the editor holds only the starter text."}
    outcome: Outcome = run_user_sql(sql, [practice_db(scale)], dialect=dialect, limits=Limits(timeout_s=timeout_s))[0]
    if isinstance(outcome, QueryFailure):
        return {"error": error_message(outcome, [], sql)}
    return {"columns": outcome.columns, "rows": [[display(v) for v in row] for row in outcome.rows[:PREVIEW_ROWS]],
            "row_count": len(outcome.rows), "truncated": outcome.truncated, "elapsed_ms": round(outcome.elapsed_ms, 1)}


async def run(request: Request) -> Response:
    found = challenge(request)
    sql, dialect = await _save_sql(request, found)
    config = settings(request)
    return Json(await in_thread(preview, sql, dialect, config.timeout_s, config.scale))


def grade_answer(drill: Challenge, sql: str, dialect: str, timeout_s: float, scale: str | None) -> dict[str, Any]:
    """``check``'s grade-and-record, and what the page shows of it (``render.verdict``'s parts)."""
    from sqldrills.cli.drills import grade_and_record, untouched
    from sqldrills.cli.worlds import prepare_grading

    if untouched(sql):  # as `run` does: nothing to grade yet, and not an attempt
        return {"verdict": None, "message": "Write your query first: the editor holds only the starter text."}
    with preparing:
        prepare_grading(drill, scale)
    result = grade_and_record(drill, sql, dialect, timeout_s, scale, as_text=False)
    # The next Check's sandbox opens the worlds while the learner edits (as `run` does).
    from sqldrills.grading.grade import keep_warm
    from sqldrills.grading.sandbox import Limits

    keep_warm(drill, limits=Limits(timeout_s=timeout_s), scale=scale)
    return {**result.to_json(), "counterexample": counterexample(result, drill.columns),
            "status": attempts.status(drill.id)}


def counterexample(result: GradeResult, columns: Sequence[str]) -> dict[str, Any] | None:
    """Where a misleading answer differs, expected against yours, as the terminal shows it."""
    from sqldrills.grading.explain import diff_rows
    from sqldrills.grading.results import Verdict

    failing = next((w for w in result.worlds if w.diffs), None)
    if failing is None or result.verdict != Verdict.MISLEADING or result.order_only:
        return None
    header, rows = diff_rows(failing, tuple(columns))
    return {"world": failing.world, "header": header, "rows": [[display(v) for v in row] for row in rows]}


async def check(request: Request) -> Response:
    found = challenge(request)
    sql, dialect = await _save_sql(request, found)
    config = settings(request)
    return Json(await in_thread(grade_answer, found, sql, dialect, config.timeout_s, config.scale))


def _reveal(drill: Challenge, what: str, items: Sequence[object], reveal: Callable[[str, int], int]) -> str | None:
    """Reveal the next hint or clarification (as ``hint`` and ``clarify`` do); the reason
    when there is none to reveal."""
    if not items:
        return f"{drill.id} has no {what}."
    if attempts.shown(drill.id, what) >= len(items):
        return f"No more {what}: all {len(items)} are shown."
    reveal(drill.id, len(items))
    return None


async def hint(request: Request) -> Response:
    found = challenge(request)
    note = await in_thread(_reveal, found, "hints", found.hints, attempts.next_hint)
    return Json({**_revealed(found), "note": note})


async def clarify(request: Request) -> Response:
    found = challenge(request)
    note = await in_thread(_reveal, found, "clarifications", found.clarifications, attempts.next_clarification)
    return Json({**_revealed(found), "note": note})


async def solution(request: Request) -> Response:
    """The reference, after a correct answer (or with ``{"force": true}``, as ``--force``)."""
    found = challenge(request)
    force = (await read_json(request)).get("force") is True
    if attempts.status(found.id) != "solved" and not force:
        raise HTTPException(409, f"solve {found.id} first, or ask with force to see the solution now")
    await in_thread(attempts.record_solution_seen, found.id)
    return Json({"reference": found.reference.strip(), "explanation_html": html(found.explanation.strip()),
                 "traps": [{"name": t.name, "explanation": html(t.explanation, inline=True)} for t in found.traps]})


async def schema(request: Request) -> Response:
    return Json({"tables": {name: [{"name": c.name, "type": c.type + (" NULL" if c.nullable else ""),
                                    "meaning": c.meaning} for c in columns]
                            for name, columns in TABLES.items()}})


def examples(table: str, scale: str | None) -> dict[str, str]:
    """Example values of each column (``schema TABLE``'s query), run in the sandbox: the server
    never holds a DuckDB connection of its own while its threads fork sandbox children."""
    from sqldrills.cli.worlds import example_sql, practice_db
    from sqldrills.grading.sandbox import QueryResult, Sandbox

    columns = [c.name for c in TABLES[table]]
    outcomes = Sandbox.start([practice_db(scale)]).run_many([example_sql(table, c) for c in columns])()
    return {column: ", ".join(display(row[0]) for row in world[0].rows) if isinstance(world[0], QueryResult) else ""
            for column, world in zip(columns, outcomes, strict=True)}


async def table_examples(request: Request) -> Response:
    table = request.path_params["table"].lower()
    if table not in TABLES:
        raise HTTPException(404, f"no table {table!r}; tables: {', '.join(TABLES)}")
    return Json({"table": table, "examples": await in_thread(examples, table, settings(request).scale)})


routes = [
    Route("/api/drills", drills),
    Route("/api/drills/{drill}", drill),
    Route("/api/drills/{drill}/answer", save, methods=["PUT"]),
    Route("/api/drills/{drill}/run", run, methods=["POST"]),
    Route("/api/drills/{drill}/check", check, methods=["POST"]),
    Route("/api/drills/{drill}/hint", hint, methods=["POST"]),
    Route("/api/drills/{drill}/clarify", clarify, methods=["POST"]),
    Route("/api/drills/{drill}/solution", solution, methods=["POST"]),
    Route("/api/schema", schema),
    Route("/api/schema/{table}", table_examples),
]
