"""Take-home end to end through ``sqldrills takehome``: build bundles, grade real submissions on
real (tiny) worlds, read the reports.

The tests share bundles and one graded round trip (module fixtures: a world build and a
grading run each), so the flow is tested here as a whole, in sections named after the
modules they exercise; unit tests of single modules are in ``test_takehome_<module>.py``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from sqldrills.catalog.challenges import get
from sqldrills.takehome.bundle import candidate_seed, reserved_seeds
from sqldrills.takehome.commands import takehome
from sqldrills.takehome.pages import shown
from sqldrills.takehome.results_log import RESULTS_LOG

TASKS = ["members_not_devices", "duplicate_events", "cohort_leakage"]
T = {drill: f"task_{i}" for i, drill in enumerate(TASKS, start=1)}  # drill -> neutral task id
TRAP_CANDIDATES = 6  # the longest trap list: every trap of every task is submitted


def label(drill: str) -> str:
    """How bundles and reports name a task: "Task 1: Daily unique viewers"."""
    return f"Task {TASKS.index(drill) + 1}: {get(drill).title}"


def invoke(*args: str):
    return CliRunner().invoke(takehome, list(args), catch_exceptions=False)


def write_answers(folder: Path, answers: dict[str, str | bytes]) -> None:
    (folder / "answers").mkdir(parents=True, exist_ok=True)
    for task, sql in answers.items():
        path = folder / "answers" / f"{T.get(task, task)}.sql"
        path.write_bytes(sql if isinstance(sql, bytes) else sql.encode())


def trap_for(task: str, k: int):
    traps = get(task).traps
    return traps[k % len(traps)]


@pytest.fixture(scope="module")
def shared_bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("shared")
    result = invoke("build", "--challenges", ",".join(TASKS), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def candidate_bundles(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("per-candidate")
    (root / "candidates.csv").write_text(
        "candidate,name,email\nada,Ada Lovelace,ada@example.org\nbob,Bob Stone,b@x.org\n")
    out = root / "th"
    result = invoke("build", "--challenges", ",".join(TASKS), "--candidates",
                    str(root / "candidates.csv"), "--out", str(out), "--secret", "fixed",
                    "--data", "both")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def round_trip(shared_bundle: Path, tmp_path_factory) -> Path:
    """References, every trap, and an answer in the wrong order, graded with 2 workers."""
    subs = tmp_path_factory.mktemp("subs")
    write_answers(subs / "reference", {t: get(t).reference for t in TASKS})
    for k in range(TRAP_CANDIDATES):
        write_answers(subs / f"trap_{k}", {t: trap_for(t, k).sql for t in TASKS})
    reordered = get("cohort_leakage").reference.replace("ORDER BY m.cohort_week",
                                                        "ORDER BY m.cohort_week DESC")
    write_answers(subs / "reordered", {"cohort_leakage": reordered})
    # One submission arrives as a zip of the whole bundle folder.
    with zipfile.ZipFile(subs / "zipped.zip", "w") as archive:
        for task in TASKS:
            archive.writestr(f"takehome/answers/{T[task]}.sql", get(task).reference)
    report = tmp_path_factory.mktemp("report")
    result = invoke("grade", str(shared_bundle / "manifest.json"), str(subs), "--out",
                    str(report), "--workers", "2", "--format", "gradescope")
    assert result.exit_code == 0, result.output
    return report


def rows_by_candidate(report: Path) -> dict[tuple[str, str], dict[str, str]]:
    with open(report / "results.csv", newline="") as handle:
        return {(r["candidate"], r["task"]): r for r in csv.DictReader(handle)}


# ------------------------------------------------------------------------- bundle
def test_bundle_contents_and_manifests(candidate_bundles: Path) -> None:
    manifest = json.loads((candidate_bundles / "manifest.json").read_text())
    assert [c["id"] for c in manifest["candidates"]] == ["ada", "bob"]
    assert [c["name"] for c in manifest["candidates"]] == ["Ada Lovelace", "Bob Stone"]
    assert [c["id"] for c in manifest["challenges"]] == list(T.values())
    assert [c["drill"] for c in manifest["challenges"]] == TASKS
    seeds = {c["id"]: c["seed"] for c in manifest["candidates"]}
    assert seeds["ada"] != seeds["bob"]
    assert not set(seeds.values()) & reserved_seeds([get(t) for t in TASKS], "tiny")
    for candidate in ("ada", "bob"):
        folder = candidate_bundles / candidate
        own = json.loads((folder / "manifest.json").read_text())
        assert own["candidate"] == candidate and own["seed"] == seeds[candidate]
        assert [t["title"] for t in own["tasks"]] == [label(t) for t in TASKS]
        readme = (folder / "README.md").read_text()
        assert readme.startswith(f"# SQL take-home for {manifest['candidates'][0]['name']}"
                                 if candidate == "ada" else "# SQL take-home for Bob Stone")
        for task in TASKS:
            assert f"answers/{T[task]}.sql" in readme and label(task) in readme
            assert all(f"`{c}`" in readme for c in get(task).columns)
            assert (folder / "tasks" / f"{T[task]}.md").read_text() == get(task).prompt
            stub = (folder / "answers" / f"{T[task]}.sql").read_text()
            assert stub.startswith(f"-- {label(task)}\n")
        assert "10 points" in readme and "not attempted" in readme  # the rubric, in words
        con = duckdb.connect(str(folder / "data" / "world.duckdb"), read_only=True)
        assert con.execute("SELECT seed FROM dataset_info").fetchone()[0] == seeds[candidate]
        parquet_rows = con.execute(
            f"SELECT count(*) FROM '{folder / 'data' / 'parquet' / 'events.parquet'}'"
        ).fetchone()[0]
        assert parquet_rows == con.execute("SELECT count(*) FROM events").fetchone()[0]
        con.close()
        with zipfile.ZipFile(candidate_bundles / f"{candidate}.zip") as archive:
            names = set(archive.namelist())
        assert f"{candidate}/answers/task_3.sql" in names
        assert f"{candidate}/data/world.duckdb" in names
        assert f"{candidate}/data/parquet/events.parquet" in names


def test_seeds_are_reproducible_from_the_secret(candidate_bundles: Path, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("candidate\nada\n")
    manifest = json.loads((candidate_bundles / "manifest.json").read_text())
    forbidden = reserved_seeds([get(t) for t in TASKS], "tiny")
    assert manifest["candidates"][0]["seed"] == candidate_seed("fixed", "ada", forbidden)


def _bundle_files(out: Path):
    """(name, bytes) of every file candidates receive: bundle folders and zip members."""
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path == out / "manifest.json":
            continue
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    yield f"{path.name}:{info.filename}", archive.read(info)
        else:
            yield str(path.relative_to(out)), path.read_bytes()


def test_bundles_leak_no_reference_trap_hint_or_hidden_seed(candidate_bundles: Path) -> None:
    secrets_ = []
    for task in TASKS:
        challenge = get(task)
        sources = [sql for _, sql in challenge.references] + [t.sql for t in challenge.traps]
        for sql in sources:
            secrets_.append(sql.strip())
            # Any distinctive line of the SQL, not only the whole file.
            secrets_ += [line.strip() for line in sql.splitlines()
                         if len(line.strip()) >= 40 and not line.startswith("-- ")]
        secrets_ += list(challenge.hints)
        secrets_ += [t.explanation for t in challenge.traps]
    hidden = reserved_seeds([get(t) for t in TASKS], "tiny") - {7}  # 7: the public practice seed
    checked = 0
    for name, data in _bundle_files(candidate_bundles):
        checked += 1
        for text in secrets_:
            assert text.encode() not in data, f"{name} leaks {text[:60]!r}"
        if name.endswith((".md", ".json", ".sql")):
            for seed in hidden:
                assert not re.search(rf"\b{seed}\b", data.decode()), f"{name} names seed {seed}"
    assert checked > 40
    for candidate in ("ada", "bob"):
        con = duckdb.connect(str(candidate_bundles / candidate / "data" / "world.duckdb"),
                             read_only=True)
        assert con.execute("SELECT seed FROM dataset_info").fetchone()[0] not in hidden
        con.close()


def test_bundles_are_neutral(candidate_bundles: Path) -> None:
    """No drill id or trap id anywhere a candidate looks (every file, every zip member, the
    data included), and no trap's tell-tale phrase in what is written for the tasks: their
    prompts, stubs, the README and the bundle manifest. (The shared handbook and schema
    define conventions in the words tells use, such as "test account", for every task.)"""
    ids = [*TASKS, *(trap.id for task in TASKS for trap in get(task).traps)]
    tells = [tell for task in TASKS for trap in get(task).traps for tell in trap.tells]
    written_for_tasks = re.compile(r"(README\.md|manifest\.json|tasks/.*|answers/.*)$")
    checked = 0
    for name, data in _bundle_files(candidate_bundles):
        for word in ids:
            assert word.encode() not in data, f"{name} names {word!r}"
        if written_for_tasks.search(name):
            checked += 1
            text = data.decode().casefold()
            for tell in tells:
                assert tell.casefold() not in text, f"{name} gives a trap away: {tell!r}"
    assert checked == 2 * 2 * (2 + 2 * len(TASKS))  # candidates x (folder, zip) x files


def test_default_bundle_is_one_small_duckdb_file(shared_bundle: Path) -> None:
    """The default: the DuckDB file only, and a zip a mail server takes (<= 25 MB)."""
    files = {p.relative_to(shared_bundle / "takehome").as_posix()
             for p in (shared_bundle / "takehome").rglob("*") if p.is_file()}
    assert "data/world.duckdb" in files and not any("parquet" in f for f in files)
    assert (shared_bundle / "takehome.zip").stat().st_size <= 25_000_000
    manifest = json.loads((shared_bundle / "manifest.json").read_text())
    assert manifest["data"] == "duckdb" and manifest["bundle_scale"] == "tiny"
    # The world is rewritten compactly but holds the same rows as the one generated.
    from sqldrills.world.cache import WorldSpec, content_hash, world_path

    seed = manifest["candidates"][0]["seed"]
    assert content_hash(shared_bundle / "takehome" / "data" / "world.duckdb") == \
        content_hash(world_path(WorldSpec(seed, "tiny")))


def test_build_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke("build", "--challenges", "nope", "--out", str(tmp_path)).exit_code == 2
    bad = {"no_column.csv": ("name\nada\n", "'candidate' column"),
           "latin1.csv": ("candidate,name\nada,Ad\xe9le\n".encode("latin-1"), "not UTF-8"),
           "email.csv": ("candidate,email\nada,ada@example.org\nbob,not-an-email\n",
                         "line 3: 'not-an-email' is not an email address"),
           "cells.csv": ("candidate,name\nada,Ada,extra\n", "line 2 has more cells"),
           "quote.csv": ('candidate,name\nada,"Ada\n', "not a CSV file")}
    for name, (content, message) in bad.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        result = invoke("build", "--challenges", TASKS[0], "--candidates", str(path),
                        "--out", str(tmp_path / "o"))
        assert result.exit_code == 2 and message in result.output, (name, result.output)
    assert not (tmp_path / "o").exists()  # refused before anything is written
    result = invoke("build", "--challenges", TASKS[0], "--deadline", "2026-12-07 18:00",
                    "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "no time zone" in result.output


# ------------------------------------------------------------ grading, reports, integrity
def test_references_score_full_marks(round_trip: Path) -> None:
    rows = rows_by_candidate(round_trip)
    for who in ("reference", "zipped"):
        for task in TASKS:
            row = rows[(who, T[task])]
            assert (row["verdict"], row["pitfall"], float(row["points"])) == ("correct", "", 10.0)


def test_each_trap_loses_its_points_with_its_pitfall_named(round_trip: Path) -> None:
    rows = rows_by_candidate(round_trip)
    for k in range(TRAP_CANDIDATES):
        for task in TASKS:
            row = rows[(f"trap_{k}", T[task])]
            assert row["verdict"] == "misleading"
            assert row["pitfall"] == trap_for(task, k).id
            assert float(row["points"]) == 0.0


def test_order_only_gets_half_credit_and_missing_answers_are_not_attempted(
        round_trip: Path) -> None:
    rows = rows_by_candidate(round_trip)
    assert rows[("reordered", T["cohort_leakage"])]["verdict"] == "misleading"
    assert float(rows[("reordered", T["cohort_leakage"])]["points"]) == 5.0
    assert rows[("reordered", T["duplicate_events"])]["verdict"] == "not_attempted"


def test_reports_parse_and_agree(round_trip: Path) -> None:
    candidates = {"reference", "zipped", "reordered", *(f"trap_{k}" for k in range(6))}
    rows = rows_by_candidate(round_trip)
    assert {c for c, _ in rows} == candidates and len(rows) == 3 * len(candidates)

    data = json.loads((round_trip / "results.json").read_text())
    scores = {c["candidate"]: c["score"] for c in data["candidates"]}
    assert scores["reference"] == 30 and scores["trap_0"] == 0 and scores["reordered"] == 5

    suites = ET.parse(round_trip / "junit.xml").getroot()
    assert suites.tag == "testsuites"
    by_name = {s.get("name"): s for s in suites.findall("testsuite")}
    assert set(by_name) == candidates
    assert by_name["reference"].get("failures") == "0"
    failure = by_name["trap_0"].find(f"testcase[@name='{label('members_not_devices')}']/failure")
    assert failure is not None
    assert failure.get("type") == trap_for("members_not_devices", 0).id
    assert by_name["reordered"].find(
        f"testcase[@name='{label('duplicate_events')}']/skipped") is not None

    gradescope = json.loads((round_trip / "gradescope" / "trap_1" / "results.json").read_text())
    assert gradescope["score"] == 0 and len(gradescope["tests"]) == 3
    assert {"name", "score", "max_score", "output"} <= set(gradescope["tests"][0])
    assert trap_for("duplicate_events", 1).name in gradescope["tests"][1]["output"]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action", "xlink:href") and value:
                self.urls.append(value)
            if name == "id":
                self.ids.add(value)


def test_html_report_is_self_contained(round_trip: Path) -> None:
    page = (round_trip / "index.html").read_text()
    assert not re.search(r"https?://", page)
    links = _Links()
    links.feed(page)
    assert all(url.startswith("#") and url[1:] in links.ids for url in links.urls)
    assert "<svg" in page and "<style>" in page
    trap = trap_for("members_not_devices", 0)
    assert trap.name in page  # the named pitfall
    assert "Counterexample" in page and "expected" in page


def test_integrity_flags_similar_answers(round_trip: Path) -> None:
    flags = json.loads((round_trip / "results.json").read_text())["flags"]
    similar = {(f["task"], f["candidate"], f["other"]): f["similarity"]
               for f in flags if f["kind"] == "similar"}
    # 5 traps for members_not_devices: trap_0 and trap_5 submitted the same one.
    assert similar[(T["members_not_devices"], "trap_0", "trap_5")] == 1.0
    assert (T["members_not_devices"], "trap_0", "trap_1") not in similar
    # People read groups, not pairs: the references (shared by "reference" and the zip)
    # and the repeated trap each make one group.
    html = (round_trip / "index.html").read_text()
    assert f"{T['members_not_devices']}: 2 candidates with near-identical answers" in html


def test_own_world_only_answer_is_flagged(candidate_bundles: Path, tmp_path: Path) -> None:
    """A query that hard-codes the candidate's own numbers is flagged, not penalised extra."""
    task = get("members_not_devices")
    world = candidate_bundles / "ada" / "data" / "world.duckdb"
    con = duckdb.connect(str(world), read_only=True)
    rows = con.execute(task.reference).fetchall()
    con.close()
    values = ", ".join(f"(DATE '{day}', {viewers})" for day, viewers in rows)
    write_answers(tmp_path / "subs" / "ada",
                  {task.id: f"SELECT * FROM (VALUES {values}) AS t(day, viewers)"})
    result = invoke("grade", str(candidate_bundles / "manifest.json"), str(tmp_path / "subs"),
                    "--out", str(tmp_path / "report"), "--workers", "1")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "report" / "results.json").read_text())
    assert [c["candidate"] for c in data["candidates"]] == ["ada", "bob"]
    own = [f for f in data["flags"] if f["kind"] == "own_world_only"]
    assert [(f["candidate"], f["task"]) for f in own] == [("ada", T[task.id])]
    bob = data["candidates"][1]
    assert {a["verdict"] for a in bob["answers"]} == {"not_attempted"}


