"""What every lint rule is written against: the challenge's ``LintContext``, the ``Hit`` a
rule yields and the ``Rule`` record.

Apart from ``sqldrills.lint`` (which re-exports it) so that the rule modules can import it
while the package imports the rules, without a cycle.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

from sqlglot import exp

from sqldrills.lint.analysis import Query
from sqldrills.strictkeys import check_keys

GRAINS = ("account", "profile", "device", "session")


@dataclass(frozen=True)
class LintContext:
    """What the challenge asks, so that rules can tell a wrong unit from a right one."""

    grain: str | None = None  # the unit the question counts: one of GRAINS
    local_time: bool = False  # the challenge asks for member-local days or hours
    ratio_of_sums: bool = False  # the challenge asks for a ratio of sums

    def __post_init__(self) -> None:
        if self.grain is not None and self.grain not in GRAINS:
            raise ValueError(f"grain must be one of {', '.join(GRAINS)}, not {self.grain!r}")
        for name in ("local_time", "ratio_of_sums"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> LintContext:
        """Build a context from a challenge's ``[lint]`` table; unknown keys are errors.

        >>> LintContext.from_mapping({"grain": "account"})
        LintContext(grain='account', local_time=False, ratio_of_sums=False)
        >>> LintContext.from_mapping({"grian": "account"})
        Traceback (most recent call last):
        ValueError: lint context: unknown key(s) grian (known: grain, local_time, ratio_of_sums)
        """
        data = dict(data or {})
        check_keys(data, optional=[f.name for f in fields(cls)], where="lint context")
        return cls(**data)


Hit = tuple[exp.Expression, str]  # the node a rule points at, and its message


@dataclass(frozen=True)
class Rule:
    id: str  # stable, e.g. "SD101": the rule's module and fixture are named after it
    name: str  # short kebab-case name, e.g. "distinct-finer-grain"
    check: Callable[[Query, LintContext], Iterator[Hit]]

    @property
    def doc(self) -> str:
        """The rule's documentation: its function's docstring."""
        return inspect.getdoc(self.check) or ""
