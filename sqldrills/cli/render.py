"""Everything the terminal shows. The only module that imports rich: the engine returns
data, the CLI picks a renderer (text here, or JSON/CSV for machines).

Text that reaches the terminal may come from someone else (a query's results, a
candidate's file names, DuckDB's error messages quoting an answer): the consoles here
print no rich markup and pass every piece of text through :func:`safe_text`, so an escape
sequence cannot set the window title, write the clipboard or clear the screen.

rich is imported on first use, not with this module (it costs 0.2 s, a third of a
one-shot ``sqldrills check``): ``render.console``, ``render.err_console``, ``render.Text``
and ``render.Table`` are created when first asked for.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import re
import sys
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqldrills.grading.results import Verdict
from sqldrills.grading.values import display, to_json

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

# What a terminal acts on instead of showing: ESC sequences (CSI ``ESC [ ... final``, OSC,
# DCS, SOS, PM and APC strings up to BEL or ST, two-character escapes), their 8-bit C1
# forms, the other C0 and C1 controls and DEL (newline and tab are kept), and the bidi
# controls that make text read in another order than it is stored (Trojan Source).
_TERMINAL_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC...
    r"|\x1b[ -/]*[0-~]?"  # other escapes (ESC c resets the terminal)
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
    r"|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
    r"|[\ud800-\udfff]"  # lone surrogates (undecodable bytes) cannot even be written out
)


def safe_text(text: str) -> str:
    r"""``text`` without what a terminal would act on rather than show: escape sequences,
    control characters (but newline and tab) and bidi overrides.

    >>> safe_text("\x1b]0;owned\x07title \x1b[2Jcleared\x1b[31m red\x1b[0m")
    'title cleared red'
    >>> safe_text("\x1b]52;c;ZXZpbA==\x1b\\ok\r\n\tend\x9b2J\u202egnp.exe")
    'ok\n\tendgnp.exe'
    >>> safe_text("[bold]plain[/bold] caf\u00e9")
    '[bold]plain[/bold] caf\xe9'
    """
    return _TERMINAL_CONTROL.sub("", text) if _TERMINAL_CONTROL.search(text) else text


def _safe_console(stderr: bool) -> Console:
    """A console that interprets no markup or emoji codes and prints every segment of text
    through :func:`safe_text`: whatever a command hands it (a str, a Text, a table, a
    prompt's Markdown), nothing reaches the terminal as a control sequence. Segments rich
    marks as control (cursor moves of a progress bar) and the styles it adds are its own."""
    from rich.console import Console
    from rich.segment import Segment

    class SafeConsole(Console):
        def render(self, renderable: Any, options: Any = None) -> Iterator[Segment]:
            for segment in super().render(renderable, options):
                yield segment if segment.control else Segment(
                    safe_text(segment.text), segment.style)

    return SafeConsole(highlight=False, markup=False, emoji=False, stderr=stderr)


def __getattr__(name: str) -> Any:
    """The rich objects, made on first access (PEP 562)."""
    if name in ("console", "err_console"):
        value: Any = _safe_console(stderr=name == "err_console")
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


# Floats are shown with at most this many decimals (display only: comparisons, JSON and
# CSV keep every digit).
SHOWN_DECIMALS = 4


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _number_cells(values: list[Any], round_floats: bool) -> list[str]:
    """One numeric column's cells: floats rounded to the decimals the column needs (at
    most ``SHOWN_DECIMALS``), the same number for every row so the decimal points line up.

    >>> _number_cells([1.5, 2.0, 1/3, None, 7], True)
    ['1.5000', '2.0000', '0.3333', 'NULL', '7']
    >>> _number_cells([0.25, 10.5], True), _number_cells([1/3], False), _number_cells([-0.0, 2.0], True)
    (['0.25', '10.50'], ['0.3333333333333333'], ['-0.0', '2.0'])
    """
    finite = [v for v in values if isinstance(v, float) and math.isfinite(v)]
    if not round_floats or not finite:
        return [display(v) for v in values]
    # At least one decimal: a float never reads as an integer (2.0, -0.0).
    decimals = max(1, *(len(f"{v:.{SHOWN_DECIMALS}f}".rstrip("0").partition(".")[2]) for v in finite))
    return [f"{v:.{decimals}f}" if isinstance(v, float) and math.isfinite(v) else display(v)
            for v in values]


def rows_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None,
               round_floats: bool = True) -> Table:
    """Rows as a table. Columns holding only numbers (and NULLs) are right-aligned and their
    floats rounded for reading; ``round_floats=False`` where digits matter (a counterexample
    whose values differ in the 6th decimal must not look equal)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_lines=False)
    cells = []
    for i, column in enumerate(columns):
        values = [row[i] for row in rows]
        numeric = any(_is_number(v) for v in values) and all(v is None or _is_number(v) for v in values)
        table.add_column(Text(safe_text(str(column))), overflow="fold",
                         justify="right" if numeric else "left")
        cells.append(_number_cells(values, round_floats) if numeric else [display(v) for v in values])
    # Cleaned before rich measures the cells, so the columns fit what is shown.
    for row in zip(*cells, strict=True) if cells else ():
        table.add_row(*(Text(safe_text(cell)) for cell in row))
    return table


