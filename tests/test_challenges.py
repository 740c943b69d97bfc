"""The drill loader (sqldrills/catalog/challenges.py) is strict: a drill folder that a hiring
team or a contributor got slightly wrong fails loudly, naming the file and the key."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sqldrills.catalog.challenges import ChallengeError, get, load_all, load_challenge

DRILL = "members_not_devices"


@pytest.fixture
def drill(tmp_path: Path) -> Path:
    """A private copy of a shipped drill to break."""
    folder = tmp_path / DRILL
    shutil.copytree(get(DRILL).path, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def load_error(folder: Path) -> str:
    with pytest.raises(ChallengeError) as raised:
        load_challenge(folder)
    return str(raised.value)


def test_a_copy_of_a_shipped_drill_loads_the_same(drill: Path) -> None:
    copy, shipped = load_challenge(drill), get(DRILL)
    assert (copy.title, copy.columns, copy.reference, [t.id for t in copy.traps]) == \
        (shipped.title, shipped.columns, shipped.reference, [t.id for t in shipped.traps])


def test_a_misspelled_key_is_named_with_the_known_ones(drill: Path) -> None:
    edit(drill / "challenge.toml", "ordered = false", "orderd = false\nordered = false")
    message = load_error(drill)
    assert "challenge.toml: unknown key(s) orderd" in message and "ordered" in message


def test_a_missing_key_is_named(drill: Path) -> None:
    edit(drill / "challenge.toml", "difficulty = 1\n", "")
    assert "challenge.toml: missing key(s) difficulty" in load_error(drill)


def test_a_misspelled_key_in_a_table_names_the_table(drill: Path) -> None:
    edit(drill / "challenge.toml", 'grain = "account"', 'grian = "account"')
    assert re.search(r"\[lint\]: unknown key\(s\) grian", load_error(drill))
    edit(drill / "challenge.toml", 'grian = "account"', 'grain = "account"')
    edit(drill / "challenge.toml", 'key_columns = ["day"]', 'key_column = ["day"]')
    assert "[output]: unknown key(s) key_column" in load_error(drill)


def test_the_prompt_must_name_every_output_column(drill: Path) -> None:
    edit(drill / "prompt.md", "`viewers`", "viewers")
    assert "the prompt must name output column `viewers`" in load_error(drill)


def test_a_trap_needs_a_name_and_an_explanation(drill: Path) -> None:
    trap = drill / "traps" / "count_devices.sql"
    trap.write_text("\n".join(line for line in trap.read_text().splitlines()
                              if not line.startswith("-- explanation:")))
    message = load_error(drill)
    assert "count_devices.sql" in message and "missing key(s) explanation" in message


def test_a_trap_header_that_is_not_known_is_an_error(drill: Path) -> None:
    trap = drill / "traps" / "count_devices.sql"
    trap.write_text("-- nmae: Counting devices\n" + trap.read_text())
    assert "unknown header(s) nmae" in load_error(drill)


def test_an_unknown_drill_lists_the_known_ones() -> None:
    with pytest.raises(ChallengeError) as raised:
        get("members_not_device")
    assert "no challenge 'members_not_device'" in str(raised.value)
    assert all(c.id in str(raised.value) for c in load_all())


def test_the_catalog_is_in_learning_order() -> None:
    drills = load_all()
    tracks = [c.track for c in drills]
    assert tracks == sorted(tracks, key=tracks.index), "a track's drills are together"
    assert drills[0].id == DRILL
