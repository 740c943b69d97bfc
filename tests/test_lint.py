"""Lint rules against their fixtures (tests/lint_fixtures/*.toml) and against their own docs
(each docstring's examples run, come from the fixtures, and docs/lint.md is current).

A fixture file names its ``rule`` (or ``"all"``: SQL no rule may flag) and holds one table
per case with exactly one of ``fail`` (the rule must fire) or ``pass`` (it must not), an
optional ``context`` (a LintContext mapping) and, for ``fail``, an optional expected ``line``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sqldrills.lint import RULES, LintContext, Rule, lint
from sqldrills.lint.base import Hit
from sqldrills.lint.doc import RuleDoc, lint_markdown

FIXTURES = Path(__file__).parent / "lint_fixtures"
DOC = Path(__file__).resolve().parent.parent / "docs" / "lint.md"
CASE_KEYS = ("fail", "pass", "context", "line")
# Every context-dependent rule is at its most active here.
EVERY_CONTEXT = LintContext(grain="account", local_time=True, ratio_of_sums=True)


@dataclass(frozen=True)
class LintCase:
    rule: str  # a rule id, or "all"
    name: str
    sql: str
    fails: bool
    context: LintContext
    line: int | None

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.name}"


def load_cases(path: Path) -> list[LintCase]:
    """Read one fixture file strictly: a misspelled or missing key raises, naming it."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rule = data.pop("rule", None)
    if rule != "all" and rule not in RULES:
        raise ValueError(f"{path.name}: 'rule' must be a rule id or 'all', not {rule!r}")
    cases = []
    for name, case in data.items():
        where = f"{path.name} [{name}]"
        if not isinstance(case, dict):
            raise ValueError(f"{path.name}: unknown top-level key {name!r}")
        for key in case:
            if key not in CASE_KEYS:
                raise ValueError(f"{where}: unknown key {key!r} (known: {', '.join(CASE_KEYS)})")
        if ("fail" in case) == ("pass" in case):
            raise ValueError(f"{where}: needs exactly one of 'fail' or 'pass'")
        if "fail" in case and rule == "all":
            raise ValueError(f"{where}: a 'fail' case must name its rule")
        if "line" in case and "fail" not in case:
            raise ValueError(f"{where}: 'line' only applies to a 'fail' case")
        try:
            context = LintContext.from_mapping(case.get("context"))
        except (TypeError, ValueError) as error:
            raise ValueError(f"{where}: {error}") from None
        sql = case["fail"] if "fail" in case else case["pass"]
        cases.append(LintCase(rule, name, sql, "fail" in case, context, case.get("line")))
    return cases


CASES = [case for path in sorted(FIXTURES.glob("*.toml")) for case in load_cases(path)]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_fixture(case: LintCase) -> None:
    findings = lint(case.sql, case.context)
    for finding in findings:
        assert RULES[finding.rule].name == finding.name
        assert finding.message and "\n" not in finding.message
    if case.rule == "all":
        assert findings == []
        return
    own = [f for f in findings if f.rule == case.rule]
    if not case.fails:
        assert own == []
        return
    assert own, f"{case.rule} did not fire"
    if case.line is not None:
        assert own[0].line == case.line


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_has_fail_and_pass_cases(rule_id: str) -> None:
    cases = [case for case in CASES if case.rule == rule_id]
    assert sum(case.fails for case in cases) >= 2
    assert sum(not case.fails for case in cases) >= 2


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_docs_show_what_they_claim(rule_id: str) -> None:
    doc = RuleDoc.parse(RULES[rule_id])
    assert {f.rule for f in lint(doc.anti_pattern.sql, EVERY_CONTEXT)} == {rule_id}
    assert lint(doc.best_practice.sql, EVERY_CONTEXT) == []


def _words(sql: str) -> str:
    return " ".join(sql.split())


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_doc_examples_are_fixture_cases(rule_id: str) -> None:
    doc = RuleDoc.parse(RULES[rule_id])
    cases = {(case.fails, _words(case.sql)) for case in CASES if case.rule == rule_id}
    assert (True, _words(doc.anti_pattern.sql)) in cases
    assert (False, _words(doc.best_practice.sql)) in cases


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_each_rule_lives_in_a_module_named_like_its_fixture(rule_id: str) -> None:
    assert RULES[rule_id].check.__module__ == f"sqldrills.lint.rules.{rule_id}"
    assert (FIXTURES / f"{rule_id}.toml").is_file()


