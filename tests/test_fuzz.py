"""Fuzzing the grader (issue 6, item 2): whatever text arrives, a verdict comes back.

Hypothesis feeds two kinds of text to ``grade()`` and to the sandbox's entry points
(``prepare_query``, ``run_user_sql``):

* **token soups**: SQL keywords, the world's table and column names, functions (allowed
  and denied), punctuation, comment and quote openers, literals, unicode lookalikes,
  lone surrogates (undecodable bytes) and NUL, glued with random whitespace; some are
  wrapped in ``SELECT … FROM <table> …`` so that they get past the parser and run;
* **mutated real answers**: the catalog's references and traps with random character
  and token edits (delete, insert, replace, duplicate, swap, truncate).

Properties: ``grade()`` never raises and always returns one of the four verdicts with a
non-empty message and a JSON-serialisable result; ``prepare_query`` returns text or raises
``Refused`` (never anything else); ``run_user_sql`` returns one outcome per world; and
nothing hangs: every call finishes within the sandbox's own bound (worlds × (timeout +
kill grace)) plus slack, enforced by an alarm so a hang fails instead of blocking CI.

The runtime is bounded by ``max_examples``; set ``SQLDRILLS_FUZZ_FACTOR=10`` (for
instance) to fuzz ten times longer locally.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from sqldrills.catalog.challenges import Challenge, load_all
from sqldrills.grading.grade import grade
from sqldrills.grading.references import challenge_worlds
from sqldrills.grading.results import GradeResult, Verdict
from sqldrills.grading.sandbox import Limits, QueryFailure, QueryResult, run_user_sql
from sqldrills.grading.sqlcheck import DIALECTS, Refused, prepare_query
from sqldrills.grading.values import to_json
from sqldrills.lint import LintContext, lint
from sqldrills.world.schema import TABLES

FACTOR = max(1, int(os.environ.get("SQLDRILLS_FUZZ_FACTOR", "1")))
LIMITS = Limits(timeout_s=1.0, kill_grace_s=1.0, memory_limit_mb=256, max_rows=1000, threads=1)
FAILURE_KINDS = {"refused", "runtime", "timeout", "memory", "crashed"}
# Beyond the sandbox's own bound: lint (capped), comparing, explaining, and the first
# computation of a challenge's reference and trap results on its worlds (then cached).
SLACK_S = 30.0


def fuzz_settings(examples: int):
    return settings(max_examples=examples * FACTOR, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# --------------------------------------------------------------------------- material
CHALLENGES: dict[str, Challenge] = {c.id: c for c in load_all()}
REAL_ANSWERS: list[tuple[str, str]] = sorted(
    [(c.id, sql) for c in CHALLENGES.values() for _, sql in c.references]
    + [(c.id, trap.sql) for c in CHALLENGES.values() for trap in c.traps])

TABLE_NAMES = sorted(TABLES)
COLUMN_NAMES = sorted({column.name for columns in TABLES.values() for column in columns})
KEYWORDS = ["SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "QUALIFY", "WINDOW", "WITH", "RECURSIVE", "AS", "ON", "USING", "JOIN", "LEFT", "RIGHT", "FULL", "OUTER", "INNER", "CROSS", "NATURAL", "ASOF", "POSITIONAL", "LATERAL", "UNION", "ALL", "INTERSECT", "EXCEPT", "DISTINCT", "CASE", "WHEN", "THEN", "ELSE", "END", "AND", "OR", "NOT", "IN", "EXISTS", "BETWEEN", "LIKE", "ILIKE", "IS", "NULL", "TRUE", "FALSE", "CAST", "TRY_CAST", "INTERVAL", "OVER", "PARTITION", "ROWS", "RANGE", "PRECEDING", "FOLLOWING", "CURRENT", "ROW", "UNBOUNDED", "FILTER", "ASC", "DESC", "NULLS", "FIRST", "LAST", "VALUES", "TABLE", "PIVOT", "UNPIVOT", "SAMPLE", "USING", "SAMPLE", "TABLESAMPLE", "COLLATE", "ANY", "SOME", "ARRAY", "STRUCT", "MAP", "DATE", "TIMESTAMP", "TIMESTAMPTZ", "VARCHAR", "INTEGER", "BIGINT", "DOUBLE", "DECIMAL", "BOOLEAN", "INSERT", "INTO", "UPDATE", "SET", "DELETE", "CREATE", "DROP", "ALTER", "TEMP", "VIEW", "MACRO", "COPY", "TO", "EXPORT", "DATABASE", "ATTACH", "DETACH", "USE", "INSTALL", "LOAD", "PRAGMA", "CALL", "CHECKPOINT", "BEGIN", "COMMIT", "ROLLBACK", "RESET", "SUMMARIZE", "DESCRIBE", "SHOW", "EXPLAIN", "ANALYZE", "RETURNING"]
FUNCTIONS = ["count", "sum", "avg", "min", "max", "median", "mode", "quantile_cont", "quantile_disc", "stddev", "list", "array_agg", "string_agg", "first", "last", "any_value", "arg_max", "arg_min", "row_number", "rank", "dense_rank", "lag", "lead", "ntile", "coalesce", "nullif", "greatest", "least", "abs", "round", "floor", "ceil", "date_trunc", "date_diff", "date_part", "datediff", "extract", "epoch", "timezone", "strftime", "strptime", "make_date", "now", "current_date", "today", "length", "lower", "upper", "substr", "replace", "regexp_matches", "regexp_replace", "split_part", "concat", "unnest", "range", "generate_series", "repeat", "hash", "md5", "list_transform", "struct_pack", "read_csv", "read_parquet", "read_text", "glob", "duckdb_settings", "duckdb_tables", "current_setting", "getenv", "query", "pragma_version", "parquet_scan", "sqlite_scan"]
PUNCTUATION = [
    "(", ")", ",", ";", ".", "*", "+", "-", "/", "//", "%", "=", "==", "<>", "!=", "<", ">",
    "<=", ">=", "||", "::", ":", "[", "]", "{", "}", "'", '"', "`", "--", "/*", "*/", "?",
    "$1", "$", "->", "->>", "@", "#", "&", "|", "^", "~", "!", "\\", "=>", "**",
]
LITERALS = [
    "0", "1", "-1", "42", "3.14", "1e308", "1e-308", "9223372036854775807",
    "99999999999999999999999999999999", "'x'", "''", "'it''s'", "'%'", "NULL",
    "DATE '2026-01-01'", "TIMESTAMP '2026-03-08 02:30:00'", "INTERVAL 1 DAY",
    "INTERVAL '30 days'", "'Asia/Kolkata'", "'NaN'::DOUBLE", "'inf'::DOUBLE", "[1, 2]",
    "{'a': 1}", "E'\\n'", "$$x$$", "X'00'", "'\\x00'", "0x10",
]
UNICODE = [
    "\x00",  # NUL
    "\udcff", "\ud800",  # lone surrogates: undecodable bytes read with surrogateescape
    "\uff1b", "\u037e",  # fullwidth semicolon, Greek question mark (looks like ;)
    "\u200b", "\ufeff", "\u202e", "\u00a0", "\u2028", "\u0301",  # invisibles, marks
    "ＳＥＬＥＣＴ", "ЅЕLЕСТ", "ǀ", "é", "ß", "İ", "🙂", "𝔰𝔢𝔩𝔢𝔠𝔱", "中文", "\t", "\r",
]
TOKENS = sorted(set(KEYWORDS + FUNCTIONS + PUNCTUATION + LITERALS + UNICODE + TABLE_NAMES
                    + COLUMN_NAMES))

token = st.one_of(
    st.sampled_from(TOKENS),
    st.sampled_from(TABLE_NAMES + COLUMN_NAMES),
    st.text(max_size=6),  # arbitrary unicode (no surrogates; those are in UNICODE)
    st.integers(-(2**70), 2**70).map(str),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=8).map(
        lambda s: "'" + s.replace("'", "''") + "'"),
)
separator = st.sampled_from([" ", " ", " ", "", "\n", "\t", "  "])


@st.composite
def soups(draw: st.DrawFn, max_tokens: int = 30) -> str:
    """Random tokens glued with random whitespace."""
    parts = draw(st.lists(st.tuples(token, separator), max_size=max_tokens))
    return "".join(t + s for t, s in parts)


@st.composite
def runnable_soups(draw: st.DrawFn) -> str:
    """A soup inside a query's frame, so that more of them reach DuckDB and run."""
    table = draw(st.sampled_from(TABLE_NAMES))
    columns = draw(st.lists(st.sampled_from(COLUMN_NAMES + ["*", "count(*)", "1"]),
                            min_size=1, max_size=4))
    middle = draw(soups(max_tokens=8))
    tail = draw(soups(max_tokens=8))
    return f"SELECT {', '.join(columns)} {middle} FROM {table} {tail}"


