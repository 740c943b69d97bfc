"""The data handbook (`docs/handbook.md`): the definitions every analyst is expected to know.

Screen prompts are short because these conventions are shared; a drill lists the entries
it relies on (`handbook = [...]` in challenge.toml). Each entry is a level-2 heading with
a stable id, ``## Title {#id}``, followed by its body. Parsing is strict: a level-2
heading without a well-formed id, or an id used twice, is an error, so a typo never
silently unlinks a drill from the definition it relies on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqldrills.paths import handbook_file

_HEADING = re.compile(r"^## (?P<title>\S.*?) \{#(?P<id>[a-z][a-z0-9-]*)\}$")


class HandbookError(ValueError):
    """The handbook breaks its format; the message names the file and the line."""


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    body: str  # markdown, without the heading

    def markdown(self) -> str:
        return f"## {self.title}\n\n{self.body}\n"


def parse(text: str, where: str = "handbook.md") -> dict[str, Entry]:
    """Entries by id, in the order they appear. Text before the first entry is the preamble.

    >>> sorted(parse("# H\\n\\n## Members {#members}\\nAccounts.\\n"))
    ['members']
    >>> parse("## Members\\n")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sqldrills.catalog.handbook.HandbookError: handbook.md:1: an entry heading must read ...
    """
    entries: dict[str, Entry] = {}
    current: tuple[str, str] | None = None
    body: list[str] = []

    def close() -> None:
        if current is not None:
            entries[current[0]] = Entry(current[0], current[1], "\n".join(body).strip())

    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("## "):
            body.append(line)
            continue
        match = _HEADING.match(line.rstrip())
        if not match:
            raise HandbookError(f"{where}:{number}: an entry heading must read '## Title {{#id}}' "
                                "(id: lowercase letters, digits, '-')")
        if match["id"] in entries or (current and current[0] == match["id"]):
            raise HandbookError(f"{where}:{number}: entry id {match['id']!r} is used twice")
        close()
        current, body = (match["id"], match["title"]), []
    close()
    for entry in entries.values():
        if not entry.body:
            raise HandbookError(f"{where}: entry {entry.id!r} is empty")
    return entries


def load(path: Path | None = None) -> dict[str, Entry]:
    """The shipped handbook's entries by id."""
    source = path or handbook_file()
    return parse(source.read_text(encoding="utf-8"), str(source))


def missing(ids: tuple[str, ...] | list[str], entries: dict[str, Entry]) -> list[str]:
    """The ids a drill cites that the handbook does not define."""
    return [i for i in ids if i not in entries]
