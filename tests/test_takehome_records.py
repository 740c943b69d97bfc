"""Take-home records: the JSON keys of results.jsonl and results.json, and their round trip."""

from __future__ import annotations

import json

from sqldrills.grading.results import Verdict, WorldStatus
from sqldrills.takehome.records import (
    AnswerRecord,
    Counterexample,
    Outcome,
    RowDifference,
    ScoredAnswer,
    WorldSummary,
)

RECORD_KEYS = ["candidate", "task", "answer_sha", "verdict", "reason", "pitfall", "pitfall_name",
               "message", "order_only", "elapsed_ms", "worlds", "counterexample", "warnings",
               "own_world", "answer"]


def graded() -> AnswerRecord:
    return AnswerRecord(
        "ada", "members_not_devices", "ab12", Outcome.MISLEADING, pitfall="count_devices",
        pitfall_name="Counted devices", message="wrong numbers", elapsed_ms=12.5,
        worlds=[WorldSummary("edge", WorldStatus.DIFFERS, "3 rows differ")],
        counterexample=Counterexample("edge", "a small world", [
            RowDifference({"day": "2024-01-01"}, {"viewers": 3}, {"viewers": "NaN"}),
            RowDifference({"day": "2024-01-02"}, None, {"viewers": 1})]),
        warnings=["SD101 name: message"], own_world=WorldStatus.MATCH, answer="SELECT 1",
        columns=["day", "viewers"])


def test_outcomes_are_the_verdicts_and_not_attempted() -> None:
    assert [o.value for o in Outcome] == [*(v.value for v in Verdict), "not_attempted"]
    assert Outcome.MISLEADING == Verdict.MISLEADING == "misleading"
    assert Outcome.NOT_ATTEMPTED.shown == "not attempted"


def test_records_keep_their_json_keys_and_read_back_the_same() -> None:
    skipped = AnswerRecord("bob", "t", "not_attempted:00", Outcome.NOT_ATTEMPTED,
                           reason="no answer", message="no answer")
    assert list(skipped.to_json()) == RECORD_KEYS  # no columns: it was never graded
    record = graded()
    data = json.loads(json.dumps(record.to_json()))
    assert list(data) == [*RECORD_KEYS, "columns"]
    assert data["verdict"] == "misleading" and data["own_world"] == "match"
    assert data["worlds"] == [{"world": "edge", "status": "differs", "summary": "3 rows differ"}]
    assert data["counterexample"]["diffs"][1] == {"key": {"day": "2024-01-02"}, "expected": None,
                                                  "yours": {"viewers": 1}}
    for original in (record, skipped):
        assert AnswerRecord.from_json(json.loads(json.dumps(original.to_json()))) == original


def test_scored_answers_add_their_points_last() -> None:
    scored = ScoredAnswer.of(graded(), 2.5, 10.0)
    assert scored.verdict == Outcome.MISLEADING and scored.columns == ["day", "viewers"]
    data = scored.to_json()
    assert list(data)[-3:] == ["columns", "points", "max_points"]
    assert (data["points"], data["max_points"]) == (2.5, 10.0)
