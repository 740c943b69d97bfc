"""World checks, dbt style: each property a trap depends on is a SQL file that returns
the failing rows. Zero rows means the property holds.

Each file in ``datasets/checks/`` starts with ``-- property:`` (what must hold) and
``-- why:`` (which trap needs it) comment lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from sqldrills.paths import datasets_dir


@dataclass(frozen=True)
class WorldCheck:
    name: str
    property: str
    sql: str


@dataclass(frozen=True)
class CheckResult:
    check: WorldCheck
    failing_rows: list[tuple]

    @property
    def passed(self) -> bool:
        return not self.failing_rows


def load_checks(folder: Path | None = None) -> list[WorldCheck]:
    checks = []
    for path in sorted((folder or datasets_dir() / "checks").glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        header = [line[3:].strip() for line in text.splitlines() if line.startswith("-- ")]
        prop = next((h.split(":", 1)[1].strip() for h in header if h.startswith("property:")), "")
        if not prop:
            raise ValueError(f"{path}: missing '-- property:' header line")
        checks.append(WorldCheck(path.stem, prop, text))
    return checks


def run_checks(db_path: Path, checks: list[WorldCheck] | None = None) -> list[CheckResult]:
    """Run every world check on the world at ``db_path`` (read-only)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        return [
            CheckResult(check, con.execute(check.sql).fetchmany(5))
            for check in (checks if checks is not None else load_checks())
        ]
    finally:
        con.close()
