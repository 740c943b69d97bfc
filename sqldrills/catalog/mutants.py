"""Mutation testing of the worlds, after XData: are the worlds strong enough to tell a
reference from its near misses?

Generic operators rewrite a reference with sqlglot (``<`` to ``<=``, LEFT to INNER, drop
one conjunct, shift a literal by one, ...). Every mutant that runs is graded like an
answer; one judged ``correct`` *survives*. A survivor is either equivalent to the
reference (record its id in the drill's ``equivalent_mutants``) or a sign that the
worlds lack the bait (rows exactly on a cut, a predicate that sometimes matters).

>>> [m.id for m in mutate("SELECT a FROM t WHERE x < 1")][:3]
['lt_to_lte:1', 'literal_plus_one:1', 'literal_minus_one:1']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

from sqldrills.catalog.challenges import Challenge
from sqldrills.grading.grade import grade
from sqldrills.grading.results import Verdict
from sqldrills.grading.sandbox import Limits


@dataclass(frozen=True)
class Mutant:
    id: str
    description: str
    sql: str


Operator = Callable[[exp.Expression], "exp.Expression | list[exp.Expression] | None"]
"""Given a node, return its replacement(s), or None if the operator does not apply."""


def _swap(kinds: dict[type, type]) -> Operator:
    def apply(node: exp.Expression) -> exp.Expression | None:
        target = kinds.get(type(node))
        if target is None:
            return None
        return target(this=node.this.copy(), expression=node.expression.copy())

    return apply


def _count_distinct(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.Count) and isinstance(node.this, exp.Distinct):
        inner = node.this.expressions
        return exp.Count(this=inner[0].copy()) if len(inner) == 1 else None
    if isinstance(node, exp.Count) and node.this is not None and not isinstance(node.this, exp.Star):
        return exp.Count(this=exp.Distinct(expressions=[node.this.copy()]))
    return None


_GRAINS = ("account_id", "profile_id", "device_id", "session_id")


def _grain_swap(node: exp.Expression) -> list[exp.Expression]:
    if not (isinstance(node, exp.Column) and node.name in _GRAINS):
        return []
    if not isinstance(node.parent, exp.Distinct) or not isinstance(node.parent.parent, exp.Count):
        return []
    return [exp.column(g, table=node.table or None) for g in _GRAINS if g != node.name]


def _join_kind(node: exp.Expression) -> exp.Expression | None:
    if not isinstance(node, exp.Join) or node.args.get("kind") in ("CROSS",):
        return None
    if not node.args.get("on") and not node.args.get("using"):
        return None
    copy = node.copy()
    if node.side == "LEFT":
        copy.set("side", None)
    elif not node.side:
        copy.set("side", "LEFT")
    else:
        return None
    return copy


def _in_filter(node: exp.Expression) -> bool:
    parent = node.parent
    while parent is not None and isinstance(parent, (exp.And, exp.Or, exp.Paren)):
        parent = parent.parent
    return isinstance(parent, (exp.Where, exp.Having, exp.Join, exp.Qualify))


def _drop_conjunct(node: exp.Expression) -> list[exp.Expression]:
    """One mutant per conjunct of a whole AND chain in WHERE / ON / HAVING / QUALIFY."""
    if not isinstance(node, exp.And) or isinstance(node.parent, exp.And) or not _in_filter(node):
        return []
    conjuncts = list(node.flatten())
    return [exp.and_(*(c.copy() for j, c in enumerate(conjuncts) if j != i))
            for i in range(len(conjuncts))]


def _and_to_or(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.And) and _in_filter(node):
        return exp.Or(this=node.this.copy(), expression=node.expression.copy())
    return None


def _shift(delta: int) -> Operator:
    def apply(node: exp.Expression) -> exp.Expression | None:
        if isinstance(node, exp.Literal) and node.is_int:
            return exp.Literal.number(int(node.this) + delta)
        if isinstance(node, exp.Literal) and node.is_string and isinstance(node.parent, exp.Interval):
            parts = node.this.split()
            if parts and parts[0].lstrip("-").isdigit():
                return exp.Literal.string(" ".join([str(int(parts[0]) + delta), *parts[1:]]))
        return None

    return apply


def _drop_coalesce(node: exp.Expression) -> exp.Expression | None:
    return node.this.copy() if isinstance(node, exp.Coalesce) else None


def _drop_time_zone(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.AtTimeZone):
        return node.this.copy()
    if isinstance(node, exp.Anonymous) and node.name.lower() == "timezone" and len(node.expressions) == 2:
        return node.expressions[1].copy()
    return None


def _drop_select_arg(key: str) -> Operator:
    """Drop one part of a SELECT (``distinct``, ``having``, ``qualify``) where present."""

    def apply(node: exp.Expression) -> exp.Expression | None:
        if isinstance(node, exp.Select) and node.args.get(key):
            copy = node.copy()
            copy.set(key, None)
            return copy
        return None

    return apply


OPERATORS: dict[str, tuple[str, Operator]] = {
    "lt_to_lte": ("< becomes <=", _swap({exp.LT: exp.LTE})),
    "lte_to_lt": ("<= becomes <", _swap({exp.LTE: exp.LT})),
    "gt_to_gte": ("> becomes >=", _swap({exp.GT: exp.GTE})),
    "gte_to_gt": (">= becomes >", _swap({exp.GTE: exp.GT})),
    "count_distinct_swap": ("COUNT(DISTINCT x) <-> COUNT(x)", _count_distinct),
    "join_kind_swap": ("LEFT JOIN <-> INNER JOIN", _join_kind),
    "drop_conjunct": ("one condition of an AND dropped", _drop_conjunct),
    "and_to_or": ("AND becomes OR", _and_to_or),
    "literal_plus_one": ("an integer or INTERVAL literal + 1", _shift(1)),
    "literal_minus_one": ("an integer or INTERVAL literal - 1", _shift(-1)),
    "drop_coalesce": ("COALESCE(x, ...) becomes x", _drop_coalesce),
    "drop_time_zone": ("a time-zone conversion dropped", _drop_time_zone),
    "drop_distinct": ("SELECT DISTINCT becomes SELECT", _drop_select_arg("distinct")),
    "drop_having": ("HAVING dropped", _drop_select_arg("having")),
    "drop_qualify": ("QUALIFY dropped", _drop_select_arg("qualify")),
}


def _min_max(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.Min):
        return exp.Max(this=node.this.copy())
    if isinstance(node, exp.Max):
        return exp.Min(this=node.this.copy())
    return None


OPERATORS["min_max_swap"] = ("MIN <-> MAX", _min_max)
OPERATORS["grain_swap"] = ("COUNT(DISTINCT id) counts another grain", _grain_swap)


def mutate(sql: str) -> Iterator[Mutant]:
    """Every single-point mutant of ``sql``, each with a stable id ``operator:n``."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    nodes = list(tree.walk())
    counts: dict[str, int] = {}
    for index, node in enumerate(nodes):
        for op_id, (description, operator) in OPERATORS.items():
            replacements = _apply(operator, node)
            for replacement in replacements:
                counts[op_id] = counts.get(op_id, 0) + 1
                change = f"{_short(node)} -> {_short(replacement)}"
                yield Mutant(f"{op_id}:{counts[op_id]}", f"{description}: {change}",
                             _replace_at(tree, index, replacement))


