"""Distilled grading worlds (catalog/distill.py): the recorded worlds of every drill still
tell its reference from every trap and mutant; grading uses them; take-home worlds derived
from a secret still catch every trap; a kept-warm sandbox grades like a fresh one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sqldrills.catalog.challenges import GRADING_FILE, get, load_all, load_challenge
from sqldrills.catalog.distill import DISTILL_SCALE, MIN_WORLDS, TRAP_COVER, candidate_pool, distill, write_grading
from sqldrills.grading.grade import grade, keep_warm
from sqldrills.grading.references import challenge_worlds, expected_results, same_as, trusted_results
from sqldrills.grading.results import Verdict
from sqldrills.world.cache import hidden_worlds

DRILLS = [c.id for c in load_all()]


def test_every_drill_is_graded_on_distilled_worlds() -> None:
    for challenge in load_all():
        assert challenge.grading_worlds, f"{challenge.id}: no {GRADING_FILE}; run sqldrills validate --distill"
        assert len(challenge.grading_worlds) >= MIN_WORLDS
        specs = challenge_worlds(challenge)
        assert specs[0].label == "practice"
        assert {s.scale for s in specs[1:]} == {DISTILL_SCALE}


@pytest.mark.parametrize("drill", DRILLS)
def test_recorded_worlds_tell_every_trap_and_mutant_apart(drill: str) -> None:
    """Run on the recorded worlds alone, every trap differs on two of them and every
    non-equivalent mutant on one; else `sqldrills validate --distill` must run again."""
    challenge = get(drill)
    recorded = challenge_worlds(challenge)[1:]
    result = distill(challenge, pool=recorded)
    assert result.uncovered == [], (
        f"{drill}: on its recorded grading worlds these are told apart on too few worlds: "
        f"{result.uncovered}; run `sqldrills validate --distill {drill}`")
    assert all(len(result.kills[f"trap:{t.id}"]) >= TRAP_COVER for t in challenge.traps)


def test_distilling_writes_the_worlds_grading_then_uses(tmp_path: Path) -> None:
    challenge = get("members_not_devices")
    folder = tmp_path / challenge.id
    shutil.copytree(challenge.path, folder)
    (folder / GRADING_FILE).unlink()
    undistilled = load_challenge(folder)
    # Not distilled yet: the recipe's hidden worlds at the practice scale.
    assert [s.seed for s in challenge_worlds(undistilled)[1:]] == [s.seed for s in hidden_worlds()]

    pool = candidate_pool(undistilled)
    assert len(pool) == len(set(pool)) >= 4 and {s.scale for s in pool} == {DISTILL_SCALE}
    result = distill(undistilled, pool=pool)
    write_grading(undistilled, result)
    distilled = load_challenge(folder)
    assert challenge_worlds(distilled)[1:] == result.specs
    # What the worlds were chosen for holds when grading: every trap is caught and named.
    for trap in distilled.traps:
        graded = grade(distilled, trap.sql, diagnose=False)
        assert (graded.verdict, graded.pitfall) == (Verdict.MISLEADING, trap.id)
    assert grade(distilled, distilled.reference).verdict == Verdict.CORRECT


def test_a_broken_grading_file_names_the_file_and_key(tmp_path: Path) -> None:
    from sqldrills.catalog.challenges import ChallengeError

    folder = tmp_path / "members_not_devices"
    shutil.copytree(get("members_not_devices").path, folder)
    path = folder / GRADING_FILE
    path.write_text(path.read_text().replace("seed =", "sead ="))
    with pytest.raises(ChallengeError, match=r"grading.toml \[\[worlds\]\] #1.*seed"):
        load_challenge(folder)


def test_take_home_worlds_have_secret_seeds_and_still_catch_every_trap() -> None:
    challenge = get("cohort_leakage")
    public = challenge_worlds(challenge)
    secret = challenge_worlds(challenge, secret="bundle-secret")
    assert secret == challenge_worlds(challenge, secret="bundle-secret")  # deterministic
    assert not {s.seed for s in secret} & {s.seed for s in public}
    assert [(s.as_of, s.knobs, s.scale) for s in secret] == [(s.as_of, s.knobs, s.scale) for s in public[1:]]
    expected = expected_results(challenge, secret)
    for trap in challenge.traps:
        got = trusted_results(trap.sql, secret, trap.id)
        assert not all(same_as(challenge, a, b) for a, b in zip(expected, got, strict=True)), trap.id


def test_a_kept_warm_sandbox_grades_like_a_fresh_one() -> None:
    challenge, other = get("cohort_leakage"), get("members_not_devices")
    trap = challenge.traps[0]
    fresh = grade(challenge, trap.sql, diagnose=False)
    keep_warm(challenge)
    warm = grade(challenge, trap.sql, diagnose=False)
    def seen(result):
        return result.verdict, result.pitfall, [(w.world, w.status, w.summary, w.diffs) for w in result.worlds]

    assert seen(warm) == seen(fresh)
    keep_warm(other)  # kept for another drill's worlds: never used for this one
    assert grade(challenge, challenge.reference).verdict == Verdict.CORRECT
    assert grade(other, other.reference).verdict == Verdict.CORRECT


def test_validate_distill_writes_grading_toml_and_reports_the_choice(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from sqldrills.cli.commands import main

    shutil.copytree(get("cohort_leakage").path, tmp_path / "cohort_leakage")
    (tmp_path / "cohort_leakage" / GRADING_FILE).unlink()
    monkeypatch.setenv("SQLDRILLS_CHALLENGES_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["validate", "--distill", "cohort_leakage", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [report] = __import__("json").loads(result.output[result.output.index("["):])
    written = load_challenge(tmp_path / "cohort_leakage")
    assert len(report["worlds"]) == len(written.grading_worlds) >= MIN_WORLDS
    assert report["uncovered"] == [] and report["targets"] > len(written.traps)
    assert [s.describe() for s in challenge_worlds(written)[1:]] == report["worlds"]
