"""SQL text the steps splice into their queries: literals, weighted picks, lookups."""

from __future__ import annotations

from typing import Any


def literal(value: Any) -> str:
    """A SQL literal.

    >>> literal("it's"), literal(0.5)
    ("'it''s'", '0.5')
    """
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def pick(u: str, weights: dict[str, float]) -> str:
    """SQL picking a key of ``weights`` with probability proportional to its weight, given
    ``u``, SQL for a uniform number in [0, 1).

    >>> pick("x", {"a": 1, "b": 3})
    "(CASE WHEN x < 0.25 THEN 'a' ELSE 'b' END)"
    """
    total = float(sum(weights.values()))
    items = list(weights.items())
    acc, whens = 0.0, []
    for value, weight in items[:-1]:
        acc += weight / total
        whens.append(f"WHEN {u} < {acc!r} THEN {literal(value)}")
    return f"(CASE {' '.join(whens)} ELSE {literal(items[-1][0])} END)"


def lookup(expr: str, mapping: dict[str, Any], default: Any) -> str:
    """SQL mapping the value of ``expr`` through ``mapping``.

    >>> lookup("plan", {"basic": 5.99}, 9.99)
    "(CASE plan WHEN 'basic' THEN 5.99 ELSE 9.99 END)"
    """
    whens = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in mapping.items())
    return f"(CASE {expr} {whens} ELSE {literal(default)} END)"


def timestamp(text: str) -> str:
    """A TIMESTAMP literal.

    >>> timestamp("2024-01-01 00:00:00")
    "TIMESTAMP '2024-01-01 00:00:00'"
    """
    return f"TIMESTAMP '{text}'"