TOKEN_RE = re.compile(r"\s+|\w+|'(?:[^']|'')*'?|--[^\n]*|<=|>=|<>|!=|::|\|\||.", re.S)
INSERTS = st.one_of(st.sampled_from(TOKENS), st.characters(), st.sampled_from(UNICODE))
# Plausible slips: a token swapped for another of its kind, so that the answer still runs
# and the comparison, trap matching and explanation get exercised too.
SWAPS = [
    ["<", "<=", ">", ">=", "=", "<>"], ["AND", "OR"], ["LEFT", "INNER", "RIGHT", "FULL"],
    ["ASC", "DESC"], ["count", "sum", "avg", "min", "max", "median"], ["+", "-", "*", "/"],
    ["day", "week", "month", "hour", "minute", "year"], ["DISTINCT", "ALL"],
    ["MIN", "MAX", "COUNT", "SUM", "AVG"], ["UNION", "INTERSECT", "EXCEPT"],
    ["row_number", "rank", "dense_rank"], ["lag", "lead"], ["IN", "NOT IN"],
    ["TRUE", "FALSE", "NULL"],
]
SWAP_GROUP = {word.lower(): group for group in SWAPS for word in group}
MUTATIONS = ["char_delete", "char_insert", "char_replace", "token_delete", "token_replace",
             "token_duplicate", "token_swap", "span_duplicate", "truncate", *["token_substitute"] * 9]


