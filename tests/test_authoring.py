"""Private catalogs: `sqldrills new` scaffolds a drill, `validate` refuses it until it is
written, and a drill written by a hiring team goes through validate, a take-home build
and grading with `--catalog`, on real files and tiny worlds.
"""

from __future__ import annotations

import csv
import json
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sqldrills.catalog.challenges import load_challenge
from sqldrills.catalog.scaffold import MARKER
from sqldrills.cli.commands import main
from sqldrills.paths import CHALLENGES_DIR_ENV

DRILL = "plan_members"
TRAP = "include_test_accounts"
REFERENCE = "SELECT plan, count(*) AS members\nFROM accounts\nWHERE NOT is_test\nGROUP BY plan\n"
TRAP_SQL = ("-- name: Counted test accounts\n"
            "-- explanation: Internal test and bot accounts are not members; counting them "
            "inflates every plan.\nSELECT plan, count(*) AS members\nFROM accounts\nGROUP BY plan\n")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def fill_in(folder: Path) -> None:
    """What an author writes into the scaffold: members by plan, and the test-account trap."""
    toml = (folder / "challenge.toml").read_text()
    toml = toml.replace(f'title = "{MARKER}: a neutral title, e.g. Members by plan"',
                        'title = "Members by plan"')
    toml = toml.replace(f'pitfall = "{MARKER}: the mistake that returns plausible but wrong '
                        'numbers"', 'pitfall = "Test accounts counted as members."')
    toml = toml.replace('handbook = []', 'handbook = ["members", "test-accounts"]')
    for n, hint in enumerate(["a nudge toward what matters", "a stronger hint",
                              "nearly the answer"]):
        toml = toml.replace(f"{MARKER}: {hint}", f"Hint {n + 1}: who is a member?")
    toml = toml.replace(f'explanation = "{MARKER}: why the reference is right"',
                        'explanation = "Members exclude internal test accounts."')
    toml = toml.replace('columns = ["value"]', 'columns = ["plan", "members"]')
    toml = toml.replace(f'grain = "{MARKER}: one row per ..."', 'grain = "one row per plan"')
    toml = toml.replace("[traps.rename_me]", f"[traps.{TRAP}]")
    toml = toml.replace(f'tells = ["{MARKER}: a phrase that would give this trap away"]',
                        'tells = ["test account", "is_test"]')
    (folder / "challenge.toml").write_text(toml)
    (folder / "prompt.md").write_text(
        "# Members by plan\n\nFinance wants to know **how many members are on each plan**.\n\n"
        "| column | type | meaning |\n|---|---|---|\n| `plan` | VARCHAR | the plan |\n"
        "| `members` | integer | members on it |\n")
    (folder / "reference.sql").write_text(REFERENCE)
    (folder / "traps" / "rename_me.sql").unlink()
    (folder / "traps" / f"{TRAP}.sql").write_text(TRAP_SQL)


def test_new_scaffolds_a_drill_the_strict_loader_accepts(tmp_path: Path) -> None:
    catalog = tmp_path / "our-drills"
    result = run("new", "weekly_churn", "--catalog", str(catalog))
    assert result.exit_code == 0, result.output
    folder = catalog / "weekly_churn"
    drill = load_challenge(folder)  # every required key, valid TOML
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == \
        {"challenge.toml", "prompt.md", "reference.sql", "traps/rename_me.sql"}
    assert len(drill.hints) >= 3 and drill.traps[0].name.startswith(MARKER)
    toml = (folder / "challenge.toml").read_text()
    assert toml.count("\n# ") >= 10  # each key explained
    assert "validate --catalog" in result.output
    # It is listed from the catalog, and the command's catalog does not outlive it.
    listed = run("list", "--catalog", str(catalog), "--json")
    assert [row["id"] for row in json.loads(listed.output)] == ["weekly_churn"]
    assert CHALLENGES_DIR_ENV not in os.environ


