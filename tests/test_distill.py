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
from sqldrills.grading.references import challenge_worlds
from sqldrills.grading.results import Verdict
from sqldrills.paths import cache_dir
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
    assert len(pool) >= 4 and {s.scale for s in pool} == {DISTILL_SCALE}
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


@pytest.mark.parametrize("drill", ["zero_play_share", "guardrail_retention"])  # as_of tuned to a seed
def test_take_home_worlds_are_secret_and_as_strong_as_the_public_ones(drill: str) -> None:
    """Re-seeding the distilled placements is not enough (bait can be tuned to a seed): the
    secret worlds must tell apart every trap (twice) and mutant the public worlds do."""
    from sqldrills.catalog.distill import secret_worlds

    challenge = get(drill)
    public = challenge_worlds(challenge)
    secret = secret_worlds(challenge, "bundle-secret")
    for cached in (cache_dir() / "secret-worlds").glob(f"{drill}-*.json"):
        cached.unlink()
    assert secret == secret_worlds(challenge, "bundle-secret")  # the same choice, made again
    hidden = [s for s in secret if s.seed not in {p.seed for p in public}]
    assert len(hidden) >= MIN_WORLDS and {s.scale for s in secret} == {DISTILL_SCALE}
    assert distill(challenge, pool=secret).uncovered == []
    for trap in challenge.traps:
        assert grade(challenge, trap.sql, worlds=secret, diagnose=False).pitfall == trap.id
    assert grade(challenge, challenge.reference, worlds=secret).verdict == Verdict.CORRECT


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



def test_a_world_is_a_candidate_once_whatever_its_spelling() -> None:
    """as_of written out as the recipe's default is the default world: one candidate, or
    'told apart on two worlds' could be one world counted twice."""
    for challenge in load_all():
        keys = [spec.key for spec in candidate_pool(challenge)]
        assert len(keys) == len(set(keys)), challenge.id


def test_a_query_that_never_ran_on_a_world_tells_nothing_apart_there() -> None:
    from sqldrills.catalog.distill import _told_apart
    from sqldrills.grading.sandbox import QueryFailure

    challenge = get("members_not_devices")
    want = None  # never compared: a failure decides
    assert _told_apart(challenge, want, QueryFailure("timeout", "the query did not finish within 30 s"))
    assert not _told_apart(challenge, want, QueryFailure("timeout", "not run: the query already failed (timeout) on world 1"))


def test_a_list_knob_is_graded_and_recorded_as_the_same_world(tmp_path: Path) -> None:
    from sqldrills.catalog.distill import Distillation
    from sqldrills.world.cache import WorldSpec, world_paths

    challenge = get("members_not_devices")
    spec = WorldSpec(31, DISTILL_SCALE, knobs=(("boundaries.cut_days", [0, 7]),))
    assert world_paths([spec, spec])[0].exists()  # a list makes a spec unhashable: keys are used
    folder = tmp_path / challenge.id
    shutil.copytree(challenge.path, folder)
    write_grading(challenge, Distillation(challenge.id, [spec, spec], [], chosen=[0, 1]), folder)
    assert [s.key for s in challenge_worlds(load_challenge(folder))[1:]] == [spec.key, spec.key]


def test_a_kept_warm_sandbox_that_died_meanwhile_is_not_the_answers_fault() -> None:
    import os
    import signal

    from sqldrills.grading import grade as grading

    challenge = get("cohort_leakage")
    grade(challenge, challenge.reference)  # its worlds built: a sandbox can be started ahead
    keep_warm(challenge)
    assert grading._spare is not None
    spare = grading._spare[1]
    os.kill(spare._pid, signal.SIGKILL)  # as the system's memory killer would
    result = grade(challenge, challenge.reference)
    assert result.verdict == Verdict.CORRECT, result.message
