"""Generate ``docs/lint.md`` from the rules' docstrings (``make docs``).

A rule's docstring is its documentation, in one layout: a one-line summary, prose on what
it flags and why the numbers mislead, then an ``**Anti-pattern**`` and a ``**Best practice**``
literal block of SQL (reStructuredText ``::`` blocks, as in sqlfluff). ``RuleDoc.parse``
reads that layout strictly, for this page and for the test that runs the examples; the
test suite regenerates the page and compares, so it cannot go stale.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from sqldrills.lint import RULES, Rule

_BLOCK = r"((?:(?: {4}[^\n]*)?\n)+)"  # indented lines, and the blank lines between them
_LAYOUT = re.compile(
    r"([^\n]+)\n\n(.+?)\n\n"
    rf"\*\*Anti-pattern\*\*([^\n]*)::\n\n{_BLOCK}"
    rf"\*\*Best practice\*\*([^\n]*)::\n\n{_BLOCK}",
    re.DOTALL,
)


@dataclass(frozen=True)
class Example:
    note: str  # what the heading adds, e.g. " (the question counts accounts)", or ""
    sql: str


@dataclass(frozen=True)
class RuleDoc:
    summary: str  # what the rule flags, one line
    details: str  # why it misleads, and when the rule stays silent
    anti_pattern: Example
    best_practice: Example

    @classmethod
    def parse(cls, rule: Rule) -> RuleDoc:
        """Split a rule's docstring; a docstring in any other layout is an error."""
        match = _LAYOUT.fullmatch(rule.doc + "\n")
        if match is None:
            raise ValueError(
                f"{rule.id}: the docstring needs a summary line, prose, then "
                "'**Anti-pattern**...::' and '**Best practice**...::' with indented SQL"
            )
        summary, details, anti_note, anti_sql, best_note, best_sql = match.groups()
        return cls(
            summary,
            details,
            Example(anti_note, textwrap.dedent(anti_sql).strip()),
            Example(best_note, textwrap.dedent(best_sql).strip()),
        )


def lint_markdown() -> str:
    docs = [(rule, RuleDoc.parse(rule)) for rule in RULES.values()]
    lines = [
        "# Lint rules",
        "",
        "Generated from the rule docstrings in `sqldrills/lint/rules/` by `make docs`; do not edit by hand.",
        "Warnings appear beside the verdict and never change it; a rule stays silent unless the",
        "risky shape is plainly there. Test cases: `tests/lint_fixtures/<rule>.toml`.",
        "",
        "| rule | name | flags |",
        "|---|---|---|",
    ]
    for rule, doc in docs:
        summary = doc.summary.replace("|", "\\|")
        lines.append(f"| {rule.id} | `{rule.name}` | {summary} |")
    for rule, doc in docs:
        lines += ["", f"## {rule.id} `{rule.name}`", "", doc.summary, "", doc.details]
        for heading, example in (("Anti-pattern", doc.anti_pattern), ("Best practice", doc.best_practice)):
            lines += ["", f"**{heading}**{example.note}:", "", "```sql", example.sql, "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(lint_markdown(), end="")
