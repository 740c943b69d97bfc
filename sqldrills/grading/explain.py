"""Messages for the learner: why an answer got its verdict, in words and small examples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqldrills.grading.compare import Comparison
from sqldrills.grading.results import Repair, WorldReport, WorldStatus

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


def error_message(failure: QueryFailure, reports: list[WorldReport]) -> str:
    worlds = [r.world for r in reports if r.status == WorldStatus.ERROR]
    where = "" if len(worlds) == len(reports) else f" (on {', '.join(worlds)})"
    return f"Your query did not run{where}: {failure.message}"


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
    return (f"Correct on all {len(reports)} worlds (the practice world and "
            f"{len(reports) - 1} hidden ones).")


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