def message(text: str, *, stderr: bool = False, style: str | None = None) -> None:
    """Print one message, as it is: no markup, no control sequences."""
    from rich.text import Text

    _console(stderr).print(Text(safe_text(text), style=style or ""))


def print_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str = "table") -> None:
    """Print query results as a table, JSON (a list of objects) or CSV."""
    if fmt == "json":
        print_json([dict(zip(columns, r, strict=True)) for r in rows])
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows([["" if v is None else display(v) for v in r] for r in rows])
        # Piped or redirected, CSV holds the values as they are; only a terminal is spared
        # their control sequences.
        text = buffer.getvalue()
        sys.stdout.write(safe_text(text) if sys.stdout.isatty() else text)
    else:
        _console().print(rows_table(columns, rows))


def print_json(data: Any) -> None:
    """Valid JSON (no bare NaN), values as ``sqldrills.grading.values.to_json`` spells them."""
    sys.stdout.write(json.dumps(to_json(data), indent=2, allow_nan=False) + "\n")


def markdown(text: str) -> None:
    from rich.markdown import Markdown  # 0.1 s to import: only the commands that show prompts

    _console().print(Markdown(safe_text(text)))


@contextlib.contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[Any]:
    """A progress callback ``(what, done, total)`` drawing a bar on stderr."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    # The step names what is being graded (a candidate's folder name): never markup.
    with Progress(TextColumn("{task.description}", style="bold", markup=False), BarColumn(),
                  TextColumn("{task.fields[step]}", markup=False), TimeElapsedColumn(),
                  console=_console(stderr=True), transient=False) as progress:
        task = progress.add_task(safe_text(description), total=1, step="")

        def update(what: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, step=safe_text(what))

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
    console.print(Text(result.verdict.upper(), style=style),
                  Text(f"  {safe_text(result.challenge)}"))
    message(result.message)  # DuckDB's messages quote the answer's own strings
    # An error is the same on every world: the message says it once (and names the worlds
    # when not all of them failed), a row per world would only repeat it.
    if result.worlds and result.verdict != Verdict.ERROR:
        table = Table(show_header=True, box=None, padding=(0, 2))
        for name in ("world", "", "details"):
            table.add_column(name)
        for w in result.worlds:
            mark = Text("ok", style="green") if w.match else Text("x", style="red")
            table.add_row(Text(safe_text(f"{w.world} ({w.description})")), mark,
                          Text(safe_text(w.summary)))
        console.print(table)
    failing = next((w for w in result.worlds if w.diffs), None)
    if failing is not None and result.verdict == Verdict.MISLEADING and not result.order_only:
        header, rows = diff_rows(failing, tuple(columns))
        console.print(rows_table(header, rows, title=f"Where it differs ({failing.world} world)",
                                 round_floats=False))
    for warning in result.warnings:
        message(f"warning {warning['rule']} {warning['name']}: {warning['message']}",
                style="yellow")
    message(f"graded in {result.elapsed_ms:.0f} ms", style="dim")


def separator(title: str) -> None:
    """A rule with a title between one verdict (or key's output) and the next."""
    from rich.text import Text

    _console().rule(Text(safe_text(title), style="dim"))


def clarification(number: int, total: int, question: str, answer: str) -> None:
    """One clarification: what a candidate asked, and the interviewer's answer."""
    _console().print(f"Clarification {number}/{total}")
    markdown(f"**Q:** {question}\n\n**A:** {answer}")


PREVIEW_ROWS = 10


def preview(result: Any, world: str) -> None:
    """The first rows of a query's result (a sandbox ``QueryResult``) on ``world``; no verdict."""
    _console().print(rows_table(result.columns, result.rows[:PREVIEW_ROWS],
                                title=f"Your first rows ({world} world)"))
    more = len(result.rows) - PREVIEW_ROWS
    if more > 0 or result.truncated:
        message(f"... {max(more, 0):,}{'+' if result.truncated else ''} more rows", style="dim")
