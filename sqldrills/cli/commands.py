"""The ``sqldrills`` command line: thin commands over the engine modules."""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from sqldrills import DIALECTS, __version__
from sqldrills.cli import render
from sqldrills.world.recipe import SCALES, RecipeError
from sqldrills.world.schema import TABLES


@contextlib.contextmanager
def _bar_on_first_use(description: str) -> Iterator[Callable[[str, int, int], None]]:
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
    from sqldrills.world.cache import practice_world, world_path

    spec = practice_world(scale)
    with _bar_on_first_use(f"Building the practice world ({spec.describe()})") as progress:
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
    from sqldrills.world.cache import WorldSpec, build_to, default_scale, practice_world, world_path
    from sqldrills.world.generate import world_stats

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
    """Write the Parquet folder next to ``out`` and rename it into place when complete."""
    from sqldrills.world.cache import export_parquet

    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    export_parquet(db, tmp)
    if not out.exists():
        tmp.rename(out)
        return
    # Move the old one aside before deleting it: a kill while deleting must not leave
    # half a folder at ``out``.
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    out.rename(old)
    tmp.rename(out)
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old)
    else:
        old.unlink()


def _run_world_checks(db: Path) -> None:
    from sqldrills.world.checks import run_checks

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
    from sqldrills.grading.sandbox import Limits, QueryFailure, run_user_sql

    result = run_user_sql(sql, [practice_db(scale)], dialect=dialect,
                          limits=Limits(timeout_s=timeout))[0]
    if isinstance(result, QueryFailure):
        raise click.ClickException(result.message)
    render.print_rows(result.columns, result.rows, fmt)
    if result.truncated:
        render.err_console.print(f"(showing the first {len(result.rows):,} rows)")




# ---------------------------------------------------------------------------- drills
def _challenge(challenge_id: str):
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
    from sqldrills.cli import attempts as progress
    from sqldrills.grading.grade import grade
    from sqldrills.grading.sandbox import Limits

    with _bar_on_first_use("Building the worlds (first use only)") as progress_bar:
        result = grade(challenge, sql, dialect=dialect, limits=Limits(timeout_s=timeout),
                       scale=scale, progress=progress_bar,
                       while_waiting=render.preload if as_text else None)
    progress.record_attempt(challenge.id, result.verdict, result.pitfall)
    return result


def grading_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--timeout", type=float, default=10.0, show_default=True,
                        help="Seconds per world before the query is stopped.")(func)
    func = click.option("--dialect", type=click.Choice(DIALECTS), default="duckdb",
                        show_default=True, help="SQL dialect of the answer.")(func)
    return scale_option(func)


@main.command("list")
@output_options
def list_(fmt: str) -> None:
    """Drills by track, in learning order, with difficulty, tags and your status."""
    from sqldrills.catalog.challenges import load_all
    from sqldrills.cli import attempts as progress

    rows = [(c.track, c.id, "*" * c.difficulty, ", ".join(c.tags), progress.status(c.id), c.title)
            for c in load_all()]
    render.print_rows(["track", "id", "difficulty", "tags", "status", "title"], rows, fmt)


@main.command()
@click.argument("challenge_id")
def show(challenge_id: str) -> None:
    """The prompt, the output contract and the tables involved."""
    challenge = _challenge(challenge_id)
    render.markdown(challenge.prompt)
    order = f"ordered by {', '.join(challenge.sort_keys)}" if challenge.ordered else "any order"
    render.console.print(f"Output: {', '.join(challenge.columns)} - {challenge.grain}; {order}; "
                         f"numbers within relative tolerance {challenge.tolerance:g}.")
    used = [t for t in TABLES if t in challenge.reference]
    render.console.print(f"Tables involved: {', '.join(used)}  (sqldrills schema TABLE)")


@main.command()
@click.argument("challenge_id")
@click.argument("answer")
@grading_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def check(challenge_id: str, answer: str, dialect: str, timeout: float, scale: str | None,
          as_json: bool) -> None:
    """Grade an answer once. Exit 0 if correct, 1 if not, 2 on usage errors.

    \b
    Examples:
      sqldrills check cohort_leakage answers/cohort_leakage.sql
      sqldrills check members_not_devices - --dialect postgres < my.sql
      sqldrills check duplicate_events my.sql --json
    """
    challenge = _challenge(challenge_id)
    result = _grade_and_record(challenge, _read_answer(answer), dialect, timeout, scale,
                               as_text=not as_json)
    if as_json:
        render.print_json(result.to_json())
    else:
        render.verdict(result, challenge.columns)
    sys.exit(result.exit_code)


