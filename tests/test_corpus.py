"""The grader names a pitfall only when it is sure: measured on the labelled corpus of wrong
answers written from the prompts (tests/diagnosis/, sqldrills/catalog/corpus.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqldrills.catalog.corpus import CorpusError, CorpusReport, load_corpus, measure
from sqldrills.cli.validate import MAX_WRONG_SHARE

CORPUS = Path(__file__).parent / "diagnosis"


def test_the_corpus_covers_every_drill_with_five_answers_or_more() -> None:
    from sqldrills.catalog.challenges import load_all

    answers = load_corpus(CORPUS)
    counts = {drill.id: sum(a.drill == drill.id for a in answers) for drill in load_all()}
    assert min(counts.values()) >= 5, counts


def test_a_label_that_is_not_a_trap_of_the_drill_is_refused(tmp_path: Path) -> None:
    (tmp_path / "members_not_devices.toml").write_text(
        '[[answer]]\nid = "x"\npitfalls = ["count_device"]\nsql = "SELECT 1"\n')
    with pytest.raises(CorpusError, match="count_device is not a trap of members_not_devices"):
        load_corpus(tmp_path)
    (tmp_path / "members_not_devices.toml").write_text('[[answer]]\nid = "x"\nsqll = "SELECT 1"\n')
    with pytest.raises(CorpusError, match="missing key"):
        load_corpus(tmp_path)


# Measured at 75.8% (116 of 153; tiny worlds, generator 7), less a margin for world changes.
MIN_NAMED_SHARE = 0.73


@pytest.fixture(scope="module")
def report() -> CorpusReport:
    return measure(load_corpus(CORPUS), scale="tiny")  # the figures of tests/diagnosis/README.md


def test_a_pitfall_is_named_wrongly_for_at_most_two_percent_of_wrong_answers(report: CorpusReport) -> None:
    wrongly = [f"{o.answer.drill}/{o.answer.id}: named {sorted(o.wrong)}" for o in report.outcomes if o.wrong]
    assert report.wrong_share <= MAX_WRONG_SHARE, wrongly


def test_the_pitfall_is_named_right_for_most_labelled_wrong_answers(report: CorpusReport) -> None:
    missed = [f"{o.answer.drill}/{o.answer.id}" for o in report.labelled if not o.right]
    assert report.named_share >= MIN_NAMED_SHARE, missed