def _short(node: exp.Expression, width: int = 60) -> str:
    text = " ".join(node.sql(dialect="duckdb").split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _apply(operator: Operator, node: exp.Expression) -> list[exp.Expression]:
    try:
        result = operator(node)
    except (AttributeError, TypeError, ValueError):
        return []
    if result is None:
        return []
    return result if isinstance(result, list) else [result]


def _replace_at(tree: exp.Expression, index: int, replacement: exp.Expression) -> str:
    copy = tree.copy()
    target = list(copy.walk())[index]
    if target is copy:
        return replacement.sql(dialect="duckdb")
    target.replace(replacement)
    return copy.sql(dialect="duckdb")


@dataclass
class MutationReport:
    challenge: str
    total: int = 0
    not_running: int = 0
    equivalent: list[str] = field(default_factory=list)
    killed: int = 0
    survivors: list[Mutant] = field(default_factory=list)

    @property
    def running(self) -> int:
        return self.total - self.not_running

    @property
    def scored(self) -> int:
        """Running, non-equivalent mutants: the denominator of the kill rate."""
        return self.killed + len(self.survivors)


def mutation_test(challenge: Challenge, scale: str | None = None,
                  limits: Limits | None = None) -> MutationReport:
    report = MutationReport(challenge.id)
    seen: set[str] = {challenge.reference.strip()}
    for mutant in mutate(challenge.reference):
        if mutant.sql in seen:
            continue
        seen.add(mutant.sql)
        report.total += 1
        result = grade(challenge, mutant.sql, limits=limits or Limits(timeout_s=20.0), scale=scale,
                       diagnose=False)  # a killed mutant needs no repair search
        if result.verdict == Verdict.ERROR:
            report.not_running += 1
        elif mutant.id in challenge.equivalent_mutants:
            report.equivalent.append(mutant.id)
        elif result.verdict == Verdict.CORRECT:
            report.survivors.append(mutant)
        else:
            report.killed += 1
    return report