def test_the_same_answer_is_graded_once_and_checked_per_candidate(candidate_bundles: Path,
                                                                  tmp_path: Path) -> None:
    """Ada and Bob hand in the same bytes (Ada's numbers, hard-coded): one grading serves
    both, but the own-world check still looks at each candidate's own world."""
    task = get("members_not_devices")
    con = duckdb.connect(str(candidate_bundles / "ada" / "data" / "world.duckdb"), read_only=True)
    rows = con.execute(task.reference).fetchall()
    con.close()
    values = ", ".join(f"(DATE '{day}', {viewers})" for day, viewers in rows)
    answer = f"SELECT * FROM (VALUES {values}) AS t(day, viewers)"
    for candidate in ("ada", "bob"):
        write_answers(tmp_path / "subs" / candidate, {task.id: answer})
    result = invoke("grade", str(candidate_bundles / "manifest.json"), str(tmp_path / "subs"),
                    "--out", str(tmp_path / "report"), "--workers", "2")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "report" / "results.json").read_text())
    graded = {c["candidate"]: next(a for a in c["answers"] if a["task"] == T[task.id])
              for c in data["candidates"]}
    assert graded["ada"]["verdict"] == graded["bob"]["verdict"] == "misleading"
    assert graded["ada"]["elapsed_ms"] == graded["bob"]["elapsed_ms"]  # one grading
    own = [(f["candidate"], f["task"]) for f in data["flags"] if f["kind"] == "own_world_only"]
    assert own == [("ada", T[task.id])]  # Bob's world has other numbers: not an overfit of his


