"""Commands for the shared definitions behind screen prompts: ``handbook`` and ``clarify``.

A screen prompt is short because the conventions live once in the data handbook
(`catalog/handbook.py`); what an interviewer would answer when asked is the drill's
clarifications, revealed one at a time so progress records how many were needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sqldrills.cli import render
from sqldrills.cli.drills import challenge_by_id
from sqldrills.cli.options import Failure, UsageError, output_options

if TYPE_CHECKING:
    from sqldrills.catalog.handbook import Entry


def _entries() -> dict[str, Entry]:
    from sqldrills.catalog.handbook import HandbookError, load

    try:
        return load()
    except (HandbookError, OSError) as exc:  # a broken install, not the user's mistake
        raise Failure(f"cannot read the data handbook: {exc}") from None


@click.command()
@click.argument("entry", required=False)
@output_options
def handbook(entry: str | None, fmt: str) -> None:
    """The data handbook: every entry's id and title, or one ENTRY in full."""
    entries = _entries()
    if entry is None:
        render.print_rows(["id", "title"], [(e.id, e.title) for e in entries.values()], fmt)
        return
    if entry not in entries:
        raise UsageError(f"no handbook entry {entry!r}. Known: {', '.join(entries)}")
    render.markdown(entries[entry].markdown())


@click.command()
@click.argument("challenge_id")
def clarify(challenge_id: str) -> None:
    """The drill's next clarification: a question a candidate might ask, and its answer."""
    from sqldrills.cli.drills import next_clarification

    challenge = challenge_by_id(challenge_id)
    next_clarification(challenge)
    if challenge.handbook:
        render.console.print(f"Handbook: {', '.join(f'sqldrills handbook {h}' for h in challenge.handbook)}")
