"""Integrity signals for a human to read, never penalties: answers right only on the
candidate's own data, and answers near-identical to another candidate's.

Answers are compared after normalisation (:func:`normalise_sql`), so renaming aliases or
tweaking constants does not hide a copy; near-identical pairs are shown as groups.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqldrills.grading.results import WorldStatus
from sqldrills.takehome.records import AnswerRecord, Flag, FlagKind, Outcome
from sqldrills.world.schema import TABLES

SIMILARITY_THRESHOLD = 0.9
# difflib's ratio is quadratic in the tokens of a pair (about a second at 2,000 tokens in
# the worst case): longer answers are compared only for being the same, and all of a
# cohort's comparisons share one time budget. What is left out is said, pair by pair.
MAX_COMPARED_TOKENS = 2_000
SIMILARITY_BUDGET_S = 60.0
TOO_LONG = f"not compared: too long (over {MAX_COMPARED_TOKENS:,} tokens)"
NO_TIME = f"not compared: time budget ({SIMILARITY_BUDGET_S:g} s for the cohort) spent"
_TOKEN = re.compile(r"\w+|[^\w\s]")


def normalise_sql(sql: str) -> list[str]:
    """Tokens of ``sql`` with literals and non-schema names canonicalised.

    Aliases and CTE names become ``n1, n2, ...`` in order of appearance and literals
    become ``?``: renaming aliases or tweaking constants does not hide a copy.

    >>> normalise_sql("SELECT x.a AS foo FROM t AS x WHERE b = 3") == \\
    ...     normalise_sql("select y.a as bar from t y where b = 7")
    True
    """
    import sqlglot
    from sqlglot import exp

    if len(_TOKEN.findall(sql)) > MAX_COMPARED_TOKENS:  # too long to compare: not parsed
        return _plain_tokens(sql)
    schema_names = set(TABLES) | {c.name for cols in TABLES.values() for c in cols}
    renames: dict[str, str] = {}

    def canonical(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Literal):
            return exp.Literal(this="?", is_string=node.is_string)
        if isinstance(node, exp.Identifier):
            name = node.name.lower()
            if name in schema_names:
                return exp.to_identifier(name)
            return exp.to_identifier(renames.setdefault(name, f"n{len(renames) + 1}"))
        return node

    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
        text = tree.transform(canonical).sql(dialect="duckdb", normalize=True)
    except Exception:  # noqa: BLE001 - unparseable answers are compared as plain text
        return _plain_tokens(sql)
    return _TOKEN.findall(text)


def _plain_tokens(sql: str) -> list[str]:
    return _TOKEN.findall(" ".join(re.sub(r"--[^\n]*", "", sql).lower().split()))


@dataclass
class Comparison:
    """Similar pairs ``(a, b, ratio)``, most similar first, and the pairs not compared
    ``(a, b, why)``."""

    pairs: list[tuple[str, str, float]] = field(default_factory=list)
    not_compared: list[tuple[str, str, str]] = field(default_factory=list)


def compare_answers(answers: dict[str, str], threshold: float = SIMILARITY_THRESHOLD,
                    deadline: float | None = None) -> Comparison:
    """Compare every pair of candidates' answers (by ``time.monotonic()`` ``deadline``).

    Each distinct answer is normalised once, and each pair of distinct normalised answers
    compared once: a query that many candidates share costs one comparison, not one per
    pair of them. Answers with the same tokens are always found, however long; a pair
    whose lengths alone rule it out is never expensive; any other pair over
    ``MAX_COMPARED_TOKENS`` or past the deadline is listed as not compared.

    >>> long = " UNION ALL ".join(f"SELECT {i} AS n{i}" for i in range(500))
    >>> result = compare_answers({"a": long, "b": long + " UNION ALL SELECT 1", "c": long})
    >>> result.pairs, result.not_compared == [("a", "b", TOO_LONG), ("b", "c", TOO_LONG)]
    ([('a', 'c', 1.0)], True)
    """
    by_text: dict[str, list[str]] = {}
    for who, sql in answers.items():
        by_text.setdefault(sql, []).append(who)
    by_tokens: dict[tuple[str, ...], list[str]] = {}
    for sql, people in by_text.items():
        # Past the deadline there is no time to parse: plain tokens still find the same text.
        late = deadline is not None and time.monotonic() > deadline
        tokens = _plain_tokens(sql) if late else normalise_sql(sql)
        by_tokens.setdefault(tuple(tokens), []).extend(people)
    groups = [(tokens, sorted(people)) for tokens, people in by_tokens.items()]
    result = Comparison()
    for i, (tokens, people) in enumerate(groups):
        result.pairs += [(a, b, 1.0) for j, a in enumerate(people) for b in people[j + 1:]]
        for other_tokens, others in groups[i + 1:]:
            matcher = difflib.SequenceMatcher(None, tokens, other_tokens, autojunk=False)
            if matcher.real_quick_ratio() < threshold:  # the lengths alone rule it out
                continue
            why = (TOO_LONG if max(len(tokens), len(other_tokens)) > MAX_COMPARED_TOKENS
                   else NO_TIME if deadline is not None and time.monotonic() > deadline
                   else None)
            if why:
                result.not_compared += [(min(a, b), max(a, b), why)
                                        for a in people for b in others]
                continue
            if matcher.quick_ratio() < threshold:
                continue
            ratio = round(matcher.ratio(), 3)
            if ratio >= threshold:
                result.pairs += [(min(a, b), max(a, b), ratio) for a in people for b in others]
    result.pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    result.not_compared.sort()
    return result


def similar_pairs(answers: dict[str, str], threshold: float = SIMILARITY_THRESHOLD
                  ) -> list[tuple[str, str, float]]:
    """Pairs of candidates whose normalised answers are near-identical, most similar first
    (:func:`compare_answers` without a deadline)."""
    return compare_answers(answers, threshold).pairs


def integrity_flags(answers: Mapping[tuple[str, str], AnswerRecord], candidates: list[str],
                    tasks: list[str]) -> list[Flag]:
    """The flags on a cohort's answers, keyed (candidate, task): own-world-only answers in
    answer order, then for each task the similar pairs, most similar first, and the pairs
    not compared (within one ``SIMILARITY_BUDGET_S`` for the cohort)."""
    deadline = time.monotonic() + SIMILARITY_BUDGET_S
    flags = [Flag(FlagKind.OWN_WORLD_ONLY, candidate, task,
                  "right on the candidate's own data, wrong on the hidden worlds: hard-coded "
                  "or overfitted?")
             for (candidate, task), record in answers.items()
             if record.verdict == Outcome.MISLEADING and record.own_world == WorldStatus.MATCH]
    for task in tasks:
        texts = {c: answers[(c, task)].answer for c in candidates if answers[(c, task)].answer}
        comparison = compare_answers(texts, deadline=deadline)
        flags += [Flag(FlagKind.SIMILAR, left, task,
                       f"answers {ratio:.0%} identical after normalisation", other=right,
                       similarity=ratio)
                  for left, right, ratio in comparison.pairs]
        flags += [Flag(FlagKind.NOT_COMPARED, left, task, why, other=right)
                  for left, right, why in comparison.not_compared]
    return flags


def describe_flags(flags: list[Flag], shown: int | None = None) -> list[str]:
    """The flags as lines for people (the terminal, the HTML report): one per flag, but
    near-identical answers as groups (:func:`similarity_clusters`) and the pairs not
    compared as one line per task and reason, naming at most ``shown`` pairs.

    >>> describe_flags([Flag(FlagKind.FOREIGN_MANIFEST, "ann", None, "names bob"),
    ...                 Flag(FlagKind.NOT_COMPARED, "a", "t", TOO_LONG, other="b"),
    ...                 Flag(FlagKind.NOT_COMPARED, "a", "t", TOO_LONG, other="c")], shown=1)
    ['submission: ann - names bob', 't: 2 pairs not compared: too long (over 2,000 tokens): a & b and 1 more']
    """
    lines = [f"{f.task or 'submission'}: {f.candidate} - {f.detail}" for f in flags
             if f.kind not in (FlagKind.SIMILAR, FlagKind.NOT_COMPARED)]
    lines += [cluster.describe(shown) for cluster in similarity_clusters(flags)]
    skipped: dict[tuple[str, str], list[str]] = {}
    for f in flags:
        if f.kind == FlagKind.NOT_COMPARED:
            skipped.setdefault((f.task or "", f.detail), []).append(f"{f.candidate} & {f.other}")
    for (task, why), pairs in skipped.items():
        listed = ", ".join(pairs[:shown] if shown else pairs)
        more = len(pairs) - shown if shown and len(pairs) > shown else 0
        lines.append(f"{task}: {len(pairs)} pair{'s' if len(pairs) > 1 else ''} {why}: "
                     f"{listed}{f' and {more} more' if more else ''}")
    return lines


@dataclass(frozen=True)
class Cluster:
    """Candidates of one task linked by near-identical answers, and the similarity range."""

    task: str
    candidates: list[str]
    min: float
    max: float

    def describe(self, shown: int | None = None) -> str:
        """One line for people, naming at most ``shown`` candidates.

        >>> Cluster("t", ["a", "b", "c"], 0.95, 1.0).describe(2)
        't: 3 candidates with near-identical answers (95%-100% after normalisation): a, b and 1 more'
        """
        names = self.candidates
        listed = ", ".join(names[:shown] if shown else names)
        more = len(names) - shown if shown and len(names) > shown else 0
        span = f"{self.min:.0%}" if self.min == self.max else f"{self.min:.0%}-{self.max:.0%}"
        return (f"{self.task}: {len(names)} candidates with near-identical answers ({span} "
                f"after normalisation): {listed}{f' and {more} more' if more else ''}")


def similarity_clusters(flags: list[Flag]) -> list[Cluster]:
    """The "similar" flags of each task as groups of candidates linked by near-identical
    answers (for people to read: 30 candidates sharing a query are one group, not 435
    pairs), largest first.

    >>> def similar(a, b, ratio):
    ...     return Flag(FlagKind.SIMILAR, a, "t", "", other=b, similarity=ratio)
    >>> similarity_clusters([similar("a", "b", 1.0), similar("b", "c", 0.95),
    ...                      similar("x", "y", 0.9)])
    [Cluster(task='t', candidates=['a', 'b', 'c'], min=0.95, max=1.0), \
Cluster(task='t', candidates=['x', 'y'], min=0.9, max=0.9)]
    """
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(node: tuple[str, str]) -> tuple[str, str]:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    similar = [(f.task, f.candidate, f.other, f.similarity) for f in flags
               if f.kind == FlagKind.SIMILAR and f.other is not None and f.similarity is not None]
    for task, candidate, other, _ in similar:
        parent[root((task, candidate))] = root((task, other))
    members: dict[tuple[str, str], set[str]] = {}
    ratios: dict[tuple[str, str], list[float]] = {}
    for task, candidate, other, ratio in similar:
        key = root((task, candidate))
        members.setdefault(key, set()).update((candidate, other))
        ratios.setdefault(key, []).append(ratio)
    clusters = [Cluster(key[0], sorted(names), min(ratios[key]), max(ratios[key]))
                for key, names in members.items()]
    return sorted(clusters, key=lambda c: (c.task, -len(c.candidates), c.candidates))