def test_new_refuses_bad_ids_and_existing_drills_without_touching_them(tmp_path: Path) -> None:
    catalog = tmp_path / "c"
    assert run("new", "weekly_churn", "--catalog", str(catalog)).exit_code == 0
    (catalog / "weekly_churn" / "reference.sql").write_text("SELECT 1 AS value\n")
    again = run("new", "weekly_churn", "--catalog", str(catalog))
    assert again.exit_code == 2 and "already exists" in again.output
    assert (catalog / "weekly_churn" / "reference.sql").read_text() == "SELECT 1 AS value\n"
    bad = run("new", "Weekly-Churn", "--catalog", str(catalog))
    assert bad.exit_code == 2 and "snake_case" in bad.output
    assert sorted(p.name for p in catalog.iterdir()) == ["weekly_churn"]


def test_validate_says_what_an_unfilled_scaffold_still_needs(tmp_path: Path) -> None:
    catalog = tmp_path / "c"
    run("new", "weekly_churn", "--catalog", str(catalog))
    for extra in ([], ["--mutants"]):
        result = run("validate", "--catalog", str(catalog), *extra)
        assert result.exit_code == 1
        for where in ("challenge.toml", "prompt.md", "reference.sql", "traps/rename_me.sql"):
            assert f"weekly_churn/{where}: still says {MARKER}" in result.output
        assert "is the reference's query; write the plausible wrong answer" in result.output


@pytest.fixture(scope="module")
def private_take_home(tmp_path_factory) -> tuple[Path, Path]:
    """A drill made by `new` and written by the test, validated, built into bundles."""
    root = tmp_path_factory.mktemp("private")
    catalog = root / "our-drills"
    assert run("new", DRILL, "--catalog", str(catalog)).exit_code == 0
    fill_in(catalog / DRILL)
    (root / "c.csv").write_text("candidate,name,email\nada,Ada Lovelace,ada@example.org\n"
                                "bob,Bob Stone,bob@example.org\n")
    result = run("takehome", "build", "--catalog", str(catalog), "--challenges", DRILL,
                 "--candidates", str(root / "c.csv"), "--out", str(root / "th"))
    assert result.exit_code == 0, result.output
    return catalog, root / "th"


def test_a_written_drill_validates(private_take_home: tuple[Path, Path]) -> None:
    catalog, _ = private_take_home
    result = run("validate", "--catalog", str(catalog))
    assert result.exit_code == 0, result.output
    assert DRILL in result.output
    result = run("validate", "--catalog", str(catalog), "--mutants")
    assert result.exit_code == 0, result.output
    check = run("check", DRILL, str(catalog / DRILL / "reference.sql"), "--catalog",
                str(catalog), "--json")
    assert json.loads(check.output)["verdict"] == "correct"


def test_private_drill_round_trip(private_take_home: tuple[Path, Path]) -> None:
    """Bundles name neither the drill nor its trap; grading, from the manifest alone (it
    remembers the catalog), finds the right answer correct and names the trap."""
    _, th = private_take_home
    with zipfile.ZipFile(th / "ada.zip") as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    assert "ada/answers/task_1.sql" in members
    for data in members.values():
        assert DRILL.encode() not in data and TRAP.encode() not in data
    assert b"Task 1: Members by plan" in members["ada/README.md"]
    subs = th.parent / "subs"
    (subs / "ada" / "answers").mkdir(parents=True)
    (subs / "ada" / "answers" / "task_1.sql").write_text(REFERENCE)
    (subs / "bob" / "answers").mkdir(parents=True)
    (subs / "bob" / "answers" / "task_1.sql").write_text(TRAP_SQL.split("\n", 2)[2])
    result = run("takehome", "grade", str(th / "manifest.json"), str(subs), "--out",
                 str(th.parent / "report"), "--workers", "1")
    assert result.exit_code == 0, result.output
    with open(th.parent / "report" / "results.csv", newline="") as handle:
        rows = {row["candidate"]: row for row in csv.DictReader(handle)}
    assert (rows["ada"]["verdict"], rows["ada"]["name"]) == ("correct", "Ada Lovelace")
    assert (rows["bob"]["verdict"], rows["bob"]["pitfall"]) == ("misleading", TRAP)
    feedback = (th.parent / "report" / "feedback" / "bob.html").read_text()
    assert "Counted test accounts" in feedback and DRILL not in feedback
