"""Integrity signals: normalised answers, similar pairs, own-world-only answers, groups."""

from __future__ import annotations

from sqldrills.grading.results import WorldStatus
from sqldrills.takehome.integrity import integrity_flags, normalise_sql, similar_pairs, similarity_clusters
from sqldrills.takehome.records import AnswerRecord, FlagKind, Outcome


def test_normalisation_sees_through_renamed_aliases_and_literals() -> None:
    left = "SELECT d.genre AS g, sum(watch_seconds) / 3600 AS h FROM events d GROUP BY 1"
    right = "select x.genre as genre_name, SUM(watch_seconds)/60 as hrs from events x group by 1"
    assert normalise_sql(left) == normalise_sql(right)
    pairs = similar_pairs({"a": left, "b": right, "c": "SELECT count(*) FROM accounts"})
    assert pairs == [("a", "b", 1.0)]


def test_flags_name_own_world_only_answers_and_group_copies() -> None:
    copied = "SELECT plan, count(*) AS n FROM accounts GROUP BY plan"
    answers = {
        ("ada", "t"): AnswerRecord("ada", "t", "1", Outcome.MISLEADING, answer=copied,
                                   own_world=WorldStatus.MATCH),
        ("bob", "t"): AnswerRecord("bob", "t", "1", Outcome.MISLEADING, answer=copied,
                                   own_world=WorldStatus.DIFFERS),
        ("cy", "t"): AnswerRecord("cy", "t", "2", Outcome.NOT_ATTEMPTED, reason="no answer"),
    }
    flags = integrity_flags(answers, ["ada", "bob", "cy"], ["t"])
    assert [f.to_json() for f in flags] == [
        {"kind": "own_world_only", "candidate": "ada", "task": "t",
         "detail": "right on the candidate's own data, wrong on the hidden worlds: hard-coded "
                   "or overfitted?"},
        {"kind": "similar", "candidate": "ada", "other": "bob", "task": "t", "similarity": 1.0,
         "detail": "answers 100% identical after normalisation"},
    ]
    (group,) = similarity_clusters(flags)
    assert group.candidates == ["ada", "bob"] and flags[1].kind == FlagKind.SIMILAR
    assert group.describe() == ("t: 2 candidates with near-identical answers (100% after "
                                "normalisation): ada, bob")
