"""``sqldrills new``: scaffold a drill in a private catalog folder (docs/authoring.md)."""

from __future__ import annotations

from pathlib import Path

import click

from sqldrills.cli import render
from sqldrills.cli.options import UsageError
from sqldrills.paths import CHALLENGES_DIR_ENV


@click.command()
@click.argument("drill_id")
@click.option("--catalog", type=click.Path(file_okay=False, path_type=Path), required=True,
              envvar=CHALLENGES_DIR_ENV, show_envvar=True,
              help="The private catalog folder to write the drill into (created if missing).")
def new(drill_id: str, catalog: Path) -> None:
    """Scaffold a drill: challenge.toml, prompt, reference, a trap, hints.

    Every place to write in says FILL IN; `validate` refuses the drill until none is left
    and its trap differs from its reference.

    \b
    Example:
      sqldrills new weekly_churn --catalog ./our-drills
      sqldrills validate --catalog ./our-drills weekly_churn --mutants
    """
    from sqldrills.catalog.challenges import ChallengeError
    from sqldrills.catalog.scaffold import scaffold

    try:
        folder = scaffold(drill_id, catalog)
    except ChallengeError as exc:
        raise UsageError(str(exc)) from None
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    render.console.print(f"Created {folder}/: {', '.join(files)}")
    render.message(f"Next: write every FILL IN (docs/authoring.md), rename the trap, then\n"
                   f"  sqldrills validate --catalog {catalog} {drill_id} --mutants\n"
                   f"and, once it passes, choose its small grading worlds:\n"
                   f"  sqldrills validate --catalog {catalog} {drill_id} --distill")