def substitute(draw: st.DrawFn, word: str) -> str:
    """Another token of the same kind as ``word`` (itself when it has no kind)."""
    lowered = word.lower()
    if lowered in SWAP_GROUP:
        return draw(st.sampled_from(SWAP_GROUP[lowered]))
    if word.isdigit():
        return str(draw(st.sampled_from([0, 1, 2, 7, 30, 31, 60, 100, 3600, 10**12])))
    if lowered in COLUMN_NAMES:
        return draw(st.sampled_from(COLUMN_NAMES))
    if lowered in TABLE_NAMES:
        return draw(st.sampled_from(TABLE_NAMES))
    if word.startswith("'"):
        return draw(st.sampled_from(["''", "'play'", "'2026-01-01'", "'UTC'", "'x'", "'%'"]))
    return word


def substitute_kind(word: str) -> bool:
    lowered = word.lower()
    return (lowered in SWAP_GROUP or word.isdigit() or lowered in COLUMN_NAMES
            or lowered in TABLE_NAMES or word.startswith("'"))


@st.composite
def mutations(draw: st.DrawFn, max_breaking: int = 4) -> tuple[str, str]:
    """A real answer (reference or trap) with 1 to 4 random character or token edits.

    At most ``max_breaking`` of them are edits other than a same-kind substitution
    (those mostly give a syntax error).
    """
    challenge_id, sql = draw(st.sampled_from(REAL_ANSWERS))
    breaking = 0
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(MUTATIONS if breaking < max_breaking else ["token_substitute"]))
        breaking += op != "token_substitute"
        if op.startswith("char_") or op in ("span_duplicate", "truncate"):
            i = draw(st.integers(0, len(sql)))
            if op == "char_delete":
                sql = sql[:i] + sql[i + draw(st.integers(1, 8)):]
            elif op == "char_insert":
                sql = sql[:i] + draw(INSERTS) + sql[i:]
            elif op == "char_replace":
                sql = sql[:i] + draw(INSERTS) + sql[i + 1:]
            elif op == "span_duplicate":
                j = draw(st.integers(i, min(len(sql), i + 80)))
                k = draw(st.integers(0, len(sql)))
                sql = sql[:k] + sql[i:j] + sql[k:]
            else:
                sql = sql[:i]
            continue
        tokens = TOKEN_RE.findall(sql)
        words = [n for n, t in enumerate(tokens) if not t.isspace()]
        if not words:
            continue
        n = draw(st.sampled_from(words))
        if op == "token_substitute":
            kinds = [m for m in words if substitute_kind(tokens[m])]
            if kinds:
                n = draw(st.sampled_from(kinds))
                tokens[n] = substitute(draw, tokens[n])
        elif op == "token_delete":
            del tokens[n]
        elif op == "token_replace":
            tokens[n] = draw(st.one_of(st.sampled_from(TOKENS), token))
        elif op == "token_duplicate":
            tokens.insert(n, tokens[n] + " ")
        else:  # token_swap, with the next non-space token
            later = [m for m in words if m > n]
            if later:
                tokens[n], tokens[later[0]] = tokens[later[0]], tokens[n]
        sql = "".join(tokens)
    return challenge_id, sql


