"""Messages for the learner: why an answer got its verdict, in words and small examples."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqldrills.grading.compare import Comparison
from sqldrills.grading.results import Repair, WorldReport, WorldStatus
from sqldrills.world.schema import TABLES

if TYPE_CHECKING:
    from sqldrills.catalog.challenges import Challenge, Trap
    from sqldrills.grading.sandbox import QueryFailure, QueryResult
    from sqldrills.world.cache import WorldSpec


def _plural(n: int, word: str) -> str:
    """
    >>> _plural(1, "row"), _plural(3, "row")
    ('1 row', '3 rows')
    """
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def world_report(spec: WorldSpec, comparison: Comparison, got: QueryResult) -> WorldReport:

    if comparison.missing_columns or comparison.extra_columns:
        status, summary = WorldStatus.INVALID, "columns do not match the output contract"
    elif comparison.equal:
        status, summary = WorldStatus.MATCH, f"{_plural(comparison.expected_rows, 'row')}, all equal"
    else:
        status = WorldStatus.DIFFERS
        if comparison.order_only:
            summary = "same rows, wrong order"
        else:
            summary = (f"{_plural(comparison.expected_rows, 'row')} expected, "
                       f"{comparison.actual_rows:,} returned, "
                       f"{_plural(comparison.total_differing, 'group')} differ")
        if got.truncated:
            summary += f" (your result was cut at {len(got.rows):,} rows)"
    diffs = [{"key": d.key, "expected": d.expected, "yours": d.actual} for d in comparison.diffs]
    return WorldReport(spec.label, spec.describe(), status, summary, got.elapsed_ms, diffs)


def error_message(failure: QueryFailure, reports: list[WorldReport], sql: str | None = None) -> str:
    r"""Why the answer did not run, once (the worlds are named only when not all failed), in
    the learner's words where DuckDB's are a puzzle, and, given the answer's ``sql``, where
    the name it trips on sits in it.

    >>> from types import SimpleNamespace as Failure  # the message is all it reads
    >>> error_message(Failure(message='Binder Error: Referenced column "viewr" not found in FROM '
    ...                               'clause! Candidate bindings: "viewers"'), [],
    ...               "SELECT day,\n       viewr\nFROM events")
    'Your query did not run: column `viewr` does not exist in `events`; did you mean `viewers`? (line 2, column 8)'
    >>> error_message(Failure(message="Conversion Error: Could not convert string 'a' to INT32"), [])
    "Your query did not run: Conversion Error: Could not convert string 'a' to INT32"
    """
    worlds = [r.world for r in reports if r.status == WorldStatus.ERROR]
    where = "" if len(worlds) == len(reports) else f" (on {', '.join(worlds)})"
    # Comments and string literals are blanked (same length) so a name is found in the code only.
    code = re.sub(r"--[^\n]*|'(?:[^']|'')*'", lambda m: " " * len(m.group()), sql or "")
    for pattern, words in _LEARNER_WORDS:
        match = re.search(pattern, failure.message)
        if match:
            found = match.groupdict()
            found["tables"] = _tables_named(code)
            text = words.format(**found)
            if found.get("alt"):
                text += f"; did you mean `{found['alt']}`?"
            return f"Your query did not run{where}: {text}{_position(code, found['name'])}"
    return f"Your query did not run{where}: {failure.message}"


# DuckDB's messages a learner meets most, in plain words; ``name`` is what to point at.
_LEARNER_WORDS: tuple[tuple[str, str], ...] = (
    (r'Referenced column "(?P<name>[^"]+)" not found in FROM clause!(?: Candidate bindings: "(?P<alt>[^"]+)")?',
     "column `{name}` does not exist in {tables}"),
    (r'Table "(?P<table>[^"]+)" does not have a column named "(?P<name>[^"]+)"',
     "column `{name}` does not exist in `{table}`"),
    (r'Table with name (?P<name>\S+) does not exist!(?: Did you mean "(?P<alt>[^"]+)"\?)?',
     "table `{name}` does not exist (`sqldrills schema` lists the tables)"),
    (r'Function with name (?P<name>\S+) does not exist!(?: Did you mean "(?P<alt>[^"]+)"\?)?',
     "function `{name}` does not exist"),
    (r'column "(?P<name>[^"]+)" must appear in the GROUP BY clause',
     "column `{name}` is neither grouped nor aggregated: add it to GROUP BY, or wrap it in an "
     "aggregate (ANY_VALUE({name}) if any value will do)"),
    (r'Ambiguous reference to column name "(?P<name>[^"]+)" \(use: (?P<options>.+?)\)',
     "column `{name}` is in more than one table: qualify it ({options})"),
    (r"No function matches the given name and argument types '(?P<name>\w+)\((?P<types>[^)]*)\)'",
     "`{name}` does not take ({types}): cast the argument to a type it takes"),
)


def _tables_named(code: str) -> str:
    """The one schema table the query names, or a description of where the name was sought."""
    named = [t for t in TABLES if re.search(rf"\b{t}\b", code, re.IGNORECASE)]
    return f"`{named[0]}`" if len(named) == 1 else "the tables of your FROM clause"


def _position(code: str, name: str) -> str:
    """`` (line L, column C)`` of the first use of ``name`` in the code, or "" if not found."""
    match = re.search(rf'(?<![\w$])"?{re.escape(name)}"?(?![\w$])', code, re.IGNORECASE)
    if not match:
        return ""
    line = code.count("\n", 0, match.start()) + 1
    column = match.start() - (code.rfind("\n", 0, match.start()) + 1) + 1
    return f" (line {line}, column {column})"


def invalid_message(challenge: Challenge, comparison: Comparison) -> str:
    wanted = ", ".join(challenge.columns)
    parts = []
    if comparison.missing_columns:
        parts.append("missing " + ", ".join(f"`{c}`" for c in comparison.missing_columns))
    if comparison.extra_columns:
        parts.append("unexpected " + ", ".join(f"`{c}`" for c in comparison.extra_columns))
    return (f"The output does not match the contract ({'; '.join(parts)}). "
            f"Return exactly these columns: {wanted} (rename with AS).")


def correct_message(challenge: Challenge, reports: list[WorldReport]) -> str:
    hidden = sum(1 for r in reports if r.world != "practice")
    if hidden == len(reports):  # a take-home: its worlds are all hidden
        return f"Correct on all {len(reports)} grading worlds."
    return f"Correct on all {len(reports)} worlds (the practice world and {hidden} hidden ones)."


def _ratio_phrase(comparison: Comparison) -> str:
    phrases = []
    for column, ratio in comparison.ratios.items():
        if ratio != ratio or abs(ratio - 1) < 1e-9:
            continue
        phrases.append(f"your {column} is {ratio:.2f}x the true value on average")
    return "; ".join(phrases)


def misleading_message(
    challenge: Challenge,
    trap: Trap | None,
    comparison: Comparison,
    reports: list[WorldReport],
    order_only: bool,
    repairs: Sequence[Repair] = (),
    warnings: Sequence[Mapping[str, Any]] = (),
) -> str:
    """Why the numbers are wrong: the trap the answer reproduces; else the repair of the
    answer that makes it right (naming its pitfalls when the drill's traps tell them); else
    the lint findings that likely explain it; else where to look in the rows below."""
    wrong = [r.world for r in reports if r.status != WorldStatus.MATCH]
    where = f"Wrong on {len(wrong)} of {len(reports)} worlds ({', '.join(wrong)})"
    if order_only:
        keys = ", ".join(challenge.sort_keys)
        return f"{where}: the rows are right but the order is not. Order by {keys}."
    ratio = _ratio_phrase(comparison)
    if trap is not None:
        text = f"Pitfall: {trap.name}. {trap.explanation}"
        return f"{text} ({where}{'; ' + ratio if ratio else ''}.)"
    if repairs:
        named = list(dict.fromkeys((r.pitfall_name, r.pitfall_explanation) for r in repairs if r.pitfall_name))
        pitfalls = " ".join(f"Pitfall: {name}. {explanation}" for name, explanation in named)
        changes = "; ".join(r.describe() for r in repairs)
        fix = f"{changes[0].upper()}{changes[1:]}, and your query is right on every world."
        return f"{pitfalls + ' ' if pitfalls else ''}{fix} ({where}{'; ' + ratio if ratio else ''}.)"
    hint = "" if len(wrong) == len(reports) else (
        " Right on some worlds but not all: check the boundaries (< vs <=, as_of, "
        "time zones) and conditions that only matter in some data.")
    likely = "".join(f" Likely: {_finding(w)}." for w in warnings)
    return f"{where}.{' ' + ratio.capitalize() + '.' if ratio else ''}{hint}{likely} " \
           f"See the differing rows below."


def _finding(warning: Mapping[str, Any]) -> str:
    where = f" (line {warning['line']})" if warning.get("line") else ""
    return f"{warning['name']}{where}: {warning['message']}"


def diff_rows(report: WorldReport, columns: tuple[str, ...]) -> tuple[list[str], list[list[Any]]]:
    """A counterexample as a table: one row per differing group, expected vs yours."""
    header = ["", *columns]
    rows: list[list[Any]] = []
    for diff in report.diffs:
        for label, values in (("expected", diff["expected"]), ("yours", diff["yours"])):
            if values is None:
                rows.append([label, *(["(no row)"] + [""] * (len(columns) - 1))])
            else:
                lowered = {str(k).lower(): v for k, v in {**diff["key"], **values}.items()}
                rows.append([label, *(lowered.get(c, "") for c in columns)])
    return header, rows