def test_a_docstring_in_another_layout_is_refused() -> None:
    def check(query: object, context: LintContext) -> Iterator[Hit]:
        """Flags something.

        **Anti-pattern**::

            SELECT 1
        """
        yield from ()

    with pytest.raises(ValueError, match="SD999"):
        RuleDoc.parse(Rule("SD999", "no-best-practice", check))


def test_lint_page_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == lint_markdown(), "run `make docs` and commit"


def test_rule_ids_and_names_are_unique_and_stable_looking() -> None:
    assert all(re.fullmatch(r"SD\d{3}", rule_id) for rule_id in RULES)
    names = [rule.name for rule in RULES.values()]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in names)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "SD101.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_misspelled_case_key_fails_loudly(tmp_path: Path) -> None:
    path = _write(tmp_path, 'rule = "SD101"\n[case]\nfial = "SELECT 1"\n')
    with pytest.raises(ValueError, match="'fial'"):
        load_cases(path)


def test_a_misspelled_context_key_fails_loudly(tmp_path: Path) -> None:
    path = _write(tmp_path, 'rule = "SD101"\n[case]\ncontext = { grian = "account" }\npass = "x"\n')
    with pytest.raises(ValueError, match="grian"):
        load_cases(path)


@pytest.mark.parametrize(
    "text",
    [
        '[case]\npass = "SELECT 1"\n',  # no rule
        'rule = "SD999"\n[case]\npass = "SELECT 1"\n',
        'rule = "SD101"\n[case]\ncontext = { grain = "account" }\n',  # neither fail nor pass
        'rule = "all"\n[case]\nfail = "SELECT now()"\n',
        'rule = "SD101"\n[case]\npass = "SELECT 1"\nline = 1\n',
        'rule = "SD101"\nfail = "SELECT 1"\n',  # a case outside a table
    ],
)
def test_malformed_fixtures_fail_loudly(tmp_path: Path, text: str) -> None:
    with pytest.raises(ValueError):
        load_cases(_write(tmp_path, text))


@pytest.mark.parametrize(
    "data",
    [{"grain": "member"}, {"local_time": "yes"}, {"ratio_of_sums": 1}],
)
def test_context_rejects_bad_values(data: dict) -> None:
    with pytest.raises(ValueError):
        LintContext.from_mapping(data)


@pytest.mark.parametrize(
    "sql",
    ["", ";", "SELEC 1", "SELECT (", "SELECT 'unterminated", "SELECT * FROM events WHERE"],
)
def test_unparseable_sql_gives_no_findings(sql: str) -> None:
    assert lint(sql, EVERY_CONTEXT) == []


@pytest.mark.parametrize(
    "sql",
    [
        "PRAGMA version",
        "INSERT INTO accounts VALUES (1)",
        "DESCRIBE events",
        "PIVOT accounts ON plan USING COUNT(*)",
        "SELECT * FROM (VALUES (1), (NULL)) v(x) WHERE x NOT IN (SELECT NULL)",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
        "SELECT SUM(n) FROM r",
        "SELECT unnest([1, 2, 3]) AS x",
        "SELECT x FROM nowhere n LEFT JOIN elsewhere e ON e.id = n.id WHERE e.flag",
        "SELECT a FROM t1 JOIN t2 USING (id) WHERE ambiguous BETWEEN '2024-01-01' AND '2024-02-01'",
        "SELECT * FROM events e, LATERAL (SELECT e.account_id + 1 AS y) l",
    ],
)
def test_odd_statements_do_not_raise(sql: str) -> None:
    assert all(f.rule in RULES for f in lint(sql, EVERY_CONTEXT))


def test_every_statement_is_linted_and_findings_are_ordered_by_line() -> None:
    sql = "SELECT 1;\nSELECT COUNT(DISTINCT device_id) FROM devices;\nSELECT now();"
    findings = lint(sql, LintContext(grain="account"))
    assert [(f.rule, f.line) for f in findings] == [("SD101", 2), ("SD203", 3)]


def test_other_dialects_are_read_before_linting() -> None:
    findings = lint("SELECT COUNT(*) FROM accounts WHERE signup_ts_utc > GETDATE()", dialect="tsql")
    assert [f.rule for f in findings] == ["SD203"]
