"""The last steps: the world's description row, and the scratch tables cleared away."""

from __future__ import annotations

from sqldrills.world.steps import GENERATOR_VERSION
from sqldrills.world.steps.context import Build

# The temp tables the earlier steps hand on to each other.
_SCRATCH = ("sessx", "plays", "sess", "subs", "effects", "assignment", "acct")


def dataset_info(b: Build) -> None:
    """Reads nothing; writes dataset_info."""
    b.con.execute(
        "INSERT INTO dataset_info VALUES (?::TIMESTAMP, ?, ?, ?, ?)",
        [b.r["window"]["as_of"], b.seed, b.scale, b.recipe.name, GENERATOR_VERSION],
    )


def drop_scratch(b: Build) -> None:
    """Reads nothing; drops temp.acct, temp.subs and the other temp tables the steps hand
    on to each other, then checkpoints the file."""
    for temp in _SCRATCH:
        b.sql(f"DROP TABLE IF EXISTS temp.{temp}")
    b.con.execute("CHECKPOINT")
