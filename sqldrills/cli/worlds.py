"""Commands over the world: generate one, read its schema, query it, explore it."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sqldrills.cli import render
from sqldrills.cli.options import Failure, UsageError, output_options, query_options, scale_option
from sqldrills.world.recipe import RecipeError
from sqldrills.world.schema import TABLES

if TYPE_CHECKING:
    from sqldrills.catalog.challenges import Challenge


@contextlib.contextmanager
def bar_on_first_use(description: str) -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback that draws a bar on stderr from its first call on (a world is
    being built); when nothing reports progress, nothing is drawn and rich is not loaded."""
    with contextlib.ExitStack() as stack:
        bars: list[Any] = []

        def update(what: str, done: int, total: int) -> None:
            if not bars:
                bars.append(stack.enter_context(render.progress_bar(description, enabled=sys.stderr.isatty())))
            if bars[0] is not None:
                bars[0](what, done, total)

        yield update


@contextlib.contextmanager
def lazy_bar(description: str, delay_s: float = 0.3) -> Iterator[Callable[[str, float, float], None]]:
    """A progress callback for work that is often instant (everything cached): the bar on
    stderr appears only once the work has taken ``delay_s``, even while a step that reports
    nothing (a reference query) runs, and then shows the latest report."""
    lock = threading.Lock()
    stack = contextlib.ExitStack()
    latest: list[Any] = ["", 0, 1]
    bars: list[Any] = []
    finished = False

    def show() -> None:  # on the timer's thread: the work keeps the main one
        with lock:
            if not finished:
                bars.append(stack.enter_context(render.progress_bar(description,
                                                                    enabled=sys.stderr.isatty())))
                if bars[0] is not None:
                    bars[0](*latest)

    def update(what: str, done: float, total: float) -> None:
        with lock:
            latest[:] = [what, done, total]
            if bars and bars[0] is not None:
                bars[0](what, done, total)

    timer = threading.Timer(delay_s, show)
    timer.daemon = True
    timer.start()
    try:
        yield update
    finally:
        timer.cancel()
        with lock:
            finished = True
            stack.close()
        timer.join()  # no thread left behind: entry() exits fast only when it is alone


# On the preparation bar a world build weighs as much as this many reference runs.
WORLD_STEPS = 10


def prepare_grading(challenge: Challenge, scale: str | None) -> None:
    """Build every world a grade of ``challenge`` needs, then its reference results on each,
    under one bar for the whole preparation (not one per world, and nothing silent after it).
    Grading then finds everything cached."""
    from sqldrills.grading.references import challenge_worlds, expected_results
    from sqldrills.world.cache import cached_world_path, world_paths

    specs = challenge_worlds(challenge, scale)
    missing = [spec for spec in specs if cached_world_path(spec) is None]
    total = WORLD_STEPS * len(missing) + len(specs)
    with lazy_bar(f"Preparing {challenge.id} (first use only)") as update:
        if missing:  # built two at a time; the bar's first part is their share of the work
            def on_build(what: str, done: int, steps: int) -> None:
                update(f"worlds: {what}", WORLD_STEPS * len(missing) * done / max(steps, 1), total)

            world_paths(missing, on_build)
        for j, spec in enumerate(specs):
            update(f"reference results on the {spec.label} world", WORLD_STEPS * len(missing) + j, total)
            expected_results(challenge, [spec])
        update("ready", total, total)


def practice_db(scale: str | None = None) -> Path:
    """The practice world's file, built (with a progress bar) on first use."""
    from sqldrills.world.cache import practice_world, world_path

    spec = practice_world(scale)
    with bar_on_first_use(f"Building the practice world ({spec.describe()})") as progress:
        return world_path(spec, progress)


@click.command()
@click.option("--seed", type=int, default=None, help="Seed (default: the practice seed).")
@scale_option
@click.option("--recipe", default="streaming", show_default=True, help="Recipe in datasets/.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Write here (a .duckdb file, or a folder with --format parquet). "
                   "Without it, fill the cache.")
@click.option("--format", "fmt", type=click.Choice(["duckdb", "parquet"]), default="duckdb",
              show_default=True)
