"""The ``sqldrills`` command line: thin commands over the engine modules."""

from __future__ import annotations

import functools
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sqldrills import __version__, render
from sqldrills.recipe import SCALES, RecipeError
from sqldrills.schema import TABLES


class UsageError(click.ClickException):
    """A usage error: exit code 2 (DESIGN §3)."""

    exit_code = 2


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --table/--json/--csv to a command that prints rows (passed as ``fmt``)."""

    @click.option("--json", "fmt", flag_value="json", help="Print JSON.")
    @click.option("--csv", "fmt", flag_value="csv", help="Print CSV.")
    @click.option("--table", "fmt", flag_value="table", default=True, help="Print a table.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def scale_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--scale", type=click.Choice(SCALES), default=None,
        help="World size (default: $SQLDRILLS_SCALE or small).",
    )(func)


def practice_db(scale: str | None = None) -> Path:
    """The practice world's file, built (with a progress bar) on first use."""
    from sqldrills.worlds import practice_world, world_path

    spec = practice_world(scale)
    with render.progress_bar(f"Building the practice world ({spec.describe()})",
                             enabled=sys.stderr.isatty()) as progress:
        return world_path(spec, progress)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sqldrills")
def main() -> None:
    """Practise and grade the SQL mistakes that run fine but return misleading numbers.

    \b
    Start with:  sqldrills list
    Then:        sqldrills run members_not_devices
    """


# ---------------------------------------------------------------------------- worlds
@main.command()
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
    from sqldrills.generate import world_stats
    from sqldrills.worlds import WorldSpec, build_to, default_scale, practice_world, world_path

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
        _export_parquet(db, out)
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        stats = world_stats(con)
    finally:
        con.close()
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


def _export_parquet(db: Path, out: Path) -> None:
    import duckdb

    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table in TABLES:
            con.execute(f"COPY {table} TO '{tmp / (table + '.parquet')}' (FORMAT parquet)")
    finally:
        con.close()
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)


def _run_world_checks(db: Path) -> None:
    from sqldrills.worldchecks import run_checks

    results = run_checks(db)
    rows = [("ok" if r.passed else "FAILED", r.check.name, r.check.property) for r in results]
    render.console.print(render.rows_table(["", "check", "property"], rows, title="World checks"))
    failed = [r for r in results if not r.passed]
    if failed:
        for r in failed:
            render.err_console.print(f"[red]{r.check.name}[/red]: failing rows {r.failing_rows}")
        raise click.ClickException(f"{len(failed)} world check(s) failed")


@main.command()
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
            values = con.execute(
                f"SELECT DISTINCT {column.name} FROM (SELECT {column.name} FROM {table} "
                f"USING SAMPLE 2000 ROWS (reservoir, 1)) WHERE {column.name} IS NOT NULL "
                f"ORDER BY 1 LIMIT 3").fetchall()
            out[column.name] = ", ".join(str(v[0]) for v in values)
        return out
    finally:
        con.close()


@main.command()
@click.argument("sql")
@click.option("--dialect", default="duckdb", show_default=True, help="Dialect of SQL.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds.")
@scale_option
@output_options
def query(sql: str, dialect: str, timeout: float, scale: str | None, fmt: str) -> None:
    """Run one read-only query on the practice world, in the grader's sandbox.

    \b
    Examples:
      sqldrills query "select device_type, count(*) from devices group by 1"
      sqldrills query "select * from dataset_info" --json
    """
    from sqldrills.sandbox import Limits, QueryFailure, run_user_sql

    result = run_user_sql(sql, [practice_db(scale)], dialect=dialect,
                          limits=Limits(timeout_s=timeout))[0]
    if isinstance(result, QueryFailure):
        raise click.ClickException(result.message)
    render.print_rows(result.columns, result.rows, fmt)
    if result.truncated:
        render.err_console.print(f"(showing the first {len(result.rows):,} rows)")


if __name__ == "__main__":  # pragma: no cover
    main()