@main.command()
@click.argument("challenge_id")
def hint(challenge_id: str) -> None:
    """The next hint (each call reveals one more)."""
    from sqldrills.cli import attempts as progress

    challenge = _challenge(challenge_id)
    index = progress.next_hint(challenge.id, len(challenge.hints))
    render.console.print(f"Hint {index + 1}/{len(challenge.hints)}: {challenge.hints[index]}")


@main.command()
@click.argument("challenge_id")
@click.option("--force", is_flag=True, help="Show it even before a correct answer.")
def solution(challenge_id: str, force: bool) -> None:
    """The reference query, its explanation and the traps it guards against."""
    from sqldrills.cli import attempts as progress

    challenge = _challenge(challenge_id)
    if progress.status(challenge.id) != "solved" and not force:
        raise UsageError(f"solve {challenge.id} first, or pass --force to see the solution now")
    render.console.print(render.Text(challenge.reference.strip()))
    render.markdown(challenge.explanation.strip())
    for trap in challenge.traps:
        render.console.print(render.Text(f"- {trap.name}: {trap.explanation}"))


@main.command("progress")
@output_options
def progress_(fmt: str) -> None:
    """Your status on every drill."""
    from sqldrills.catalog.challenges import load_all
    from sqldrills.cli import attempts as progress

    data = progress.load()
    rows = [(c.id, progress.status(c.id), data.get(c.id, {}).get("attempts", 0),
             data.get(c.id, {}).get("hints_shown", 0), data.get(c.id, {}).get("last_verdict", ""))
            for c in load_all()]
    render.print_rows(["id", "status", "attempts", "hints", "last verdict"], rows, fmt)


@main.command()
@click.argument("challenge_id", required=False)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(challenge_id: str | None, yes: bool) -> None:
    """Forget your progress on one drill (or all of them). Answer files are kept."""
    from sqldrills.cli import attempts as progress

    if challenge_id:
        _challenge(challenge_id)
    what = challenge_id or "every drill"
    if not yes and not click.confirm(f"Reset progress on {what}?"):
        return
    progress.reset(challenge_id)
    render.console.print(f"Progress on {what} reset.")


def answer_template(challenge) -> str:
    columns = ", ".join(challenge.columns)
    order = f" ordered by {', '.join(challenge.sort_keys)}" if challenge.ordered else ""
    return (f"-- {challenge.title}\n-- Output columns: {columns}{order}\n"
            f"-- Save this file to grade it. `sqldrills show {challenge.id}` shows the prompt.\n\n"
            f"SELECT\n")


@main.command()
@click.argument("challenge_id")
@grading_options
@click.option("--answers-dir", type=click.Path(path_type=Path), default=Path("answers"),
              show_default=True, help="Where your answer files live.")
def run(challenge_id: str, dialect: str, timeout: float, scale: str | None,
        answers_dir: Path) -> None:
    """The practice loop: prompt, answer file, verdict; re-grades on every save.

    In a terminal, keys: h = next hint, s = schema, r = re-grade, q = quit.
    Without a terminal it grades once and exits like `check`.
    """
    challenge = _challenge(challenge_id)
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


@main.command()
@scale_option
@click.option("--dialect", default="duckdb", show_default=True)
@click.option("--timeout", type=float, default=10.0, show_default=True)
def shell(scale: str | None, dialect: str, timeout: float) -> None:
    """Explore the practice world interactively, in the grader's sandbox.

    End a query with ';'. Type .tables, .schema TABLE or .quit.
    """
    from sqldrills.grading.sandbox import Limits, QueryFailure, run_user_sql

    db = practice_db(scale)
    render.console.print(f"Practice world: {db.name}. End queries with ';'. .quit to leave.")
    buffer: list[str] = []
    while True:
        try:
            line = input("sqldrills> " if not buffer else "      ...> ")
        except (EOFError, KeyboardInterrupt):
            render.console.print()
            return
        stripped = line.strip()
        if not buffer and stripped in (".quit", ".exit", "\\q"):
            return
        if not buffer and stripped == ".tables":
            render.console.print(", ".join(TABLES))
            continue
        if not buffer and stripped.startswith(".schema"):
            name = stripped.split(maxsplit=1)[1] if " " in stripped else None
            schema.callback(name, scale) if name in TABLES or name is None else \
                render.console.print(f"no table {name!r}")
            continue
        buffer.append(line)
        if not stripped.endswith(";"):
            continue
        sql, buffer = "\n".join(buffer), []
        result = run_user_sql(sql, [db], dialect=dialect, limits=Limits(timeout_s=timeout))[0]
        if isinstance(result, QueryFailure):
            render.err_console.print(render.Text(result.message, style="red"))
        else:
            render.print_rows(result.columns, result.rows[:200])
            more = len(result.rows) - 200
            if more > 0 or result.truncated:
                render.console.print(f"({len(result.rows):,}{'+' if result.truncated else ''} rows)")