@click.option("--check", is_flag=True, help="Run the world checks afterwards.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def generate(seed: int | None, scale: str | None, recipe: str, out: Path | None, fmt: str,
             check: bool, force: bool) -> None:
    """Generate a world (a DuckDB database) from a recipe, a seed and a scale.

    \b
    Examples:
      sqldrills generate --seed 7 --scale small --out world.duckdb
      sqldrills generate --scale tiny --format parquet --out world/
      sqldrills generate --check          # fill the cache with the practice world, check it
    """
    from sqldrills.world import export
    from sqldrills.world.cache import WorldSpec, build_to, default_scale, practice_world, world_path

    try:
        spec = practice_world(scale, recipe)
        spec = WorldSpec(seed if seed is not None else spec.seed, scale or default_scale(), recipe)
        spec.load()
    except RecipeError as exc:
        raise UsageError(str(exc)) from None
    if out is not None and out.exists() and not force:
        raise UsageError(f"{out} exists; pass --force to overwrite it or choose another --out")
    started = time.perf_counter()
    with render.progress_bar(f"Generating {recipe} ({spec.describe()})") as progress:
        if out is None or fmt == "parquet":
            db = world_path(spec, progress)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            build_to(spec, out.resolve(), progress)
            db = out
    if fmt == "parquet" and out is not None:
        export.export_parquet(db, out)
    stats = export.stats(db)
    elapsed = time.perf_counter() - started
    render.console.print(render.rows_table(
        ["table", "rows"], [(t, f"{n:,}") for t, n in stats.rows.items()], title="Rows"))
    render.console.print(render.rows_table(
        ["planted trap", "value"],
        [(k, f"{v:.2%}" if isinstance(v, float) and v < 1 else v) for k, v in stats.traps.items()],
        title="Bait"))
    events = stats.rows["events"]
    render.console.print(f"{events:,} events in {elapsed:.1f}s -> {out or db}")
    if check:
        _run_world_checks(db)


def _run_world_checks(db: Path) -> None:
    from sqldrills.world.checks import run_checks

    results = run_checks(db)
    rows = [("ok" if r.passed else "FAILED", r.check.name, r.check.property) for r in results]
    render.console.print(render.rows_table(["", "check", "property"], rows, title="World checks"))
    failed = [r for r in results if not r.passed]
    if failed:
        for r in failed:
            render.message(f"{r.check.name}: failing rows {r.failing_rows}", stderr=True,
                           style="red")
        raise Failure(f"{len(failed)} world check(s) failed")


@click.command()
@click.argument("table", required=False)
@scale_option
def schema(table: str | None, scale: str | None) -> None:
    """Tables and columns of the world, with what each means and example values.

    \b
    Examples:
      sqldrills schema
      sqldrills schema events
    """
    if table is not None and table.lower() not in TABLES:
        raise UsageError(f"no table {table!r}; tables: {', '.join(TABLES)}")
    examples = _examples(practice_db(scale), table.lower()) if table else {}
    for name, columns in TABLES.items():
        if table and name != table.lower():
            continue
        rows = [(c.name, c.type + (" NULL" if c.nullable else ""), c.meaning,
                 examples.get(c.name, "")) for c in columns]
        headers = ["column", "type", "meaning"] + (["examples"] if table else [])
        render.console.print(render.rows_table(headers, [r[: len(headers)] for r in rows],
                                               title=name))


def _examples(db: Path, table: str) -> dict[str, str]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for column in TABLES[table]:
            values = con.execute(example_sql(table, column.name)).fetchall()
            out[column.name] = ", ".join(str(v[0]) for v in values)
        return out
    finally:
        con.close()


def example_sql(table: str, column: str) -> str:
    """The query for a column's example values (``schema TABLE``; the browser page runs it
    in the sandbox)."""
    return (f"SELECT DISTINCT {column} FROM (SELECT {column} FROM {table} "
            f"USING SAMPLE 2000 ROWS (reservoir, 1)) WHERE {column} IS NOT NULL ORDER BY 1 LIMIT 3")


@click.command()
@click.argument("sql")
@query_options
@output_options
def query(sql: str, dialect: str, timeout: float, scale: str | None, fmt: str) -> None:
    """Run one read-only query on the practice world, in the grader's sandbox.

    \b
    Examples:
      sqldrills query "select device_type, count(*) from devices group by 1"
      sqldrills query "select * from dataset_info" --json
    """
    from sqldrills.grading.sandbox import Limits, QueryFailure, run_user_sql

    result = run_user_sql(sql, [practice_db(scale)], dialect=dialect,
                          limits=Limits(timeout_s=timeout))[0]
    if isinstance(result, QueryFailure):
        # click prints this, not rich: DuckDB's message quotes the query's own strings.
        raise Failure(render.safe_text(result.message))
    render.print_rows(result.columns, result.rows, fmt)
    if result.truncated:
        render.message(f"(showing the first {len(result.rows):,} rows)", stderr=True)




@click.command()
@query_options
def shell(dialect: str, timeout: float, scale: str | None) -> None:
    """Explore the practice world interactively, in the grader's sandbox.

    End a query with ';'. Type .tables, .schema TABLE or .quit.
    """
    from sqldrills.cli.shell import repl

    repl(practice_db(scale), dialect, timeout, lambda table: schema.callback(table, scale))