# ----------------------------------------------------------------------------- checks
def event(text: str) -> None:
    """Count outcomes for ``--hypothesis-show-statistics``; a no-op outside Hypothesis."""
    with suppress(InvalidArgument):
        hypothesis_event(text)


class Hang(Exception):
    pass


@contextmanager
def must_finish_within(seconds: float) -> Iterator[None]:
    """Fail (rather than block the suite) when the body runs for longer than ``seconds``."""

    def alarm(signum, frame):
        raise Hang(f"still running after {seconds:.0f}s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def sandbox_bound(worlds: int) -> float:
    return worlds * (LIMITS.timeout_s + LIMITS.kill_grace_s) + SLACK_S


def check_grade(challenge: Challenge, sql: str, dialect: str = "duckdb") -> GradeResult:
    worlds = len(challenge_worlds(challenge))
    started = time.monotonic()
    with must_finish_within(sandbox_bound(worlds) + 30):
        result = grade(challenge, sql, dialect=dialect, limits=LIMITS)
    elapsed = time.monotonic() - started
    assert elapsed < sandbox_bound(worlds), f"grade took {elapsed:.1f}s"
    assert isinstance(result, GradeResult)
    assert result.verdict in list(Verdict), result.verdict
    assert isinstance(result.message, str) and result.message.strip(), result
    assert "Traceback" not in result.message
    assert result.challenge == challenge.id
    assert len(result.worlds) in (0, worlds), result.worlds
    # `sqldrills check --json` and the take-home log serialise the result.
    json.dumps(to_json(result.to_json()), allow_nan=False)
    refused = result.verdict == "error" and not result.worlds
    event(f"verdict: {result.verdict}{' (refused)' if refused else ''}")
    return result


def check_prepare(sql: str, dialect: str) -> str | None:
    with must_finish_within(30):
        try:
            prepared = prepare_query(sql, dialect=dialect)
        except Refused as refused:
            assert isinstance(refused.message, str) and refused.message.startswith("Refused: ")
            assert "Traceback" not in refused.message
            event("prepare: refused")
            return None
    assert isinstance(prepared, str) and prepared.strip()
    event("prepare: accepted")
    return prepared


def check_run(sql: str, paths: list, dialect: str = "duckdb") -> None:
    started = time.monotonic()
    with must_finish_within(sandbox_bound(len(paths)) + 30):
        outcomes = run_user_sql(sql, paths, dialect=dialect, limits=LIMITS)
    elapsed = time.monotonic() - started
    assert elapsed < sandbox_bound(len(paths)), f"run_user_sql took {elapsed:.1f}s"
    assert len(outcomes) == len(paths)
    for outcome in outcomes:
        assert isinstance(outcome, (QueryResult, QueryFailure)), outcome
        if isinstance(outcome, QueryFailure):
            assert outcome.kind in FAILURE_KINDS, outcome
            assert outcome.message.strip() and "Traceback" not in outcome.message, outcome
            event(f"run: {outcome.kind}")
        else:
            assert len(outcome.rows) <= LIMITS.max_rows
            assert all(len(row) == len(outcome.columns) for row in outcome.rows)
            event("run: ok")


# ------------------------------------------------------------------------------ tests
# Found by this file: lint (which runs in the grader process, before the sandbox) raised
# RecursionError on the first and spent minutes on the second.
DEEP_PARENS = "SELECT " + "(" * 1000 + "1" + ")" * 1000
LONG_UNION = "SELECT 1 AS x" + " UNION ALL SELECT 1" * 5000  # 95,000 characters

dialects = st.sampled_from(DIALECTS)
challenge_ids = st.sampled_from(sorted(CHALLENGES))


@fuzz_settings(400)
@given(sql=soups(), dialect=dialects)
@example(sql=DEEP_PARENS, dialect="duckdb")
@example(sql=LONG_UNION, dialect="duckdb")
@example(sql="SELECT " + "x" * 200_000, dialect="duckdb")
@example(sql="SELECT 1\x00", dialect="postgres")
@example(sql="SELECT '\udcff'", dialect="mysql")
@example(sql="SELECT 1\uff1b DROP TABLE accounts", dialect="duckdb")
def test_prepare_query_refuses_or_accepts_soups(sql: str, dialect: str) -> None:
    check_prepare(sql, dialect)


@fuzz_settings(120)
@given(challenge_id=challenge_ids, sql=st.one_of(soups(), runnable_soups()), dialect=dialects)
@example(challenge_id="members_not_devices", sql=DEEP_PARENS, dialect="duckdb")
@example(challenge_id="members_not_devices", sql="SELECT 1 AS x -- " + "x" * 10_485_760,
         dialect="duckdb")
@example(challenge_id="members_not_devices", sql="\ufeffSELECT 1 AS day, 2 AS viewers",
         dialect="duckdb")
@example(challenge_id="members_not_devices",
         sql="WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r",
         dialect="duckdb")
def test_grade_gives_a_verdict_for_token_soups(challenge_id: str, sql: str, dialect: str) -> None:
    check_grade(CHALLENGES[challenge_id], sql, dialect)


@fuzz_settings(60)
@given(sql=runnable_soups(), dialect=dialects)
def test_run_user_sql_survives_runnable_soups(practice_db, sql: str, dialect: str) -> None:
    check_run(sql, [practice_db], dialect)


@fuzz_settings(50)
@given(case=st.one_of(mutations(), mutations(max_breaking=0)))
def test_grade_gives_a_verdict_for_mutated_answers(case: tuple[str, str]) -> None:
    challenge_id, sql = case
    check_grade(CHALLENGES[challenge_id], sql)


@fuzz_settings(150)
@given(case=mutations(), dialect=dialects)
def test_prepare_query_on_mutated_answers(case: tuple[str, str], dialect: str) -> None:
    check_prepare(case[1], dialect)


@fuzz_settings(40)
@given(case=st.one_of(mutations(), mutations(max_breaking=0)))
def test_run_user_sql_on_mutated_answers(practice_db, case: tuple[str, str]) -> None:
    check_run(case[1], [practice_db, practice_db])


@pytest.mark.parametrize("challenge_id", ["members_not_devices", "cohort_leakage"])
def test_unmutated_answers_still_grade_as_before(challenge_id: str) -> None:
    """The harness itself: an intact reference is correct, an intact trap is misleading."""
    challenge = CHALLENGES[challenge_id]
    assert check_grade(challenge, challenge.reference).verdict == "correct"
    trap = challenge.traps[0]
    result = check_grade(challenge, trap.sql)
    assert result.verdict == "misleading" and result.pitfall == trap.id


@pytest.mark.parametrize("sql", [DEEP_PARENS, LONG_UNION, "SELECT 1 AS x -- " + "x" * 10_485_760],
                         ids=["deep_parens", "long_union", "10MB_comment"])
def test_lint_in_the_grader_process_is_bounded(sql: str) -> None:
    """lint() runs outside the sandbox's deadline: it must neither raise nor take long."""
    started = time.monotonic()
    with must_finish_within(30):
        assert lint(sql, LintContext.from_mapping(CHALLENGES["members_not_devices"].lint)) == []
    assert time.monotonic() - started < 5
