"""Interview mode: the engine (choice of drills, clock, clarifications, state) and the
command in a real pseudo-terminal (timer shown, verdicts held until submit, scorecard,
pause and resume, time running out)."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import select
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sqldrills.catalog.challenges import get, load_all
from sqldrills.cli import interview_state as state
from sqldrills.cli.commands import main

FIRST, SECOND = "members_not_devices", "duplicate_events"
# `interview` is registered in commands.py by its owner; here it is added for the child.
LAUNCH = ("import sys; from sqldrills.cli.commands import main; from sqldrills.cli.interview import interview; "
          "main.add_command(interview); main(sys.argv[1:], prog_name='sqldrills')")


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQLDRILLS_DATA_DIR", str(tmp_path / "data"))


class Terminal:
    """``sqldrills ARGS`` in a pseudo-terminal: keys in, output read until a marker."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(cwd)
            os.execv(sys.executable, [sys.executable, "-c", LAUNCH, *args])
        self.output = b""

    def read_until(self, marker: bytes, timeout: float = 90) -> None:
        deadline = time.time() + timeout
        while marker not in self.output and time.time() < deadline:
            self.read_for(0.2)
        assert marker in self.output, self.output.decode(errors="replace")[-3000:]

    def read_for(self, seconds: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if ready:
            with contextlib.suppress(OSError):  # the child has ended
                self.output += os.read(self.fd, 65536)

    def press(self, key: str) -> None:
        os.write(self.fd, key.encode())

    def exit_code(self) -> int:
        while True:  # drain, so the child never blocks on a full terminal
            self.read_for(0.2)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)


def test_unsolved_drills_come_first() -> None:
    catalog = load_all()
    solved = [catalog[0].id]
    picked = state.choose_drills(catalog, solved)
    assert len(picked) == state.DEFAULT_TASKS and catalog[0].id not in picked
    assert state.choose_drills(catalog, [FIRST], ids=[FIRST, SECOND]) == [SECOND, FIRST]
    track = catalog[0].track
    assert all(get(d).track == track for d in state.choose_drills(catalog, [], track=track))


def test_the_clock_clarifications_and_state_survive_a_restart(tmp_path: Path) -> None:
    interview = state.start([FIRST, SECOND], 1, tmp_path, "duckdb", "tiny")
    interview.tick(20)
    assert interview.remaining_s == 40
    challenge = get(FIRST)
    asked = [interview.clarify(challenge) for _ in range(len(challenge.clarifications) + 1)]
    assert asked[-1] is None and interview.task.clarifications == len(challenge.clarifications)
    assert interview.next_task() and interview.task.drill == SECOND
    interview.submit(get(SECOND), None, 10)
    assert interview.task.verdict == state.SKIPPED
    assert not interview.next_task() or interview.task.drill == FIRST
    state.save(interview)
    assert state.paused() == interview
    interview.tick(60)
    assert interview.finished and interview.remaining_s == 0


def test_interview_in_a_terminal_holds_verdicts_pauses_resumes_and_scores(tmp_path: Path) -> None:
    answers = tmp_path / "answers" / "interview"
    term = Terminal(tmp_path, "interview", "--drills", f"{FIRST},{SECOND}", "--minutes", "30")
    term.read_until(b"left")  # the clock
    (answers / f"{FIRST}.sql").write_text(get(FIRST).reference)
    term.press("p")
    term.read_until(b"Your first rows")
    term.read_for(1.0)
    assert b"CORRECT" not in term.output, "no verdict before the task is submitted"
    term.press("s")
    term.read_until(b"Submitted " + FIRST.encode() + b": CORRECT")
    term.read_until(b"Task 2/2")
    term.press("q")
    term.read_until(b"Paused")
    assert term.exit_code() == 0
    assert state.paused() is not None

    again = Terminal(tmp_path, "interview")
    again.read_until(b"Resuming")
    again.read_until(b"left |")  # keys are read once the clock runs
    again.press("s")  # the second task's starter file, untouched
    again.read_until(b"Scorecard")
    assert again.exit_code() == 0
    assert state.paused() is None
    rows = json.loads(CliRunner().invoke(main, ["progress", "--interviews", "--json"]).output)
    assert [(r["task"], r["verdict"]) for r in rows] == [(FIRST, "correct"), (SECOND, state.SKIPPED)]


def test_when_time_runs_out_every_open_task_is_submitted(tmp_path: Path) -> None:
    term = Terminal(tmp_path, "interview", "--drills", FIRST, "--minutes", "0.05")
    term.read_until(b"Time is up")
    term.read_until(b"Scorecard")
    assert term.exit_code() == 0
    assert [t["verdict"] for t in state.history()[-1]["tasks"]] == [state.SKIPPED]
