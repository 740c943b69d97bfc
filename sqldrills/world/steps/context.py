"""What the steps of one build share: the open world file, the recipe, the seed, the scale,
and the progress bar. Passed to every step as its one argument."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqldrills.world.recipe import Recipe
from sqldrills.world.steps.sql import timestamp

if TYPE_CHECKING:  # imported in connect(): cache.py needs this package's constants, not DuckDB
    import duckdb

# Accounts are numbered from 0 inside the generator (the draws are keyed on that index)
# and carry account_id = ACCOUNT_ID_OFFSET + index in the world.
ACCOUNT_ID_OFFSET = 100_000

# A profile's id is account_id * IDS_PER_ACCOUNT + its number, and so is a subscription's:
# an account has fewer than this many of either.
IDS_PER_ACCOUNT = 10

Progress = Callable[[str, int, int], None]
"""progress(step description, steps done, steps in all)."""


class Bar:
    """Feeds a ``Progress`` callback: each ``announce`` is one step further along."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._total = total
        self._done = 0

    def announce(self, what: str) -> None:
        self._tell(what, self._done)
        self._done += 1

    def amend(self, what: str) -> None:
        """Say something new about the step announced last (a retry), without moving on."""
        self._tell(what, self._done - 1)

    def _tell(self, what: str, done: int) -> None:
        if self._progress:
            self._progress(what, done, self._total)


@dataclass
class Build:
    """One build of a world, or of one chunk of its accounts in a process of its own.

    ``con`` is the only field a step may replace: the step that hands the file to chunk
    processes closes it and opens it again once they are done.
    """

    con: duckdb.DuckDBPyConnection
    recipe: Recipe
    seed: int
    scale: str
    path: Path
    threads: int | None
    accounts: range  # the account indexes whose sessions and events are being made
    bar: Bar

    @property
    def r(self) -> dict[str, Any]:
        """The recipe's figures."""
        return self.recipe.data

    @property
    def n_accounts(self) -> int:
        return self.recipe.accounts(self.scale)

    @property
    def n_titles(self) -> int:
        return self.recipe.titles(self.scale)

    @property
    def start(self) -> str:
        """The start of the world's window, as SQL."""
        return timestamp(self.r["window"]["start"])

    @property
    def as_of(self) -> str:
        """The end of the world's window, as SQL."""
        return timestamp(self.r["window"]["as_of"])

    @property
    def first_id(self) -> int:
        """The id of the first account in ``accounts``."""
        return ACCOUNT_ID_OFFSET + self.accounts.start

    @property
    def end_id(self) -> int:
        """One past the id of the last account in ``accounts``."""
        return ACCOUNT_ID_OFFSET + self.accounts.stop

    def sql(self, text: str) -> None:
        self.con.execute(text)


def connect(path: Path, threads: int | None) -> duckdb.DuckDBPyConnection:
    """The world file, with the settings every step assumes (UTC, no progress bar)."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con
