"""Small repairs of a query: the edits a reviewer would try on a wrong answer.

Each edit rewrites one clause with sqlglot and says, in a *kind*, what it stands for
("grain device_id->account_id", "exclude test accounts", "comparison <=-><"); a clause the
query repeats is also rewritten everywhere at once, as one edit of the same kind. The grader's
diagnosis (``sqldrills.grading.diagnose``) tries them on a wrong answer, alone and in pairs,
and learns which kinds repair which of a drill's traps by trying them on the traps.

>>> [e.kind for e in edits_of("SELECT count(DISTINCT device_id) AS n FROM events WHERE x <= 3")][:3]
['exclude test accounts', 'grain device_id->account_id', 'grain device_id->profile_id']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from sqldrills.grading.rewrites import REWRITES, null_label, text
from sqldrills.lint.analysis import line_of


@dataclass(frozen=True)
class Edit:
    """One repair: ``before`` (as the answer has it, on ``line``) becomes ``after``."""

    kind: str
    line: int | None
    before: str
    after: str
    sql: str  # the whole query with the edit made, in the answer's dialect
    _base: exp.Expression = field(repr=False, compare=False)
    _index: int = field(repr=False, compare=False)
    _replacement: exp.Expression = field(repr=False, compare=False)

    @property
    def tree(self) -> exp.Expression:
        """The edited query as a tree of its own (made on demand: most edits never need it)."""
        return _replace_at(self._base, self._index, self._replacement)


def edits_of(sql: str | exp.Expression, dialect: str = "duckdb", labels: tuple[str, ...] = ()) -> Iterator[Edit]:
    """Every single edit of a query (a SQL text in ``dialect``, or a parsed tree), in a
    stable order; nothing when it does not parse. ``labels``: how the question names a NULL
    group (e.g. 'unknown'), tried on projected columns."""
    rewrites = (*REWRITES, null_label(labels)) if labels else REWRITES
    try:
        tree = sql if isinstance(sql, exp.Expression) else sqlglot.parse_one(sql, read=dialect)
    except (SqlglotError, RecursionError):
        return
    nodes = list(tree.walk())
    seen = Counter(nodes)  # equal clauses count together
    first_seen: dict[exp.Expression, int] = {}
    for index, node in enumerate(nodes):
        repeated = seen[node] > 1 and first_seen.setdefault(node, index) == index
        for rewrite in rewrites:
            try:
                replacements = list(rewrite(node))
            except (AttributeError, TypeError, ValueError, KeyError, SqlglotError):
                continue
            for kind, replacement, *shown in replacements:
                sql = _edited_sql(tree, node, replacement, dialect)
                if shown:
                    before, after, at = shown[0]
                    line = line_of(at)
                else:
                    before, after, line = text(node, dialect), text(replacement, dialect), line_of(node)
                yield Edit(kind, line, before, after, sql, tree, index, replacement)
                if repeated and not shown:  # once, from the first of the equal clauses
                    everywhere = _replaced_everywhere(tree, node, replacement)
                    yield Edit(kind, line, before, after, everywhere.sql(dialect=dialect), tree, 0, everywhere)


def _replaced_everywhere(tree: exp.Expression, node: exp.Expression, replacement: exp.Expression) -> exp.Expression:
    """The query with every clause equal to ``node`` rewritten as ``replacement``: a query
    that repeats an expression (a count in a column and again in a ratio) repeats its
    mistake, and a reviewer changes it in every place at once."""
    copy = tree.copy()
    for twin in [other for other in copy.walk() if other == node]:
        if twin is copy:
            return replacement.copy()
        twin.replace(replacement.copy())
    return copy


def _edited_sql(tree: exp.Expression, node: exp.Expression, replacement: exp.Expression, dialect: str) -> str:
    """The query's SQL with ``node`` swapped for ``replacement``, written without copying the
    tree: the swap is undone at once."""
    if node is tree:
        return replacement.sql(dialect=dialect)
    stand_in = replacement.copy()
    node.replace(stand_in)
    try:
        return tree.sql(dialect=dialect)
    finally:
        stand_in.replace(node)


def _replace_at(tree: exp.Expression, index: int, replacement: exp.Expression) -> exp.Expression:
    copy = tree.copy()
    target = list(copy.walk())[index]
    if target is copy:
        return replacement.copy()
    target.replace(replacement.copy())
    return copy