# -------------------------------------------------------------- intake, results log
def test_chaos_folder_grades_to_completion(shared_bundle: Path, tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    ok = {t: get(t).reference for t in TASKS}
    write_answers(subs / "missing", {"members_not_devices": ok["members_not_devices"]})
    write_answers(subs / "empty", {t: "" for t in TASKS} | {"cohort_leakage": "-- stub\n"})
    write_answers(subs / "latin1", {t: "SELECT 'caf\xe9' AS day".encode("latin-1")
                                    for t in TASKS})
    write_answers(subs / "huge", {t: "SELECT 1 AS day --" + "x" * 1_100_000 for t in TASKS})
    write_answers(subs / "hostile", {"members_not_devices": "DROP TABLE accounts",
                                     "duplicate_events": "COPY accounts TO '/tmp/x.csv'",
                                     "cohort_leakage": "SELECT * FROM read_csv('/etc/passwd')"})
    write_answers(subs / "endless", {"members_not_devices":
                                     "SELECT count(*) AS viewers, 1 AS day "
                                     "FROM events a, events b, events c, events d"})
    (subs / "linked" / "answers").mkdir(parents=True)
    (subs / "linked" / "answers" / "task_1.sql").symlink_to("/etc/hostname")
    with zipfile.ZipFile(subs / "slip.zip", "w") as archive:
        archive.writestr("../answers/task_1.sql", ok["members_not_devices"])
        archive.writestr("/abs/answers/task_2.sql", ok["duplicate_events"])
        archive.writestr("slip/answers/task_3.sql", ok["cohort_leakage"])
        link = zipfile.ZipInfo("slip/answers/task_2.sql")
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")
    with zipfile.ZipFile(subs / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb/answers/task_1.sql", " " * 20_000_000)
    (subs / "broken.zip").write_bytes(b"PK\x03\x04 not a zip")
    (subs / "notes.txt").write_text("stray file")

    report = tmp_path / "report"
    result = invoke("grade", str(shared_bundle / "manifest.json"), str(subs), "--out",
                    str(report), "--workers", "2", "--timeout", "0.5", "--format", "gradescope")
    assert result.exit_code == 0, result.output
    rows = rows_by_candidate(report)
    candidates = {"missing", "empty", "latin1", "huge", "hostile", "endless", "linked", "slip",
                  "bomb", "broken"}
    assert {c for c, _ in rows} == candidates and len(rows) == 3 * len(candidates)

    def outcome(who: str, task: str) -> tuple[str, str]:
        row = rows[(who, T[task])]
        return row["verdict"], row["reason"] or row["message"]

    assert outcome("missing", "members_not_devices")[0] == "correct"
    assert outcome("missing", "duplicate_events")[0] == "not_attempted"
    # Emptied, or only comments: not attempted, like a missing file, not an error.
    assert outcome("empty", "cohort_leakage")[0] == "not_attempted"
    assert outcome("empty", "members_not_devices")[0] == "not_attempted"
    assert outcome("latin1", "duplicate_events") == (
        "error", "the answer is not UTF-8 text (byte 0xe9 at offset 11)")
    assert "larger than" in outcome("huge", "members_not_devices")[1]
    assert all(outcome("hostile", t)[0] == "error" for t in TASKS)
    verdict, message = outcome("endless", "members_not_devices")
    assert verdict == "error" and "did not finish" in message
    # Handed in but never opened (a link, an entry climbing out of the zip): an error.
    assert outcome("linked", "members_not_devices")[0] == "error"
    assert outcome("slip", "members_not_devices")[0] == "error"
    assert outcome("slip", "duplicate_events")[0] == "error"
    assert outcome("slip", "cohort_leakage")[0] == "correct"
    assert "zip bomb" in outcome("bomb", "members_not_devices")[1]
    assert "cannot be opened" in outcome("broken", "cohort_leakage")[1]

    data = json.loads((report / "results.json").read_text())
    slip = next(c for c in data["candidates"] if c["candidate"] == "slip")
    assert any("climbs out" in n for n in slip["notes"])
    assert any("symbolic link" in n for n in slip["notes"])
    assert any("notes.txt" in n for n in data["folder_notes"])
    junit = ET.parse(report / "junit.xml").getroot()
    assert {s.get("name") for s in junit.findall("testsuite")} == candidates
    assert {p.name for p in (report / "gradescope").iterdir()} == candidates
    page = (report / "index.html").read_text()
    assert all(f">{c}</a>" in page for c in candidates)
    assert not list(tmp_path.glob("answers")) and not Path("/abs").exists()


def test_resume_after_a_kill_regrades_nothing_twice(shared_bundle: Path, tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    for k in range(3):
        write_answers(subs / f"c{k}", {t: get(t).reference for t in TASKS})
    report = tmp_path / "report"
    args = ["grade", str(shared_bundle / "manifest.json"), str(subs), "--out", str(report),
            "--workers", "2"]
    assert invoke(*args).exit_code == 0
    log = report / RESULTS_LOG
    lines = log.read_text().splitlines()
    assert len(lines) == 9
    # A run killed while writing its 5th line: 4 complete lines and a torn one.
    log.write_text("\n".join(lines[:4]) + "\n" + lines[4][:25])
    result = invoke(*args, "--resume")
    assert result.exit_code == 0 and "5 answer(s) graded now" in result.output
    keys = [(r["candidate"], r["task"]) for r in map(json.loads, log.read_text().splitlines())]
    assert len(keys) == len(set(keys)) == 9
    result = invoke(*args, "--resume")
    assert "0 answer(s) graded now" in result.output
    assert len(log.read_text().splitlines()) == 9
    # A changed answer is graded again; the others are not.
    write_answers(subs / "c0", {"members_not_devices": trap_for("members_not_devices", 0).sql})
    result = invoke(*args, "--resume")
    assert "1 answer(s) graded now" in result.output
    assert rows_by_candidate(report)[("c0", T["members_not_devices"])]["verdict"] == "misleading"


# ------------------------------------------------------------------------- rubric
def test_rubric_points_and_pitfall_credit(shared_bundle: Path, tmp_path: Path) -> None:
    trap = trap_for("duplicate_events", 0)
    write_answers(tmp_path / "subs" / "c", {"members_not_devices": get(TASKS[0]).reference,
                                            "duplicate_events": trap.sql})
    (tmp_path / "rubric.toml").write_text(
        f"points = 5\n[credit]\nnot_attempted = 0\n[tasks.members_not_devices]\npoints = 20\n"
        f"[tasks.task_2.pitfalls]\n{trap.id} = 0.25\n")  # a task by its drill or its id
    result = invoke("grade", str(shared_bundle / "manifest.json"), str(tmp_path / "subs"),
                    "--out", str(tmp_path / "r"), "--workers", "1", "--rubric",
                    str(tmp_path / "rubric.toml"))
    assert result.exit_code == 0, result.output
    rows = rows_by_candidate(tmp_path / "r")
    assert [float(rows[("c", T[t])]["points"]) for t in TASKS] == [20.0, 1.25, 0.0]
    assert [float(rows[("c", T[t])]["max_points"]) for t in TASKS] == [20.0, 5.0, 5.0]

    (tmp_path / "bad.toml").write_text("[credit]\nmisleding = 0.5\n")
    result = invoke("grade", str(shared_bundle / "manifest.json"), str(tmp_path / "subs"),
                    "--out", str(tmp_path / "r2"), "--rubric", str(tmp_path / "bad.toml"))
    assert result.exit_code == 2 and "misleding" in result.output


# ------------------------------------------------------------------- commands: grade-one
def test_grade_one_writes_gradescope_results(shared_bundle: Path, tmp_path: Path) -> None:
    answers = tmp_path / "submission"
    answers.mkdir()
    (answers / "task_1.sql").write_text(get("members_not_devices").reference)
    (answers / "task_2.sql").write_text(trap_for("duplicate_events", 1).sql)
    out = tmp_path / "results" / "results.json"
    result = invoke("grade-one", str(shared_bundle / "manifest.json"), str(answers),
                    "--format", "gradescope", "--out", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["score"] == 10 and data["max_score"] == 30
    assert [t["score"] for t in data["tests"]] == [10, 0, 0]
    assert trap_for("duplicate_events", 1).name in data["tests"][1]["output"]
    assert "no task_3.sql" in data["tests"][2]["output"]
    # Plain JSON on stdout by default.
    result = invoke("grade-one", str(shared_bundle / "manifest.json"), str(answers))
    assert json.loads(io.StringIO(result.output).read())["score"] == 10


# ---------------------------------------- deadline, names, not attempted, feedback pages
@pytest.fixture(scope="module")
def deadline_round_trip(tmp_path_factory) -> Path:
    """Bundles due 2026-01-01 00:00 UTC. Ada hands back her bundle folder with one answer
    written (its file dated after the deadline) and two stubs untouched; Bob a zip with a
    late right answer, a wrong one on time, and no third file."""
    root = tmp_path_factory.mktemp("deadline")
    (root / "c.csv").write_text("candidate,name,email\nada,Ada Lovelace,ada@example.org\n"
                                "bob,Bob Stone,bob@example.org\n")
    th = root / "th"
    result = invoke("build", "--challenges", ",".join(TASKS), "--candidates",
                    str(root / "c.csv"), "--out", str(th), "--deadline", "2026-01-01T00:00Z")
    assert result.exit_code == 0, result.output
    subs = root / "subs"
    shutil.copytree(th / "ada", subs / "ada", ignore=shutil.ignore_patterns("data"))
    answer = subs / "ada" / "answers" / "task_1.sql"
    answer.write_text(get(TASKS[0]).reference)
    late, early = (datetime(2026, 1, 2, 9, 30, tzinfo=UTC).timestamp(),
                   datetime(2025, 12, 30, tzinfo=UTC).timestamp())
    os.utime(answer, (late, late))
    for stub in ("task_2.sql", "task_3.sql"):
        os.utime(subs / "ada" / "answers" / stub, (early, early))
    with zipfile.ZipFile(subs / "bob.zip", "w") as archive:
        archive.writestr(zipfile.ZipInfo("bob/answers/task_1.sql", (2026, 1, 3, 12, 0, 0)),
                         get(TASKS[0]).reference)
        archive.writestr(zipfile.ZipInfo("bob/answers/task_2.sql", (2025, 12, 31, 8, 0, 0)),
                         trap_for("duplicate_events", 1).sql)
    report = root / "report"
    result = invoke("grade", str(th / "manifest.json"), str(subs), "--out", str(report),
                    "--workers", "2", "--format", "gradescope")
    assert result.exit_code == 0, result.output
    return report


def test_untouched_stubs_and_missing_files_are_not_attempted(deadline_round_trip: Path) -> None:
    rows = rows_by_candidate(deadline_round_trip)
    assert [rows[("ada", t)]["verdict"] for t in T.values()] == \
        ["correct", "not_attempted", "not_attempted"]
    assert "untouched" in rows[("ada", "task_2")]["reason"]
    assert rows[("bob", "task_3")]["verdict"] == "not_attempted"
    page = (deadline_round_trip / "index.html").read_text()
    assert "not attempted" in page


def test_answers_changed_after_the_deadline_are_flagged_not_penalised(
        deadline_round_trip: Path) -> None:
    data = json.loads((deadline_round_trip / "results.json").read_text())
    late = [(f["candidate"], f["task"]) for f in data["flags"] if f["kind"] == "late"]
    assert late == [("ada", "task_1"), ("bob", "task_1")]
    rows = rows_by_candidate(deadline_round_trip)
    assert {k for k, row in rows.items() if row["late"]} == {("ada", "task_1"), ("bob", "task_1")}
    assert float(rows[("ada", "task_1")]["points"]) == 10.0  # a flag, never a penalty
    page = (deadline_round_trip / "index.html").read_text()
    assert "after the deadline 2026-01-01 00:00 UTC" in page
    assert "2026-01-02 09:30 UTC (file modified)" in page
    assert "2026-01-03 12:00 UTC (zip entry time" in page


def test_every_report_names_candidates(deadline_round_trip: Path) -> None:
    people = {"ada": ("Ada Lovelace", "ada@example.org"), "bob": ("Bob Stone", "bob@example.org")}
    rows = rows_by_candidate(deadline_round_trip)
    for (candidate, _), row in rows.items():
        assert (row["name"], row["email"]) == people[candidate]
    data = json.loads((deadline_round_trip / "results.json").read_text())
    assert {c["candidate"]: (c["name"], c["email"]) for c in data["candidates"]} == people
    suites = ET.parse(deadline_round_trip / "junit.xml").getroot().findall("testsuite")
    assert {s.get("name"): tuple(s.find(f"properties/property[@name='{k}']").get("value")
                                 for k in ("name", "email")) for s in suites} == people
    page = (deadline_round_trip / "index.html").read_text()
    for candidate, (name, email) in people.items():
        assert name in page and email in page
        gradescope = json.loads((deadline_round_trip / "gradescope" / candidate /
                                 "results.json").read_text())
        assert name in gradescope["output"]


def test_feedback_page_holds_only_its_candidates_results(deadline_round_trip: Path) -> None:
    ada = (deadline_round_trip / "feedback" / "ada.html").read_text()
    bob = (deadline_round_trip / "feedback" / "bob.html").read_text()
    assert "Ada Lovelace" in ada and label(TASKS[0]) in ada
    for other in ("Bob Stone", "bob@example.org", ">bob<", trap_for("duplicate_events", 1).name):
        assert other not in ada
    for hidden in (*TASKS, "Integrity", "deadline", "similar"):
        assert hidden not in ada and hidden not in bob
    assert "Ada" not in bob and "ada@example.org" not in bob
    # Bob's wrong answer: the pitfall named, and a counterexample with rounded numbers
    # (the stored results keep every digit).
    assert trap_for("duplicate_events", 1).name in bob and "expected" in bob
    assert not re.search(r"https?://", ada + bob)
    data = json.loads((deadline_round_trip / "results.json").read_text())
    answer = next(a for c in data["candidates"] if c["candidate"] == "bob"
                  for a in c["answers"] if a["task"] == "task_2")
    diff = answer["counterexample"]["diffs"][0]
    floats = [(v, diff["expected"][k]) for k, v in diff["yours"].items()
              if isinstance(v, float) and not v.is_integer()]
    assert floats, diff
    for value, expected in floats:
        assert repr(value) not in bob and shown(value, expected) in bob
        assert len(shown(value, expected).replace(".", "").lstrip("0")) < len(repr(value))
