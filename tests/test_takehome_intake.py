"""Intake under attack: what a submissions folder can hold to hang, flood, crash or fool the
grader, on real files (FIFOs, symbolic links, deep trees, names that are not UTF-8,
colliding names, long near-identical answers, terminal control sequences).

The first tests read folders in-process (no world needed); the last ones grade one hostile
folder end to end and check that every candidate is in every report.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sqldrills.catalog.challenges import get
from sqldrills.takehome import intake
from sqldrills.takehome.commands import takehome
from sqldrills.takehome.integrity import MAX_COMPARED_TOKENS, compare_answers, integrity_flags
from sqldrills.takehome.manifest import BundleEntry, Manifest, TaskEntry, load_manifest
from sqldrills.takehome.records import AnswerRecord, FlagKind, Outcome
from sqldrills.takehome.scoring import unique_file_names

DRILL, OTHER_DRILL = "members_not_devices", "duplicate_events"
TASK, OTHER = "task_1", "task_2"  # the neutral ids candidates see for them


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """A test that would block on a pipe fails after 60 s instead of hanging the suite."""
    def hung(*_: object) -> None:
        raise TimeoutError("intake blocked")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def manifest(*candidates: str) -> Manifest:
    tasks = [TaskEntry.of(1, get(DRILL)), TaskEntry.of(2, get(OTHER_DRILL))]
    return Manifest("0", "now", "tiny", shared=not candidates, secret="s", challenges=tasks,
                    candidates=[BundleEntry(c, 10_000 + i, c, f"{c}.zip")
                                for i, c in enumerate(candidates or ["takehome"])])


def answer(folder: Path, task: str = TASK, sql: str = "SELECT 1 AS day, 2 AS viewers") -> Path:
    (folder / "answers").mkdir(parents=True, exist_ok=True)
    path = folder / "answers" / f"{task}.sql"
    path.write_text(sql)
    return path


@pytest.fixture
def make_deep() -> Iterator[Callable[[Path, int], Path]]:
    """Makes ``top/d/d/.../d`` trees ``levels`` deep (os.makedirs recurses: it cannot), and
    removes them afterwards from the bottom up: pytest's own clean-up of old temporary
    folders recurses too, and would fail on them in a later session."""
    made: list[list[str]] = []

    def make(top: Path, levels: int) -> Path:
        chain = [str(top)]
        os.makedirs(chain[0], exist_ok=True)
        for _ in range(levels):
            chain.append(os.path.join(chain[-1], "d"))
            os.mkdir(chain[-1])
        made.append(chain)
        return Path(chain[-1])

    yield make
    for chain in made:
        for path in reversed(chain[1:]):
            shutil.rmtree(path)


def reasons(result: intake.Intake, candidate: str) -> dict[str, str | None]:
    return {job.task: job.reason for job in result.jobs if job.candidate == candidate}


# ------------------------------------------------------------ only regular files are read
def test_fifos_as_answers_and_manifests_are_refused_at_once(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    (subs / "piped" / "answers").mkdir(parents=True)
    os.mkfifo(subs / "piped" / "answers" / f"{TASK}.sql")
    os.mkfifo(subs / "piped" / "manifest.json")
    answer(subs / "piped" / "deeper", OTHER)
    os.mkfifo(subs / "pipe.zip")
    started = time.monotonic()
    result = intake.collect_jobs(manifest(), tmp_path, subs)
    assert time.monotonic() - started < 10
    got = reasons(result, "piped")
    assert got[TASK] == f"answers/{TASK}.sql is not read: a named pipe (FIFO)"
    assert got[OTHER] is None  # the regular answer deeper down is still found
    assert "skipped manifest.json: a named pipe (FIFO)" in result.notes["piped"]
    assert "skipped pipe.zip: a named pipe (FIFO)" in result.folder_notes


def test_a_fifo_grading_manifest_is_a_usage_error_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "manifest.json")
    (tmp_path / "subs").mkdir()
    with pytest.raises(ValueError, match="named pipe"):
        load_manifest(tmp_path / "manifest.json")
    result = CliRunner().invoke(takehome, ["grade", str(tmp_path / "manifest.json"),
                                           str(tmp_path / "subs"), "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "named pipe" in result.output


def test_links_to_devices_are_never_followed(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    (subs / "linked" / "answers").mkdir(parents=True)
    (subs / "linked" / "manifest.json").symlink_to("/dev/zero")
    (subs / "linked" / "answers" / f"{TASK}.sql").symlink_to("/dev/zero")
    (subs / "linked" / "answers" / f"{OTHER}.sql").symlink_to("/dev/urandom")
    (subs / "dir_link").symlink_to("/dev")
    result = intake.collect_jobs(manifest(), tmp_path, subs)
    got = reasons(result, "linked")
    assert got == {TASK: f"answers/{TASK}.sql is not read: a symbolic link",
                   OTHER: f"answers/{OTHER}.sql is not read: a symbolic link"}
    assert "skipped manifest.json: a symbolic link" in result.notes["linked"]
    assert "skipped dir_link: a symbolic link" in result.folder_notes


def test_open_regular_refuses_what_lstat_did_not_see(tmp_path: Path, monkeypatch) -> None:
    """A FIFO swapped in between lstat and open is caught by fstat, without blocking."""
    os.mkfifo(tmp_path / "swapped")
    real_lstat = os.lstat
    monkeypatch.setattr(os, "lstat", lambda p: real_lstat(__file__))
    with pytest.raises(intake.Unreadable, match="named pipe"):
        intake.read_regular(tmp_path / "swapped", 10)


# ------------------------------------------------------------------- bounded walks
def test_a_tree_1100_deep_is_cut_with_a_note(tmp_path: Path, make_deep) -> None:
    subs = tmp_path / "subs"
    answer(subs / "deep", TASK)
    answer(make_deep(subs / "deep", 1100), OTHER)
    result = intake.collect_jobs(manifest(), tmp_path, subs)
    got = reasons(result, "deep")
    assert got[TASK] is None
    assert got[OTHER] == f"no answers/{OTHER}.sql in the submission"
    assert any(f"folders nested deeper than {intake.MAX_DEPTH} levels" in n
               for n in result.notes["deep"])


def test_a_folder_with_too_many_files_is_cut_with_a_note(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(intake, "MAX_FILES", 50)
    subs = tmp_path / "subs"
    (subs / "many" / "aaa").mkdir(parents=True)
    for i in range(60):
        (subs / "many" / "aaa" / f"f{i}").write_text("x")
    answer(subs / "many" / "zzz", TASK)  # looked at after the 50 entries: not found
    result = intake.collect_jobs(manifest(), tmp_path, subs)
    assert "stopped looking after 50 files and folders (the limit per submission)" in \
        result.notes["many"]
    assert reasons(result, "many")[TASK] == f"no answers/{TASK}.sql in the submission"


# ----------------------------------------------------------- names of any bytes
def test_names_that_are_not_utf8_are_escaped_everywhere(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    root = os.fsencode(subs)
    os.makedirs(root + b"/caf\xe9\xff/answers")
    with open(root + b"/caf\xe9\xff/answers/" + TASK.encode() + b".sql", "wb") as handle:
        handle.write(b"SELECT 1 AS day, 2 AS viewers")
    os.mkdir(root + b"/caf\xe9\xff/answers/\xfe\x1b]0;x\x07")
    with open(root + b"/stray\xff.txt", "wb") as handle:
        handle.write(b"x")
    result = intake.collect_jobs(manifest(), tmp_path, subs)
    assert [j.candidate for j in result.jobs][0] == "caf\\xe9\\xff"
    assert reasons(result, "caf\\xe9\\xff")[TASK] is None
    assert "skipped stray\\xff.txt: neither a folder nor a .zip" in result.folder_notes
    json.dumps([result.notes, result.folder_notes], ensure_ascii=False).encode("utf-8")


# ----------------------------------------------------------------------- identity
def test_identity_is_the_folder_name_never_a_manifest_inside(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    answer(subs / "aaa", TASK, "SELECT 'impostor'")
    (subs / "aaa" / "manifest.json").write_text(json.dumps({"candidate": "bob"}))
    answer(subs / "bob", TASK, "SELECT 'bob'")
    (subs / "bob" / "manifest.json").write_text(json.dumps({"candidate": "bob"}))
    result = intake.collect_jobs(manifest("ada", "bob"), tmp_path, subs)
    sql = {(j.candidate, j.task): j.sql for j in result.jobs}
    assert sql[("bob", TASK)] == "SELECT 'bob'"  # the real candidate is graded
    assert sql[("aaa", TASK)] == "SELECT 'impostor'"  # the impostor as itself
    assert [(f.kind, f.candidate) for f in result.flags] == [(FlagKind.FOREIGN_MANIFEST, "aaa")]
    assert "names the candidate bob" in result.flags[0].detail
    assert "not a candidate of this take-home" in result.notes["aaa"][0]


# --------------------------------------------------------------- unique output names
def test_output_names_never_collide() -> None:
    names, notes = unique_file_names(["ann lee", "ann_lee", "ANN_LEE", "ann/lee", "x\\xff"])
    assert len({n.casefold() for n in names.values()}) == 5
    assert names["ann_lee"] == "ann_lee" and names["x\\xff"] == "x_xff"
    assert len(notes) == 3 and all("is taken by" in n for n in notes)
    assert unique_file_names(["ann lee", "ann_lee", "ANN_LEE", "ann/lee"])[0] == \
        unique_file_names(["ann lee", "ann_lee", "ANN_LEE", "ann/lee"])[0]


# -------------------------------------------------------------------------- similarity
def test_long_near_identical_answers_are_not_compared_and_say_so() -> None:
    body = " UNION ALL ".join(f"SELECT {i} AS day, count(*) AS viewers FROM accounts"
                              for i in range(400))[:20_000]
    records = {(c, TASK): AnswerRecord(c, TASK, c, Outcome.MISLEADING, answer=body + tail)
               for c, tail in (("a", ""), ("b", " -- b"), ("c", " UNION ALL SELECT 1, 2"))}
    started = time.monotonic()
    flags = integrity_flags(records, ["a", "b", "c"], [TASK])
    assert time.monotonic() - started < 10
    similar = {(f.candidate, f.other) for f in flags if f.kind == FlagKind.SIMILAR}
    assert similar == {("a", "b")}  # the same tokens (a comment differs) are still found
    skipped = [f for f in flags if f.kind == FlagKind.NOT_COMPARED]
    assert {(f.candidate, f.other) for f in skipped} == {("a", "c"), ("b", "c")}
    assert all(f.detail.startswith("not compared: too long") for f in skipped)


def test_similarity_time_budget_is_reported_per_pair() -> None:
    answers = {"a": "SELECT 1 AS x", "b": "SELECT 1 AS x, 2 AS y", "c": "select 1  as x"}
    result = compare_answers(answers, threshold=0.1, deadline=time.monotonic() - 1)
    assert result.pairs == [("a", "c", 1.0)]  # the same tokens still found
    assert [(a, b) for a, b, _ in result.not_compared] == [("a", "b"), ("b", "c")]
    assert all(why.startswith("not compared: time budget") for *_, why in result.not_compared)
    assert MAX_COMPARED_TOKENS >= 500  # real answers are far shorter


# ---------------------------------------------------------------------------- build
@pytest.mark.parametrize(("ids", "named"), [
    ("alice\nalice.zip\n", "alice and alice.zip (both write alice.zip)"),
    ("Ada\nada\n", "Ada and ada (both write ada)"),
    ("manifest.json\nbob\n", "manifest.json (reserved"),
    ("README.md\n", "README.md (reserved"),
    ("bob\nbob\n", "bob (listed more than once)"),
])
def test_build_refuses_colliding_ids_up_front(tmp_path: Path, ids: str, named: str) -> None:
    (tmp_path / "c.csv").write_text("candidate\n" + ids)
    result = CliRunner().invoke(takehome, ["build", "--challenges", DRILL, "--candidates",
                                           str(tmp_path / "c.csv"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert named in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------- end to end
@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("intake-bundle")
    (root / "c.csv").write_text("candidate\nann_lee\nbob\n")
    result = CliRunner().invoke(takehome, ["build", "--challenges", f"{DRILL},{OTHER_DRILL}",
                                           "--candidates", str(root / "c.csv"),
                                           "--out", str(root / "th"), "--secret", "s"])
    assert result.exit_code == 0, result.output
    return root / "th"


def hostile_folder(subs: Path, make_deep: Callable[[Path, int], Path]) -> set[str]:
    """Every class of hostile submission at once; returns the candidates the reports must
    list (escaped as they will read)."""
    reference = get(DRILL).reference
    answer(subs / "aaa", TASK, reference)  # sorts first and claims to be bob
    (subs / "aaa" / "manifest.json").write_text(json.dumps({"candidate": "bob"}))
    answer(subs / "bob", TASK, reference)
    answer(subs / "ann lee", TASK, reference)  # gradescope: the same folder as ann_lee
    answer(subs / "ann_lee", TASK, reference)
    (subs / "pipes" / "answers").mkdir(parents=True)
    os.mkfifo(subs / "pipes" / "answers" / f"{TASK}.sql")
    os.mkfifo(subs / "pipes" / "manifest.json")
    (subs / "zero" / "answers").mkdir(parents=True)
    (subs / "zero" / "manifest.json").symlink_to("/dev/zero")
    (subs / "zero" / "answers" / f"{TASK}.sql").symlink_to("/dev/zero")
    make_deep(subs / "deep", 1100)
    os.makedirs(os.fsencode(subs) + b"/\xffbytes\xfe/answers")
    with open(os.fsencode(subs) + b"/\xffbytes\xfe/answers/" + TASK.encode() + b".sql",
              "wb") as handle:
        handle.write(reference.encode())
    answer(subs / "\x1b]0;owned\x07[bold]x\u202e", TASK, "SELECT 1")
    long = " UNION ALL ".join(f"SELECT DATE '2024-01-01' AS day, {i} AS viewers"
                              for i in range(1200))[:20_000]
    answer(subs / "long1", OTHER, long)
    answer(subs / "long2", OTHER, "SELECT DATE '2024-01-02' AS day, 0 AS viewers UNION ALL "
           + long[:19_000])  # differs in its first 20,000 characters, which reports keep
    return {"aaa", "bob", "ann lee", "ann_lee", "pipes", "zero", "deep", "\\xffbytes\\xfe",
            "\\x1b]0;owned\\x07[bold]x\\u202e", "long1", "long2"}


def test_hostile_folder_grades_to_completion_and_resumes(bundle: Path, tmp_path: Path,
                                                         make_deep) -> None:
    subs = tmp_path / "subs"
    expected = hostile_folder(subs, make_deep)
    report = tmp_path / "report"
    args = ["grade", str(bundle / "manifest.json"), str(subs), "--out", str(report),
            "--workers", "2", "--timeout", "2", "--format", "gradescope"]
    result = CliRunner().invoke(takehome, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for again in (CliRunner().invoke(takehome, [*args, "--resume"], catch_exceptions=False),):
        assert again.exit_code == 0 and "0 answer(s) graded now" in again.output

    with open(report / "results.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["candidate"] for r in rows} == expected
    data = json.loads((report / "results.json").read_text(encoding="utf-8"))
    assert {c["candidate"] for c in data["candidates"]} == expected
    suites = ET.parse(report / "junit.xml").getroot().findall("testsuite")
    assert {s.get("name") for s in suites} == expected
    page = (report / "index.html").read_text(encoding="utf-8")
    assert all(f">{c}</a>" in page.replace("&#x27;", "'") for c in expected)
    gradescope = {p.name for p in (report / "gradescope").iterdir()}
    assert len(gradescope) == len(expected) and {"ann_lee", "ann_lee-2"} <= gradescope

    verdicts = {(r["candidate"], r["task"]): (r["verdict"], r["reason"]) for r in rows}
    assert verdicts[("bob", TASK)][0] == "correct"
    assert verdicts[("\\xffbytes\\xfe", TASK)][0] == "correct"
    assert verdicts[("pipes", TASK)] == ("error", f"answers/{TASK}.sql is not read: a named "
                                                  "pipe (FIFO)")
    assert verdicts[("zero", TASK)][1].endswith("a symbolic link")
    flags = data["flags"]
    assert {"kind": "foreign_manifest", "candidate": "aaa"}.items() <= flags[0].items()
    assert any(f["kind"] == "not_compared" and f["detail"].startswith("not compared: too long")
               and (f["candidate"], f["other"]) == ("long1", "long2") for f in flags)
    assert any("ann_lee-2" in n for n in data["folder_notes"])
    deep = next(c for c in data["candidates"] if c["candidate"] == "deep")
    assert any("nested deeper" in n for n in deep["notes"])
    assert "pairs not compared" in page or "pair not compared" in page

    # The terminal: no control sequence, no markup taken as markup.
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\u202e" not in result.output
    assert "[bold]x" in result.output
