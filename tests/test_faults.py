"""Fault injection (issue 6, item 3): killed, starved and doubled runs lose nothing.

Real processes, real signals, real limits:

* ``sqldrills takehome grade`` killed with SIGKILL (its whole process group: the CLI, the
  forkserver, the workers and their sandboxes) mid-batch: no report is left behind, and
  ``--resume`` grades exactly the answers that are not in the log, keeps the rest as they
  were (even after a torn last line) and writes complete reports;
* ``sqldrills generate --out X`` killed at several points, with and without ``--force``
  over an existing X, as DuckDB and as Parquet: X is absent or complete, never partial;
* a full disk for the report directory, simulated with ``RLIMIT_FSIZE`` (SIGXFSZ
  ignored, so writes fail with EFBIG as they would with ENOSPC) once while answers are
  being logged and once while reports are written: a clear one-line error, no report
  file that reads as valid but is not complete, and a later run completes;
* two ``takehome grade`` processes started at once on the same ``--out``: one finishes,
  the other stops with a clear message (or finishes too), nothing is graded twice and the
  reports are complete.

(The world cache's own kill test lives in tests/test_world.py.)
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from sqldrills.catalog.challenges import get
from sqldrills.takehome.commands import takehome
from sqldrills.takehome.results_log import RESULTS_LOG
from sqldrills.world.cache import content_hash
from sqldrills.world.schema import TABLES

EXE = Path(sys.executable).with_name("sqldrills")
TASKS = ["members_not_devices", "duplicate_events"]
REPORTS = ("results.csv", "results.json", "junit.xml", "index.html")
HOSTILE = ["SELECT * FROM read_csv('/etc/passwd')", "SELECT 1; DROP TABLE accounts"]
# Wide enough that the CLI's summary line is never wrapped.
ENV = {**os.environ, "COLUMNS": "250"}
SUMMARY = re.compile(r"(\d+) answer\(s\) graded now, (\d+) kept from the log")


# ---------------------------------------------------------------------------- helpers
def run_cli(*args: str | Path, fsize_limit: int | None = None,
            timeout: float = 180) -> subprocess.CompletedProcess:
    """Run ``sqldrills`` in a child process, optionally unable to grow any file past
    ``fsize_limit`` bytes (the simulated full disk)."""

    def starve() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_limit, fsize_limit))

    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, env=ENV,
                          timeout=timeout, preexec_fn=starve if fsize_limit else None)


def start_cli(*args: str | Path) -> subprocess.Popen:
    """Start ``sqldrills`` as the leader of its own process group (killed as a whole)."""
    return subprocess.Popen([str(EXE), *map(str, args)], env=ENV, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the process and everything it started (its process group), then reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen, timeout: float = 90) -> bool:
    """Poll ``condition`` until true; False if ``proc`` exited first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc.poll() is not None:
            return condition()
        time.sleep(0.01)
    raise AssertionError(f"timed out after {timeout}s")


def log_lines(out: Path) -> list[bytes]:
    path = out / RESULTS_LOG
    return path.read_bytes().split(b"\n") if path.exists() else []


def complete_records(out: Path) -> list[dict]:
    """The log's newline-terminated lines, each of which must be a JSON record."""
    *complete, _last = log_lines(out) or [b""]
    return [json.loads(line) for line in complete]


def leftovers(out: Path) -> list[str]:
    """Temporary files a write left behind (write_atomic removes its own on failure)."""
    return sorted(p.name for p in out.rglob("*.tmp"))


@dataclass
class Batch:
    manifest: Path
    submissions: Path
    expected: dict[tuple[str, str], tuple[str, str | None]]  # -> (verdict, pitfall)
    baseline: Path  # a complete, uninterrupted run's --out

    def grade(self, out: Path, *extra: str) -> tuple[str | Path, ...]:
        return ("takehome", "grade", self.manifest, self.submissions, "--out", out,
                "--workers", "2", *extra)


