"""The command line, through click's CliRunner (and a real subprocess where a terminal matters)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from sqldrills.catalog.challenges import get
from sqldrills.cli.commands import main

DRILL = "members_not_devices"


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_check_exit_codes_and_json_shape(tmp_path: Path) -> None:
    right = tmp_path / "right.sql"
    right.write_text(get(DRILL).reference)
    result = invoke("check", DRILL, str(right), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in ("challenge", "verdict", "pitfall", "message", "worlds", "warnings", "elapsed_ms"):
        assert key in data
    assert data["verdict"] == "correct" and data["pitfall"] is None
    assert len(data["worlds"]) >= 3 and all(w["match"] for w in data["worlds"])

    trap = get(DRILL).trap("count_devices")
    result = invoke("check", DRILL, "-", "--json", input=trap.sql)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert (data["verdict"], data["pitfall"]) == ("misleading", "count_devices")
    assert any(w["rule"] for w in data["warnings"]), "lint should flag the device grain"


def test_check_text_output_names_the_pitfall() -> None:
    trap = get("duplicate_events").trap("no_dedup")
    result = invoke("check", "duplicate_events", "-", input=trap.sql)
    assert result.exit_code == 1
    assert "MISLEADING" in result.output
    assert trap.name in result.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke("check", "no_such_drill", "-", input="select 1").exit_code == 2
    assert invoke("check", DRILL, str(tmp_path / "missing.sql")).exit_code == 2
    assert invoke("show", "nope").exit_code == 2


def test_error_verdict_for_a_parse_error() -> None:
    result = invoke("check", DRILL, "-", "--json", input="SELEC day FROM")
    assert result.exit_code == 1
    assert json.loads(result.output)["verdict"] == "error"


def test_list_show_hint_solution_progress_reset() -> None:
    listed = invoke("list", "--json")
    ids = [row["id"] for row in json.loads(listed.output)]
    assert {"members_not_devices", "duplicate_events", "cohort_leakage"} <= set(ids)
    assert "`cohort_week`" in get("cohort_leakage").prompt
    assert "cohort_week" in invoke("show", "cohort_leakage").output

    invoke("reset", "cohort_leakage", "--yes")
    first = invoke("hint", "cohort_leakage").output
    second = invoke("hint", "cohort_leakage").output
    assert first.startswith("Hint 1/") and second.startswith("Hint 2/")

    refused = invoke("solution", "cohort_leakage")
    assert refused.exit_code == 2 and "--force" in refused.output
    assert "retained" in invoke("solution", "cohort_leakage", "--force").output

    invoke("check", "cohort_leakage", "-", input=get("cohort_leakage").reference)
    status = {r["id"]: r["status"] for r in json.loads(invoke("progress", "--json").output)}
    assert status["cohort_leakage"] == "solved"
    assert invoke("solution", "cohort_leakage").exit_code == 0
    invoke("reset", "cohort_leakage", "--yes")
    status = {r["id"]: r["status"] for r in json.loads(invoke("progress", "--json").output)}
    assert status["cohort_leakage"] == "new"


def test_run_without_a_terminal_grades_once(tmp_path: Path) -> None:
    answers = tmp_path / "answers"
    result = invoke("run", DRILL, "--answers-dir", str(answers))
    assert (answers / f"{DRILL}.sql").exists(), "run creates the answer file"
    assert result.exit_code == 1  # the template is not an answer yet
    (answers / f"{DRILL}.sql").write_text(get(DRILL).reference)
    assert invoke("run", DRILL, "--answers-dir", str(answers)).exit_code == 0


def test_run_in_a_terminal_regrades_on_save_and_quits_on_q(tmp_path: Path) -> None:
    import pty
    import select
    import time

    answer = tmp_path / "answers" / f"{DRILL}.sql"
    pid, fd = pty.fork()
    if pid == 0:  # the child: sqldrills in a pseudo-terminal
        os.chdir(tmp_path)
        os.execv(sys.executable, [sys.executable, "-m", "sqldrills.cli", "run", DRILL])
    output = b""

    def read_until(marker: bytes, timeout: float = 60, since: int = 0) -> None:
        nonlocal output
        deadline = time.time() + timeout
        while marker not in output[since:] and time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    output += os.read(fd, 65536)
                except OSError:
                    break
        assert marker in output[since:], output.decode(errors="replace")[-2000:]

    read_until(b"Watching")
    # The untouched starter file is not graded: the learner is told what to do.
    assert b"Write your query in" in output and b"ERROR" not in output
    assert b"Parser Error" not in output
    before = len(output)
    os.write(fd, b"p")  # the prompt again
    read_until(b"Tables involved", timeout=10, since=before)
    answer.write_text(get(DRILL).reference)
    read_until(b"CORRECT")
    assert b"saved" in output, "each verdict comes under a rule saying why it was graded"
    os.write(fd, b"v")
    read_until(b"Your first rows")
    assert output.count(b"CORRECT") == 1, "a preview is not a verdict"
    for _ in get(DRILL).hints:
        os.write(fd, b"h")
    read_until(f"Hint {len(get(DRILL).hints)}/".encode())
    os.write(fd, b"h")
    read_until(b"No more hints")
    os.write(fd, b"q")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_query_outputs(practice_db: Path) -> None:
    sql = "select device_type, count(*) as n from devices group by 1 order by 1"
    as_json = json.loads(invoke("query", sql, "--json").output)
    con = duckdb.connect(str(practice_db), read_only=True)
    expected = con.execute(sql).fetchall()
    con.close()
    assert [(r["device_type"], r["n"]) for r in as_json] == expected
    rows = list(csv.reader(io.StringIO(invoke("query", sql, "--csv").output)))
    assert rows[0] == ["device_type", "n"] and len(rows) == len(expected) + 1
    refused = invoke("query", "drop table events")
    assert refused.exit_code == 1 and "efused" in refused.output


def test_schema_lists_every_table_and_examples() -> None:
    out = invoke("schema").output
    for table in ("accounts", "events", "dataset_info"):
        assert table in out
    assert "received_ts_utc" in invoke("schema", "events").output
    assert invoke("schema", "nope").exit_code == 2


def test_generate_duckdb_and_parquet(tmp_path: Path, practice_db: Path) -> None:
    out = tmp_path / "world.duckdb"
    result = invoke("generate", "--seed", "7", "--scale", "tiny", "--out", str(out))
    assert result.exit_code == 0, result.output
    from sqldrills.world.cache import content_hash

    assert content_hash(out) == content_hash(practice_db)
    assert invoke("generate", "--scale", "tiny", "--out", str(out)).exit_code == 2  # exists
    folder = tmp_path / "parquet"
    assert invoke("generate", "--scale", "tiny", "--format", "parquet",
                  "--out", str(folder)).exit_code == 0
    n = duckdb.sql(f"select count(*) from '{folder / 'events.parquet'}'").fetchall()[0][0]
    m = duckdb.connect(str(practice_db), read_only=True).execute(
        "select count(*) from events").fetchone()[0]
    assert n == m


def test_installed_entry_point_works_from_any_directory(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("sqldrills")
    result = subprocess.run([str(exe), "list", "--json"], cwd=tmp_path, capture_output=True,
                            text=True, check=True)
    assert "cohort_leakage" in result.stdout


HOSTILE_TEXT = "chr(27) || ']0;owned' || chr(7) || '[bold]x' || chr(27) || '[2J' || chr(8238)"


def test_query_results_reach_the_terminal_without_control_sequences() -> None:
    result = invoke("query", f"SELECT {HOSTILE_TEXT} AS \"[red]col\"")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\u202e" not in result.output
    assert "[bold]x" in result.output and "[red]col" in result.output  # markup shown as is
    # Machine formats keep the value exactly (JSON escapes it).
    data = json.loads(invoke("query", f"SELECT {HOSTILE_TEXT} AS t", "--json").output)
    assert data == [{"t": "\x1b]0;owned\x07[bold]x\x1b[2J\u202e"}]


def test_check_messages_reach_the_terminal_without_control_sequences() -> None:
    answer = f"SELECT CAST({HOSTILE_TEXT} AS INTEGER) AS day, 1 AS viewers"
    result = invoke("check", DRILL, "-", input=answer)
    assert result.exit_code == 1
    assert "ERROR" in result.output and "[bold]x" in result.output  # the OSC title is gone
    assert "\x1b" not in result.output and "\x07" not in result.output


def test_safe_text_strips_what_a_terminal_acts_on() -> None:
    from sqldrills.cli.render import safe_text

    hostile = ("\x1b]52;c;ZXZpbA==\x07\x1bc\x1b[H\x1bP1$q\x1b\\\x9d0;t\x9c\x90x\x9c"
               "a\rb\x08\x7f\u202a\u2066\ud800ok\n\tend")
    assert safe_text(hostile) == "abok\n\tend"
    assert safe_text(safe_text(hostile)) == safe_text(hostile)


def test_a_misspelled_drill_gets_the_closest_ids_not_the_whole_list() -> None:
    result = invoke("show", "membrs_not_devices")
    assert result.exit_code == 2
    assert "Did you mean 'members_not_devices'?" in result.output
    assert "cohort_leakage" not in result.output


def test_a_query_error_is_said_once_in_learner_words() -> None:
    answer = "SELECT day,\n       viewr\nFROM events"
    result = invoke("check", DRILL, "-", input=answer)
    assert result.exit_code == 1
    assert result.output.count("does not exist") == 1, result.output
    assert "Binder Error" not in result.output and "column `day` does not exist" in result.output
    data = json.loads(invoke("check", DRILL, "-", "--json", input=answer).output)
    assert data["message"].startswith("Your query did not run: column `day` does not exist")


def test_the_error_points_at_the_line_and_column_of_the_name() -> None:
    from sqldrills.grading.explain import error_message
    from sqldrills.grading.sandbox import QueryFailure

    failure = QueryFailure("runtime", 'Binder Error: Referenced column "viewr" not found in FROM clause! '
                                      'Candidate bindings: "viewers"')
    sql = "-- viewr in a comment\nSELECT day,\n       viewr\nFROM events"
    assert error_message(failure, [], sql) == ("Your query did not run: column `viewr` does not exist in "
                                               "`events`; did you mean `viewers`? (line 3, column 8)")


def test_numbers_are_right_aligned_and_rounded_on_screen_only() -> None:
    sql = "SELECT 1.0/3 AS ratio, 12345 AS n, 'a' AS label"
    shown = invoke("query", sql).output
    assert "0.3333" in shown and "0.33333" not in shown
    assert json.loads(invoke("query", sql, "--json").output)[0]["ratio"] == pytest.approx(1 / 3, rel=1e-15)
    from sqldrills.cli.render import rows_table

    table = rows_table(["ratio", "n", "label"], [(1 / 3, 12345, "a"), (None, 7, "b")])
    assert [c.justify for c in table.columns] == ["right", "right", "left"]


def test_the_shell_keeps_a_history_across_sessions(tmp_path: Path) -> None:
    import pty
    import select

    env = {**os.environ, "SQLDRILLS_DATA_DIR": str(tmp_path)}
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-m", "sqldrills.cli", "shell"], env)
    output = b""
    for line in (b"select 42 as answer;\n", b".quit\n"):
        while b"sqldrills> " not in output.rsplit(b"\n", 1)[-1]:
            ready, _, _ = select.select([fd], [], [], 60)
            assert ready, output
            output += os.read(fd, 65536)
        os.write(fd, line)
        output = b""
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert "select 42 as answer;" in (tmp_path / "shell_history").read_text()


def test_every_command_is_listed_and_loads() -> None:
    """Commands are imported on first use: each one named in --help must load and answer --help."""
    from sqldrills.cli.commands import COMMANDS

    listed = invoke("--help").output
    for name in COMMANDS:
        assert f"  {name} " in listed
        result = invoke(name, "--help")
        assert result.exit_code == 0 and "Usage: " in result.output and name in result.output, name
    assert invoke("no-such-command").exit_code == 2
