"""Options and errors shared by every command that takes them, declared once (as
sqlite-utils' ``output_options``): the same flag means the same thing, with the same
default and help, everywhere.

Exit codes (architecture.md §3): 0 success or a correct answer, 1 a wrong answer or a failure that is
not the user's typing (a full disk, a world check that fails), 2 usage errors only.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sqldrills import DIALECTS
from sqldrills.paths import CHALLENGES_DIR_ENV
from sqldrills.world.recipe import SCALES

F = TypeVar("F", bound=Callable[..., Any])


class UsageError(click.ClickException):
    """The command line asked for something that does not exist or cannot be: exit 2."""

    exit_code = 2


class Failure(click.ClickException):
    """The command could not finish for a reason outside the command line (a full disk, a
    vanished folder): exit 1, with what happened and how to go on."""

    exit_code = 1


def dialect_option(func: F) -> F:
    return click.option("--dialect", type=click.Choice(DIALECTS), default="duckdb", show_default=True,
                        help="SQL dialect of the query (translated to DuckDB).")(func)


def timeout_option(func: F) -> F:
    return click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=10.0,
                        show_default=True, help="Seconds per world before a query is stopped.")(func)


def scale_option(func: F) -> F:
    return click.option("--scale", type=click.Choice(SCALES), default=None,
                        help="World size (default: $SQLDRILLS_SCALE or small).")(func)


def json_option(func: F) -> F:
    """``--json``: print one JSON object instead of text (passed as ``as_json``)."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


def output_options(func: F) -> F:
    """``--table``/``--json``/``--csv`` for a command that prints rows (passed as ``fmt``)."""

    @click.option("--json", "fmt", flag_value="json", help="Print JSON.")
    @click.option("--csv", "fmt", flag_value="csv", help="Print CSV.")
    @click.option("--table", "fmt", flag_value="table", default=True, help="Print a table.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def query_options(func: F) -> F:
    """What every command that runs SQL in the sandbox takes: dialect, timeout, scale."""
    return dialect_option(timeout_option(scale_option(func)))


def catalog_option(func: F) -> F:
    """``--catalog DIR``: the drills of a private catalog folder instead of the built-in ones.

    It sets ``SQLDRILLS_CHALLENGES_DIR`` (``sqldrills.paths.challenges_dir``) for the command,
    the one place every loader reads, and puts the old value back when the command ends.
    """

    def apply(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is None:
            return
        old = os.environ.get(CHALLENGES_DIR_ENV)
        os.environ[CHALLENGES_DIR_ENV] = str(value.resolve())

        def restore() -> None:
            if old is None:
                os.environ.pop(CHALLENGES_DIR_ENV, None)
            else:
                os.environ[CHALLENGES_DIR_ENV] = old

        ctx.call_on_close(restore)

    return click.option("--catalog", type=click.Path(exists=True, file_okay=False, path_type=Path),
                        callback=apply, expose_value=False, is_eager=True,
                        help="A private catalog folder of drills (default: the built-in "
                             "drills, or $SQLDRILLS_CHALLENGES_DIR).")(func)