def check_log(out: Path, batch: Batch) -> list[dict]:
    """Every line is a record, every answer appears exactly once."""
    raw = (out / RESULTS_LOG).read_bytes()
    assert raw.endswith(b"\n")
    records = [json.loads(line) for line in raw.splitlines()]
    keys = [(r["candidate"], r["task"], r["answer_sha"]) for r in records]
    assert len(keys) == len(set(keys)), "an answer was graded twice"
    assert {(c, t) for c, t, _ in keys} == set(batch.expected)
    return records


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("html", "body", "table", "section"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("html", "body", "table", "section"):
            assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"


def check_report(path: Path, batch: Batch) -> None:
    """``path`` is a complete report of the whole batch (parses, every answer in it)."""
    candidates = {c for c, _ in batch.expected}
    text = path.read_text(encoding="utf-8")
    if path.name == "results.json":
        data = json.loads(text)
        got = {(c["candidate"], a["task"]): (a["verdict"], a["pitfall"])
               for c in data["candidates"] for a in c["answers"]}
        assert got == batch.expected
    elif path.name == "results.csv":
        rows = list(csv.DictReader(text.splitlines()))
        got = {(r["candidate"], r["task"]): (r["verdict"], r["pitfall"] or None) for r in rows}
        assert got == batch.expected
    elif path.name == "junit.xml":
        root = ET.fromstring(text)
        assert int(root.get("tests")) == len(batch.expected)
        assert {s.get("name") for s in root.iter("testsuite")} == candidates
    else:
        parser = _Html()
        parser.feed(text)
        parser.close()
        assert text.rstrip().endswith("</html>") and not parser.stack
        assert all(f">{c}</a>" in text for c in candidates)


def check_reports(out: Path, batch: Batch) -> None:
    for name in REPORTS:
        check_report(out / name, batch)
    assert leftovers(out) == []


def reports_absent_or_complete(out: Path, batch: Batch) -> list[str]:
    present = [name for name in REPORTS if (out / name).exists()]
    for name in present:
        check_report(out / name, batch)
    return present


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """A shared take-home, 6 candidates (references, traps, hostile answers) x 2 tasks,
    graded once without faults (which also fills the world and results caches)."""
    root = tmp_path_factory.mktemp("faults")
    bundle = root / "th"
    built = CliRunner().invoke(takehome, ["build", "--challenges", ",".join(TASKS), "--out",
                                          str(bundle), "--secret", "faults"],
                               catch_exceptions=False)
    assert built.exit_code == 0, built.output
    subs = root / "subs"
    expected = {}
    for k in range(6):
        candidate = f"cand{k}"
        (subs / candidate / "answers").mkdir(parents=True)
        for number, drill in enumerate(TASKS, start=1):
            challenge, task = get(drill), f"task_{number}"  # candidates see neutral task ids
            if k % 3 == 0:
                sql, outcome = challenge.reference, ("correct", None)
            elif k % 3 == 1:
                trap = challenge.traps[k % len(challenge.traps)]
                sql, outcome = trap.sql, ("misleading", trap.id)
            else:
                sql, outcome = HOSTILE[k % 2], ("error", None)
            (subs / candidate / "answers" / f"{task}.sql").write_text(sql)
            expected[(candidate, task)] = outcome
    batch = Batch(bundle / "manifest.json", subs, expected, root / "baseline")
    done = run_cli(*batch.grade(batch.baseline))
    assert done.returncode == 0, done.stderr
    check_reports(batch.baseline, batch)
    check_log(batch.baseline, batch)
    return batch


# ------------------------------------------------------------- (a) killed mid-batch
def test_sigkill_mid_batch_then_resume_regrades_nothing_twice(batch: Batch, tmp_path: Path) -> None:
    out = tmp_path / "report"
    total = len(batch.expected)
    proc = start_cli(*batch.grade(out))
    wait_for(lambda: len(log_lines(out)) > 3, proc)  # at least 3 answers logged
    kill_group(proc)
    assert proc.returncode == -signal.SIGKILL, "the batch ended before it could be killed"

    # Nothing writes after the kill (no orphaned worker), and no report exists yet.
    size = (out / RESULTS_LOG).stat().st_size
    time.sleep(0.5)
    assert (out / RESULTS_LOG).stat().st_size == size
    assert [name for name in REPORTS if (out / name).exists()] == []
    before = complete_records(out)
    assert 3 <= len(before) < total
    # A kill can also land in the middle of an append: tear the last line on purpose.
    with open(out / RESULTS_LOG, "ab") as handle:
        handle.write(json.dumps(before[0]).encode()[:57])

    resumed = run_cli(*batch.grade(out, "--resume"))
    assert resumed.returncode == 0, resumed.stderr
    graded_now, kept = map(int, SUMMARY.search(resumed.stdout).groups())
    assert (graded_now, kept) == (total - len(before), len(before))
    records = check_log(out, batch)
    assert records[:len(before)] == before, "answers graded before the kill were regraded"
    check_reports(out, batch)


# ------------------------------------------------------------- (b) killed generate
def duckdb_world_ok(path: Path, hashes: set[str]) -> bool:
    return content_hash(path) in hashes


def parquet_world_ok(folder: Path, reference: Path) -> bool:
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.parquet" for t in TABLES)
    con = duckdb.connect()
    try:
        ref = duckdb.connect(str(reference), read_only=True)
        try:
            for table in TABLES:
                parquet = str(folder / f"{table}.parquet").replace("'", "''")
                got = con.execute(f"SELECT count(*) FROM read_parquet('{parquet}')").fetchone()[0]
                assert got == ref.execute(f"SELECT count(*) FROM {table}").fetchone()[0], table
        finally:
            ref.close()
    finally:
        con.close()
    return True


def kill_generate(args: list[str | Path], marker: Callable[[], bool], delay: float) -> bool:
    """Start ``sqldrills generate``; SIGKILL it ``delay`` s after ``marker()`` holds.
    Returns whether it was still running when killed."""
    proc = start_cli("generate", *args)
    wait_for(marker, proc, timeout=60)
    time.sleep(delay)
    running = proc.poll() is None
    kill_group(proc)
    return running


def test_killed_generate_leaves_no_world_or_a_complete_one(tmp_path: Path) -> None:
    seed, other = 4242, 4243
    reference = tmp_path / "reference.duckdb"
    done = run_cli("generate", "--seed", seed, "--out", reference)
    assert done.returncode == 0, done.stderr
    new_hash = content_hash(reference)

    out = tmp_path / "w.duckdb"
    building = lambda: bool(list(tmp_path.glob(".w.duckdb.*.tmp")))  # noqa: E731
    killed = [kill_generate(["--seed", seed, "--out", out], building, delay)
              for delay in (0.0, 0.4)]
    assert any(killed), "every build finished before the kill"
    assert not out.exists() or duckdb_world_ok(out, {new_hash})

    # Regenerating over an existing world: the old one stays until the new one is complete.
    done = run_cli("generate", "--seed", other, "--out", out, "--force")
    assert done.returncode == 0, done.stderr
    old_hash = content_hash(out)
    assert kill_generate(["--seed", seed, "--out", out, "--force"], building, 0.2)
    assert duckdb_world_ok(out, {old_hash, new_hash})

    # Parquet: exported next to X, renamed into place when complete.
    folder = tmp_path / "parquet"
    exporting = lambda: (tmp_path / ".parquet.tmp").exists()  # noqa: E731
    kill_generate(["--seed", seed, "--format", "parquet", "--out", folder], exporting, 0.05)
    assert not folder.exists() or parquet_world_ok(folder, reference)

    # And a run that is left alone completes.
    done = run_cli("generate", "--seed", seed, "--out", out, "--force")
    assert done.returncode == 0 and duckdb_world_ok(out, {new_hash})
    done = run_cli("generate", "--seed", seed, "--format", "parquet", "--out", folder, "--force")
    assert done.returncode == 0 and parquet_world_ok(folder, reference)


class SimulatedKill(BaseException):
    pass


def test_parquet_force_never_leaves_half_a_folder(tmp_path: Path, monkeypatch) -> None:
    """Killed while the old Parquet folder is being deleted: X is old or new, never half."""
    from sqldrills.cli.commands import main

    folder = tmp_path / "parquet"
    assert CliRunner().invoke(main, ["generate", "--format", "parquet", "--out",
                                     str(folder)]).exit_code == 0
    real_rmtree = shutil.rmtree

    def rmtree_then_die(path, *args, **kwargs):
        files = sorted(Path(path).glob("*.parquet")) if Path(path).is_dir() else []
        if not files:
            return real_rmtree(path, *args, **kwargs)
        files[0].unlink()  # one file gone, then the process dies
        raise SimulatedKill

    monkeypatch.setattr(shutil, "rmtree", rmtree_then_die)
    with pytest.raises(SimulatedKill):
        CliRunner().invoke(main, ["generate", "--format", "parquet", "--out", str(folder),
                                  "--force"], catch_exceptions=False)
    monkeypatch.setattr(shutil, "rmtree", real_rmtree)
    from sqldrills.world.cache import practice_world, world_path

    assert not folder.exists() or parquet_world_ok(folder, world_path(practice_world()))


# --------------------------------------------------------------------- (c) full disk
def test_full_disk_while_logging_answers(batch: Batch, tmp_path: Path) -> None:
    out = tmp_path / "report"
    total = len(batch.expected)
    limit = (batch.baseline / RESULTS_LOG).stat().st_size // 3
    starved = run_cli(*batch.grade(out), fsize_limit=limit)
    assert starved.returncode == 1, starved.stderr  # not a usage error
    assert "Traceback" not in starved.stderr
    assert re.search(r"grading into .* stopped: File too large\. .*run again with --resume",
                     " ".join(starved.stderr.split()))
    assert [name for name in REPORTS if (out / name).exists()] == []
    assert leftovers(out) == []
    kept = complete_records(out)
    assert 0 < len(kept) < total
    assert (out / RESULTS_LOG).stat().st_size <= limit

    resumed = run_cli(*batch.grade(out, "--resume"))
    assert resumed.returncode == 0, resumed.stderr
    graded_now, kept_now = map(int, SUMMARY.search(resumed.stdout).groups())
    assert (graded_now, kept_now) == (total - len(kept), len(kept))
    assert check_log(out, batch)[:len(kept)] == kept
    check_reports(out, batch)


@pytest.mark.parametrize("previous", [False, True], ids=["fresh", "over_previous_reports"])
def test_full_disk_while_writing_reports(batch: Batch, tmp_path: Path, previous: bool) -> None:
    """The log fits, results.json does not: every report is absent, the previous one or a
    complete new one; never truncated."""
    out = tmp_path / "report"
    out.mkdir()
    shutil.copy(batch.baseline / RESULTS_LOG, out / RESULTS_LOG)
    if previous:
        for name in REPORTS:
            shutil.copy(batch.baseline / name, out / name)
    log_size = (out / RESULTS_LOG).stat().st_size
    json_size = (batch.baseline / "results.json").stat().st_size
    assert log_size < json_size
    starved = run_cli(*batch.grade(out, "--resume"), fsize_limit=(log_size + json_size) // 2)
    assert starved.returncode == 1, starved.stderr  # not a usage error
    assert "Traceback" not in starved.stderr and "File too large" in starved.stderr
    present = reports_absent_or_complete(out, batch)
    assert present == (list(REPORTS) if previous else ["results.csv"])
    assert leftovers(out) == []
    check_log(out, batch)

    again = run_cli(*batch.grade(out, "--resume"))
    assert again.returncode == 0, again.stderr
    assert SUMMARY.search(again.stdout).groups() == ("0", str(len(batch.expected)))
    check_reports(out, batch)


# ------------------------------------------------------- (d) two graders, one --out
def test_two_graders_on_the_same_report_directory(batch: Batch, tmp_path: Path) -> None:
    out = tmp_path / "report"
    procs = [start_cli(*batch.grade(out)) for _ in range(2)]
    outputs = [proc.communicate(timeout=180) for proc in procs]
    codes = sorted(proc.returncode for proc in procs)
    assert codes in ([0, 0], [0, 1]), outputs
    for proc, (_, stderr) in zip(procs, outputs, strict=True):
        if proc.returncode == 1:
            assert "another `sqldrills takehome grade` is writing into" in " ".join(stderr.split())
    check_log(out, batch)
    check_reports(out, batch)

    again = run_cli(*batch.grade(out, "--resume"))
    assert again.returncode == 0, again.stderr
    assert SUMMARY.search(again.stdout).groups() == ("0", str(len(batch.expected)))
    check_reports(out, batch)
