"""Everything the terminal shows. The only module that imports rich: the engine returns
data, the CLI picks a renderer (text here, or JSON/CSV for machines).

rich is imported on first use, not with this module (it costs 0.2 s, a third of a
one-shot ``sqldrills check``): ``render.console``, ``render.err_console``, ``render.Text``
and ``render.Table`` are created when first asked for.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqldrills.grading.results import Verdict
from sqldrills.grading.values import display, to_json

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


def __getattr__(name: str) -> Any:
    """The rich objects, made on first access (PEP 562)."""
    if name in ("console", "err_console"):
        from rich.console import Console

        value: Any = Console(highlight=False, stderr=name == "err_console")
    elif name == "Text":
        from rich.text import Text as value
    elif name == "Table":
        from rich.table import Table as value
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def preload() -> None:
    """Import rich and make the consoles now (e.g. while a query runs in its child)."""
    from rich.table import Table  # noqa: F401
    from rich.text import Text  # noqa: F401

    _console()


def _console(stderr: bool = False) -> Console:
    name = "err_console" if stderr else "console"
    return globals()[name] if name in globals() else __getattr__(name)


def rows_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(display(v)) for v in row))
    return table


def print_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str = "table") -> None:
    """Print query results as a table, JSON (a list of objects) or CSV."""
    if fmt == "json":
        print_json([dict(zip(columns, r, strict=True)) for r in rows])
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows([["" if v is None else display(v) for v in r] for r in rows])
        sys.stdout.write(buffer.getvalue())
    else:
        _console().print(rows_table(columns, rows))


def print_json(data: Any) -> None:
    """Valid JSON (no bare NaN), values as ``sqldrills.grading.values.to_json`` spells them."""
    sys.stdout.write(json.dumps(to_json(data), indent=2, allow_nan=False) + "\n")


def markdown(text: str) -> None:
    from rich.markdown import Markdown  # 0.1 s to import: only the commands that show prompts

    _console().print(Markdown(text))


@contextlib.contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[Any]:
    """A progress callback ``(what, done, total)`` drawing a bar on stderr."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.fields[step]}"), TimeElapsedColumn(),
                  console=_console(stderr=True), transient=False) as progress:
        task = progress.add_task(description, total=1, step="")

        def update(what: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, step=what)

        yield update


_VERDICT_STYLE = {Verdict.CORRECT: "bold green", Verdict.MISLEADING: "bold yellow",
                  Verdict.INVALID: "bold magenta", Verdict.ERROR: "bold red"}


def verdict(result: Any, columns: Sequence[str]) -> None:
    """Show a GradeResult: the verdict, why, the worlds, a counterexample, lint warnings."""
    from rich.table import Table
    from rich.text import Text

    from sqldrills.grading.explain import diff_rows

    console = _console()
    style = _VERDICT_STYLE.get(result.verdict, "bold")
    console.print(Text(result.verdict.upper(), style=style), Text(f"  {result.challenge}"))
    console.print(Text(result.message))
    if result.worlds:
        table = Table(show_header=True, box=None, padding=(0, 2))
        for name in ("world", "", "details"):
            table.add_column(name)
        for w in result.worlds:
            mark = Text("ok", style="green") if w.match else Text("x", style="red")
            table.add_row(Text(f"{w.world} ({w.description})"), mark, Text(w.summary))
        console.print(table)
    failing = next((w for w in result.worlds if w.diffs), None)
    if failing is not None and result.verdict == Verdict.MISLEADING and not result.order_only:
        header, rows = diff_rows(failing, tuple(columns))
        console.print(rows_table(header, rows, title=f"Where it differs ({failing.world} world)"))
    for warning in result.warnings:
        console.print(Text(f"warning {warning['rule']} {warning['name']}: {warning['message']}",
                           style="yellow"))
    console.print(Text(f"graded in {result.elapsed_ms:.0f} ms", style="dim"))
