"""``sqldrills shell``: a small read-eval-print loop over the practice world, every query in
the grader's sandbox (the same checks and limits as an answer)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from sqldrills.cli import render
from sqldrills.paths import data_dir
from sqldrills.world.schema import TABLES

SHOWN_ROWS = 200
QUIT = (".quit", ".exit", "\\q")
HISTORY_LENGTH = 1000


def history_file() -> Path:
    return data_dir() / "shell_history"


@contextlib.contextmanager
def _line_editing() -> Iterator[None]:
    """Arrow keys, editing and a history kept across sessions (readline makes ``input()``
    use them); where Python was built without readline, lines are read plainly."""
    try:
        import readline
    except ImportError:
        yield
        return
    with contextlib.suppress(OSError):  # no history yet, or an unreadable one: start afresh
        readline.read_history_file(history_file())
    readline.set_history_length(HISTORY_LENGTH)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            readline.write_history_file(history_file())


def repl(db: Path, dialect: str, timeout_s: float, show_schema: Callable[[str | None], None]) -> None:
    """Read queries ending in ';' until .quit or end of input; ``.tables`` lists the tables,
    ``.schema [TABLE]`` calls ``show_schema``."""
    render.console.print(f"Practice world: {db.name}. End queries with ';'. .quit to leave.")
    with _line_editing():
        _loop(db, dialect, timeout_s, show_schema)


def _loop(db: Path, dialect: str, timeout_s: float, show_schema: Callable[[str | None], None]) -> None:
    from sqldrills.grading.explain import error_message
    from sqldrills.grading.sandbox import Limits, QueryFailure, run_user_sql

    buffer: list[str] = []
    while True:
        try:
            line = input("sqldrills> " if not buffer else "      ...> ")
        except (EOFError, KeyboardInterrupt):
            render.console.print()
            return
        stripped = line.strip()
        if not buffer and stripped in QUIT:
            return
        if not buffer and stripped == ".tables":
            render.console.print(", ".join(TABLES))
            continue
        if not buffer and stripped.startswith(".schema"):
            name = stripped.split(maxsplit=1)[1] if " " in stripped else None
            if name is None or name in TABLES:
                show_schema(name)
            else:
                render.console.print(f"no table {name!r}")
            continue
        buffer.append(line)
        if not stripped.endswith(";"):
            continue
        sql, buffer = "\n".join(buffer), []
        result = run_user_sql(sql, [db], dialect=dialect, limits=Limits(timeout_s=timeout_s))[0]
        if isinstance(result, QueryFailure):
            render.message(error_message(result, [], sql), stderr=True, style="red")
            continue
        render.print_rows(result.columns, result.rows[:SHOWN_ROWS])
        if len(result.rows) > SHOWN_ROWS or result.truncated:
            render.console.print(f"({len(result.rows):,}{'+' if result.truncated else ''} rows)")
