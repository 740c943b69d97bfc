"""The data handbook and the screen prompts that rely on it (architecture.md §2).

The loader is strict; every drill cites entries that exist and gives no trap away; the
handbook ships in the package; and every drill is answerable from its screen prompt plus
the handbook alone: `tests/fairness/<drill>.sql` was written from nothing else and must
be judged correct.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from sqldrills.catalog.challenges import ChallengeError, get, load_all, load_challenge
from sqldrills.catalog.handbook import HandbookError, load, parse
from sqldrills.catalog.validate import screen_problems
from sqldrills.cli.learning import clarify, handbook
from sqldrills.grading.grade import grade
from sqldrills.paths import handbook_file

ROOT = Path(__file__).resolve().parent.parent
FAIRNESS = Path(__file__).resolve().parent / "fairness"
DRILLS = [c.id for c in load_all()]


def test_parse_reads_entries_in_order() -> None:
    entries = parse("# Handbook\n\nintro\n\n## Members {#members}\nAccounts.\n\n## Test accounts {#test-accounts}\n"
                    "Excluded.\n### a sub-heading stays in the body\nmore\n")
    assert list(entries) == ["members", "test-accounts"]
    assert entries["members"].title == "Members"
    assert entries["test-accounts"].body.endswith("more")


@pytest.mark.parametrize("text, problem", [
    ("## Members\nbody\n", "must read"),
    ("## Members {#Members}\nbody\n", "must read"),
    ("## Members {#members}  \n## Other {#members}\nbody\n", "used twice"),
    ("## Members {#members}\nbody\n## Again {#members}\nbody\n", "used twice"),
    ("## Members {#members}\n\n", "empty"),
])
def test_parse_is_strict(text: str, problem: str) -> None:
    with pytest.raises(HandbookError, match=problem):
        parse(text)


def test_shipped_handbook_loads_and_is_packaged() -> None:
    assert handbook_file().read_bytes() == (ROOT / "docs" / "handbook.md").read_bytes()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    force = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert force["docs/handbook.md"] == "sqldrills/_data/handbook.md"
    shipped = ROOT / "sqldrills" / "_data" / "handbook.md"  # present in an installed copy only
    if shipped.exists():
        assert shipped.read_bytes() == (ROOT / "docs" / "handbook.md").read_bytes()
    assert {"members", "test-accounts", "event-delivery", "as-of", "experiments"} <= set(load())


@pytest.mark.parametrize("drill", DRILLS)
def test_screen_prompt_is_fair_and_neutral(drill: str) -> None:
    challenge = get(drill)
    assert challenge.handbook, "a drill lists the handbook entries it relies on"
    assert challenge.clarifications, "a drill has what an interviewer would answer"
    assert all(t.tells for t in challenge.traps), "every trap lists its tell-tale phrases"
    assert screen_problems(challenge, load()) == []
    assert challenge.pitfall not in challenge.title


def test_screen_problems_name_tells_and_unknown_entries() -> None:
    challenge = get("members_not_devices")
    trap = dataclasses.replace(challenge.traps[0], tells=("UNIQUE VIEWERS",))
    leaky = dataclasses.replace(challenge, traps=(trap,), handbook=("members", "no-such-entry"))
    problems = screen_problems(leaky, load())
    assert any("'no-such-entry' does not exist" in p for p in problems)
    assert any("prompt.md: gives trap" in p for p in problems)
    assert any("title: gives trap" in p for p in problems)


def test_tells_are_loaded_strictly(tmp_path: Path) -> None:
    source = ROOT / "challenges" / "members_not_devices"
    folder = tmp_path / "members_not_devices"
    (folder / "traps").mkdir(parents=True)
    for path in [*source.glob("*.sql"), *source.glob("*.md"), *(source / "traps").glob("*.sql")]:
        (folder / path.relative_to(source)).write_bytes(path.read_bytes())
    toml = (source / "challenge.toml").read_text()
    (folder / "challenge.toml").write_text(toml + '\n[traps.count_plays.extra]\nx = 1\n')
    with pytest.raises(ChallengeError, match="unknown key"):
        load_challenge(folder)
    (folder / "challenge.toml").write_text(toml.replace('tells = ["device"]', 'tells = [""]'))
    with pytest.raises(ChallengeError, match="tells"):
        load_challenge(folder)
    (folder / "challenge.toml").write_text(toml)
    assert load_challenge(folder).trap("count_devices").tells == ("device",)


def test_handbook_command_lists_and_renders() -> None:
    listing = CliRunner().invoke(handbook, ["--csv"])
    assert listing.exit_code == 0 and "members,Members" in listing.output
    entry = CliRunner().invoke(handbook, ["sessions"])
    assert entry.exit_code == 0 and "30 minutes" in entry.output
    assert CliRunner().invoke(handbook, ["nope"]).exit_code == 2


def test_clarify_reveals_one_more_each_time() -> None:
    from sqldrills.cli import attempts

    total = len(get("members_not_devices").clarifications)
    outputs = [CliRunner().invoke(clarify, ["members_not_devices"]) for _ in range(total + 1)]
    assert all(o.exit_code == 0 for o in outputs)
    assert "Clarification 1/" in outputs[0].output
    assert f"Clarification {total}/{total}" in outputs[-2].output
    assert f"No more clarifications: all {total} are shown" in outputs[-1].output  # the last is not repeated
    assert attempts.load()["members_not_devices"]["clarifications_revealed"] == total
    assert CliRunner().invoke(clarify, ["no_such_drill"]).exit_code == 2


def test_every_drill_has_a_fairness_answer() -> None:
    assert sorted(p.stem for p in FAIRNESS.glob("*.sql")) == sorted(DRILLS)


@pytest.mark.parametrize("drill", DRILLS)
def test_prompt_and_handbook_determine_the_answer(drill: str) -> None:
    result = grade(get(drill), (FAIRNESS / f"{drill}.sql").read_text())
    assert result.verdict == "correct", result.message


def test_bundle_readme_points_candidates_to_the_handbook() -> None:
    from sqldrills.takehome.bundle import readme
    from sqldrills.takehome.manifest import TaskEntry

    drill = get("members_not_devices")
    text = readme([(TaskEntry.of(1, drill), drill)], None, "tiny", "duckdb", "", None)
    assert "`handbook.md`" in text and "Daily unique viewers" in text
