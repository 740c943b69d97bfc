"""A new drill's folder for a private catalog (``sqldrills new ID --catalog DIR``), and the
check that tells an author what of it is still unwritten.

The scaffold loads with the strict loader (every required key, comments on each), so an
author can run ``sqldrills show`` and ``validate`` on it at once; but it is plainly not a
drill yet: every place to write in says ``FILL IN``, and its trap is the reference itself.
``validate`` refuses it until both are gone (:func:`unfinished`), naming each file.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sqldrills.catalog.challenges import TRACKS, Challenge, ChallengeError, load_challenge
from sqldrills.paths import write_atomic

MARKER = "FILL IN"
SCAFFOLD_TRAP = "rename_me"  # traps/<id>.sql: renamed by the author after the mistake
_ID = re.compile(r"^[a-z][a-z0-9_]*$")

_TOML = '''\
# A drill of a private catalog, made by `sqldrills new {id}`. Replace every placeholder
# below, then prove the drill:  sqldrills validate --catalog DIR {id} --mutants
# The format is strict (docs/authoring.md): an unknown or missing key is an error.

# What candidates see as "Task N: <title>": name the question, never the mistake.
title = "{marker}: a neutral title, e.g. Members by plan"
# 1 (warm-up), 2 or 3 (hard).
difficulty = 1
# One of: {tracks}.
track = "grain"
# Short words for `sqldrills list`; never shown to candidates.
tags = ["private"]
# For authors and reviewers: the mistake this drill is about, in one sentence.
pitfall = "{marker}: the mistake that returns plausible but wrong numbers"
# Does the row order matter? With true, add sort_keys = ["<output column>", ...].
ordered = false
# Numbers are equal within this relative tolerance.
tolerance = 1e-9
# Handbook entries the prompt relies on (`sqldrills handbook` lists them), e.g. ["members"].
handbook = []
# Revealed one at a time by `sqldrills hint` (at least three): a nudge, then more, then
# nearly the answer. Never in a take-home bundle.
hints = [
  "{marker}: a nudge toward what matters",
  "{marker}: a stronger hint",
  "{marker}: nearly the answer",
]
# Shown with the solution: why the reference is right and the traps are not.
explanation = "{marker}: why the reference is right"

[output]
# The output contract. Every column is named in prompt.md in backticks.
columns = ["value"]
# One row per what? Candidates read this in the take-home README.
grain = "{marker}: one row per ..."
# key_columns = ["plan"]   # the columns that identify a row, for counterexamples

# Hidden worlds of this drill, besides the recipe's: another seed, another "now" (as_of)
# and knob perturbations (datasets/streaming.toml) chosen so that every trap's numbers
# differ from the reference's on at least two worlds.
# [[worlds]]
# seed = 4242
# as_of = "2026-04-26 12:00:00"
# knobs = {{ "accounts.test_share" = 0.05 }}
# why = "more test accounts: including them moves every plan's count"

# Each trap: a file traps/<trap id>.sql with `-- name:` and `-- explanation:` headers.
# Phrases that would give a trap away are listed here; validate keeps them out of the
# prompt and the title.
[traps.{trap}]
tells = ["{marker}: a phrase that would give this trap away"]
'''

_PROMPT = '''\
# {marker}: the title again

{marker}: the question as a stakeholder would ask it, in a few sentences. State what to
compute, never what to watch out for: conventions (who is a member, test accounts, which
day) belong in the handbook entries listed in challenge.toml.

Output columns (order does not matter):

| column | type | meaning |
|---|---|---|
| `value` | {marker} | {marker} |
'''

_REFERENCE = '''\
-- {marker}: the right answer, one read-only query returning the output columns.
SELECT count(*) AS value
FROM accounts
'''

_TRAP = '''\
-- name: {marker}: the mistake in a few words (shown to candidates when they make it)
-- explanation: {marker}: why its numbers mislead, in a sentence or two.
SELECT count(*) AS value
FROM accounts
'''


def scaffold(drill_id: str, catalog: Path) -> Path:
    """Write ``catalog/<drill_id>/`` with the scaffold's files; return the folder.

    The folder is written beside its place and renamed into it, so it is complete or
    absent; an existing folder is never touched (:class:`ChallengeError`).
    """
    if not _ID.match(drill_id):
        raise ChallengeError(f"{drill_id!r}: a drill id is snake_case (a-z, 0-9, _), "
                             "starting with a letter, e.g. weekly_churn")
    folder = catalog / drill_id
    if folder.exists():
        raise ChallengeError(f"{folder} already exists: choose another id or edit it")
    fields = {"id": drill_id, "marker": MARKER, "trap": SCAFFOLD_TRAP,
              "tracks": ", ".join(TRACKS)}
    tmp = catalog / f".{drill_id}.new"
    shutil.rmtree(tmp, ignore_errors=True)
    files = {"challenge.toml": _TOML, "prompt.md": _PROMPT, "reference.sql": _REFERENCE,
             f"traps/{SCAFFOLD_TRAP}.sql": _TRAP}
    try:
        for name, text in files.items():
            write_atomic(tmp / name, text.format(**fields))
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    load_challenge(folder)  # the scaffold must load; a bug here is ours, not the author's
    return folder


def _code(sql: str) -> str:
    """A query without comments and with spacing and case made plain, for comparing."""
    return " ".join(re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S).lower().split())


def unfinished(challenge: Challenge) -> list[str]:
    """What an author still has to write in a drill, one line per file; empty when none.

    A ``FILL IN`` left anywhere in the folder, and a trap that is the reference's query:
    a trap must be a plausible *wrong* answer, or the drill proves nothing.
    """
    problems = []
    for path in sorted(p for p in challenge.path.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = [n for n, line in enumerate(text.splitlines(), start=1) if MARKER in line]
        if lines:
            where = path.relative_to(challenge.path)
            problems.append(f"{challenge.id}/{where}: still says {MARKER} on line(s) "
                            f"{', '.join(map(str, lines))}: write it (docs/authoring.md)")
    reference = _code(challenge.reference)
    for trap in challenge.traps:
        if _code(trap.sql) == reference:
            problems.append(f"{challenge.id}/traps/{trap.path.name}: is the reference's query; "
                            "write the plausible wrong answer this trap stands for")
    return problems
