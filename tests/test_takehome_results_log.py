"""The results log: appended per answer, read back by --resume without its torn last line."""

from __future__ import annotations

import json
from pathlib import Path

from sqldrills.takehome.records import AnswerRecord, Outcome
from sqldrills.takehome.results_log import ResultsLog


def record(candidate: str, sha: str, verdict: Outcome = Outcome.CORRECT) -> AnswerRecord:
    return AnswerRecord(candidate, "t", sha, verdict, message="")


def test_resume_keeps_whole_lines_and_the_latest_answer(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    log = ResultsLog(path, resume=False)
    for entry in (record("ada", "1", Outcome.MISLEADING), record("bob", "2"), record("ada", "3")):
        log.append(entry)
    text = path.read_text()
    path.write_text(text + text.splitlines()[0][:30])  # a run killed while writing a line
    resumed = ResultsLog(path, resume=True)
    assert resumed.done() == {("ada", "t", "1"), ("bob", "t", "2"), ("ada", "t", "3")}
    assert resumed.latest()[("ada", "t")] == record("ada", "3")  # the regraded answer wins
    assert path.read_text() == text  # the torn line is gone before anything is appended
    assert [json.loads(line)["verdict"] for line in text.splitlines()] == [
        "misleading", "correct", "correct"]


def test_without_resume_the_log_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    ResultsLog(path, resume=False).append(record("ada", "1"))
    log = ResultsLog(path, resume=False)
    assert log.records == [] and path.read_text() == ""
