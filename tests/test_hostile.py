"""Every hostile answer in tests/hostile/cases.toml ends as expected and changes nothing.

One parametrized test runs each case through the sandbox (``run_user_sql``; ``run_query``
alone for ``parser_only`` cases, which layer 2, DuckDB's parser check, must refuse by
itself; and ``run_query`` with layer 2's tree check off for ``engine_only`` cases, which
the configuration must hold alone) with short limits, then checks the outcome and that
the world file, the directory around it, the working, temp and home directories are
exactly as before.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from sqldrills.grading import duckdbcheck
from sqldrills.grading.sandbox import Limits, QueryFailure, QueryResult, run_query, run_user_sql
from sqldrills.world.schema import TABLE_NAMES, create_table_sql

HOSTILE = Path(__file__).parent / "hostile"
LIMITS = Limits(timeout_s=1.0, kill_grace_s=1.0, memory_limit_mb=256, max_rows=1000)
REQUIRED = {"id", "sql", "expect", "note"}
OPTIONAL = {"message", "kinds", "rows", "dialect", "expand", "encoding", "engine_only", "parser_only"}


@dataclass(frozen=True)
class Case:
    id: str
    sql: str
    expect: str
    note: str
    message: str | None = None
    kinds: tuple[str, ...] = ()
    rows: tuple[tuple, ...] | None = None
    dialect: str = "duckdb"
    engine_only: bool = False
    parser_only: bool = False


def load_cases() -> list[Case]:
    """Read the corpus strictly: unknown or missing keys and bad values fail loudly."""
    raw = tomllib.loads((HOSTILE / "cases.toml").read_text(encoding="utf-8"))
    assert set(raw) == {"case"}, f"unexpected top-level keys: {set(raw) - {'case'}}"
    cases = []
    for entry in raw["case"]:
        where = entry.get("id", entry)
        assert set(entry) >= REQUIRED, f"{where}: missing {REQUIRED - set(entry)}"
        assert set(entry) <= REQUIRED | OPTIONAL, f"{where}: unknown {set(entry) - REQUIRED - OPTIONAL}"
        assert entry["expect"] in ("refused", "error", "ok"), f"{where}: bad expect"
        assert ("kinds" in entry) == (entry["expect"] == "error"), f"{where}: kinds <=> error"
        assert not (entry.get("engine_only") and entry.get("parser_only")), f"{where}: one layer at a time"
        cases.append(
            Case(
                id=entry["id"],
                sql=_answer_text(entry),
                expect=entry["expect"],
                note=entry["note"],
                message=entry.get("message"),
                kinds=tuple(entry.get("kinds", ())),
                rows=tuple(map(tuple, entry["rows"])) if "rows" in entry else None,
                dialect=entry.get("dialect", "duckdb"),
                engine_only=entry.get("engine_only", False),
                parser_only=entry.get("parser_only", False),
            )
        )
    return cases


def _answer_text(entry: dict) -> str:
    sql = entry["sql"]
    for name, (text, times) in entry.get("expand", {}).items():
        assert f"{{{name}}}" in sql, f"{entry['id']}: expand.{name} is not used in sql"
        sql = sql.replace(f"{{{name}}}", text * times)
    if "encoding" in entry:
        # What a learner's file saved in another encoding looks like once read as UTF-8.
        sql = sql.encode(entry["encoding"]).decode("utf-8", errors="surrogateescape")
    return sql


CASES = load_cases()


def test_the_corpus_is_large_and_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) >= 80
    assert len(set(ids)) == len(ids)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile-world") / "practice.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(";\n".join(create_table_sql(table) for table in sorted(TABLE_NAMES)))
        con.execute((HOSTILE / "world.sql").read_text(encoding="utf-8"))
    return path


@pytest.fixture
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Directories where a write would land: the working directory, the temp directory
    and the home directory (DuckDB keeps extensions and secrets under ~/.duckdb)."""
    cwd, tmp, home = (tmp_path / name for name in ("cwd", "tmp", "home"))
    for directory in (cwd, tmp, home):
        directory.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("HOME", str(home))
    return [cwd, tmp, home]


def snapshot(paths: list[Path]) -> dict[str, str]:
    """Every file below ``paths`` with its content hash (and every directory)."""
    state = {}
    for root in paths:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames:
                state[os.path.join(dirpath, name)] = "dir"
            for name in filenames:
                file = Path(dirpath) / name
                state[str(file)] = hashlib.sha256(file.read_bytes()).hexdigest()
    return state


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_answer(case: Case, world: Path, watched: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot([world.parent, *watched])
    if case.engine_only:
        # The child is forked from this process: it inherits the patch.
        monkeypatch.setattr(duckdbcheck, "refusal", lambda con, sql, world_tables: None)
    if case.engine_only or case.parser_only:
        outcome = run_query(case.sql, [world], limits=LIMITS)[0]
    else:
        outcome = run_user_sql(case.sql, [world], dialect=case.dialect, limits=LIMITS)[0]

    if case.expect == "ok":
        assert isinstance(outcome, QueryResult), outcome
        if case.rows is not None:
            assert outcome.rows == list(case.rows)
    else:
        assert isinstance(outcome, QueryFailure), outcome
        if case.expect == "refused":
            assert outcome.kind == "refused", outcome
        else:
            assert outcome.kind in case.kinds, outcome
        assert "Traceback" not in outcome.message
        if case.message is not None:
            assert case.message in outcome.message, outcome.message
    assert snapshot([world.parent, *watched]) == before


def test_the_grader_still_works_after_the_corpus(world: Path) -> None:
    outcome = run_user_sql("SELECT count(*) AS n FROM accounts", [world], limits=LIMITS)[0]
    assert isinstance(outcome, QueryResult)
    assert outcome.rows == [(3,)]