@main.command()
@click.argument("challenge_ids", nargs=-1)
@scale_option
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.option("--mutants", is_flag=True,
              help="Mutation-test the worlds: grade near misses of every reference.")
@click.option("--min-kill-rate", type=float, default=0.95, show_default=True,
              help="With --mutants: fail below this share of non-equivalent mutants killed.")
@click.option("--fresh", is_flag=True,
              help="Also grade every reference and trap end to end, as a learner's answer "
                   "(slower; catches non-deterministic SQL).")
def validate(challenge_ids: tuple[str, ...], scale: str | None, as_json: bool, mutants: bool,
             min_kill_rate: float, fresh: bool) -> None:
    """The catalog's self-check: references agree, every trap is caught and named.

    \b
    Examples:
      sqldrills validate
      sqldrills validate cohort_leakage --scale tiny
    """
    from sqldrills.catalog.challenges import ChallengeError, load_all
    from sqldrills.catalog.validate import validate_catalog

    started = time.perf_counter()
    try:
        challenges = [_challenge(c) for c in challenge_ids] if challenge_ids else load_all()
    except ChallengeError as exc:
        raise click.ClickException(str(exc)) from None
    if mutants:
        _validate_mutants(challenges, scale, min_kill_rate, as_json)
        return
    with render.progress_bar("Validating the catalog") as progress:
        reports = validate_catalog(challenges, scale, progress, fresh)
    elapsed = time.perf_counter() - started
    if as_json:
        render.print_json([vars(r) for r in reports])
    else:
        render.print_rows(["drill", "claims checked", "problems"],
                          [(r.challenge, r.checks, len(r.problems)) for r in reports])
        for r in reports:
            for problem in r.problems:
                render.err_console.print(render.Text(problem, style="red"))
        render.console.print(f"{len(reports)} drills validated in {elapsed:.1f}s")
    if any(not r.ok for r in reports):
        sys.exit(1)


def _validate_mutants(challenges: list, scale: str | None, min_kill_rate: float,
                      as_json: bool) -> None:
    from sqldrills.catalog.mutants import mutation_test

    started = time.perf_counter()
    reports = []
    with render.progress_bar("Mutation testing") as progress:
        for i, challenge in enumerate(challenges):
            if progress:
                progress(challenge.id, i, len(challenges))
            reports.append(mutation_test(challenge, scale))
    killed = sum(r.killed for r in reports)
    scored = sum(r.scored for r in reports)
    rate = killed / scored if scored else 1.0
    if as_json:
        render.print_json({"kill_rate": rate, "drills": [
            {"challenge": r.challenge, "mutants": r.total, "not_running": r.not_running,
             "equivalent": r.equivalent, "killed": r.killed,
             "survivors": [vars(m) for m in r.survivors]} for r in reports]})
    else:
        render.print_rows(
            ["drill", "mutants", "not running", "equivalent", "killed", "survived"],
            [(r.challenge, r.total, r.not_running, len(r.equivalent), r.killed, len(r.survivors))
             for r in reports])
        for r in reports:
            for m in r.survivors:
                render.console.print(render.Text(f"survivor {r.challenge} {m.id}: {m.description}"))
        render.console.print(
            f"{killed} of {scored} non-equivalent running mutants killed ({rate:.1%}) "
            f"in {time.perf_counter() - started:.0f}s")
    if rate < min_kill_rate:
        sys.exit(1)


def _register_takehome() -> None:
    from sqldrills.takehome.commands import takehome

    main.add_command(takehome)


_register_takehome()


def entry() -> None:  # pragma: no cover - the console script; tests call main() in-process
    """The ``sqldrills`` executable: :func:`main`, then exit without tearing down the
    interpreter when that is safe.

    Finalising every module (sqlglot, rich, duckdb) costs ~80 ms of a 0.5 s ``check``
    and does nothing useful: every file sqldrills writes is written atomically and closed,
    and every sandbox child is reaped, before a command returns. So when ``main`` leaves
    no other thread running (a process pool that was stopped early leaves its manager
    thread, whose workers must be told to stop: then the normal exit does it), the output
    is flushed, the ``atexit`` handlers run, and the process ends with ``os._exit``.
    """
    code: int | str | None
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if threading.active_count() > 1:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `sqldrills list | head`: the reader is gone
        pass
    if isinstance(code, str):  # sys.exit("message") prints it and exits 1
        sys.stderr.write(code + "\n")
        sys.stderr.flush()
        code = 1
    atexit._run_exitfuncs()
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    entry()
