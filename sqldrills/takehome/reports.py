"""Take-home reports from a scored :class:`~sqldrills.takehome.scoring.Cohort`, all written
atomically, each naming candidates with the name and email of candidates.csv and tasks by
their neutral labels ("Task 2: Daily unique viewers"):

* ``results.csv`` — one row per candidate × task: verdict, pitfall, points, late flag;
* ``results.json`` — the whole cohort, with messages, counterexamples and flags;
* ``junit.xml`` — one test suite per candidate, one test case per task, for CI dashboards;
* ``gradescope/<candidate>/results.json`` — Gradescope's autograder format, in a folder
  named by ``Cohort.file_names`` (unique, renames noted);
* ``index.html`` and ``feedback/<candidate>.html`` (``pages``): the team's page and one
  page per candidate to send back.

Numbers are rounded only where people read them (pages, the text of junit and Gradescope);
``results.json`` and the results log keep them whole.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from sqldrills.paths import write_atomic
from sqldrills.takehome.pages import feedback_html, index_html, shown
from sqldrills.takehome.records import AnswerRecord, FlagKind, Outcome
from sqldrills.takehome.scoring import Cohort

# Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _csv_cell(value: Any) -> Any:
    """Cells that a spreadsheet would run as a formula are quoted with a leading '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def results_csv(cohort: Cohort) -> str:
    """One row per (candidate, task)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["candidate", "name", "email", "task", "task_title", "verdict", "pitfall",
                     "points", "max_points", "own_world", "late", "reason", "message"])
    late = {(f.candidate, f.task) for f in cohort.flags if f.kind == FlagKind.LATE}
    for candidate in cohort.candidates:
        name, email = cohort.person(candidate)
        for a in cohort.answers_of(candidate):
            writer.writerow([_csv_cell(v) for v in (
                candidate, name, email, a.task, cohort.label(a.task), a.verdict,
                a.pitfall or "", a.points, a.max_points, a.own_world or "",
                "late" if (candidate, a.task) in late else "", a.reason or "",
                a.message or "")])
    return buffer.getvalue()


def _xml_text(text: Any) -> str:
    return _NOT_XML.sub("\ufffd", str(text or ""))


def junit_xml(cohort: Cohort) -> str:
    suites = ET.Element("testsuites", name="sqldrills take-home")
    total = failures = errors = skipped = 0
    for candidate in cohort.candidates:
        records = cohort.answers_of(candidate)
        counts = {v: sum(r.verdict == v for r in records) for v in Outcome}
        failed = counts[Outcome.MISLEADING] + counts[Outcome.INVALID]
        suite = ET.SubElement(
            suites, "testsuite", name=_xml_text(candidate), tests=str(len(records)),
            failures=str(failed), errors=str(counts[Outcome.ERROR]),
            skipped=str(counts[Outcome.NOT_ATTEMPTED]),
            time=f"{sum(r.elapsed_ms or 0 for r in records) / 1000:.3f}")
        properties = ET.SubElement(suite, "properties")
        for key, value in zip(("name", "email"), cohort.person(candidate), strict=True):
            ET.SubElement(properties, "property", name=key, value=_xml_text(value))
        for record in records:
            case = ET.SubElement(
                suite, "testcase", classname=_xml_text(f"takehome.{candidate}"),
                name=_xml_text(cohort.label(record.task)),
                time=f"{(record.elapsed_ms or 0) / 1000:.3f}")
            detail = _xml_text(_answer_detail(record))
            if record.verdict in (Outcome.MISLEADING, Outcome.INVALID):
                ET.SubElement(case, "failure", type=record.pitfall or record.verdict,
                              message=_xml_text(record.message)[:500]).text = detail
            elif record.verdict == Outcome.ERROR:
                ET.SubElement(case, "error", type="error",
                              message=_xml_text(record.message)[:500]).text = detail
            elif record.verdict == Outcome.NOT_ATTEMPTED:
                ET.SubElement(case, "skipped", message=_xml_text(
                    f"not attempted: {record.reason}"))
            ET.SubElement(case, "system-out").text = _xml_text(
                f"points {record.points:g}/{record.max_points:g}")
        total += len(records)
        failures += failed
        errors += counts[Outcome.ERROR]
        skipped += counts[Outcome.NOT_ATTEMPTED]
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("errors", str(errors))
    suites.set("skipped", str(skipped))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


def _answer_detail(record: AnswerRecord) -> str:
    """The explanation of one answer's outcome, in plain text."""
    lines = [f"{record.verdict.shown}: {record.message or ''}"]
    if record.pitfall:
        lines.append(f"pitfall: {record.pitfall_name or record.pitfall}")
    for world in record.worlds:
        lines.append(f"  {world.world}: {world.status} - {world.summary}")
    example = record.counterexample
    if example:
        lines.append(f"counterexample on the {example.world} world:")
        for diff in example.diffs:
            lines.append(f"  {_fmt(diff.key)}: expected {_fmt(diff.expected, diff.yours)}, "
                         f"yours {_fmt(diff.yours, diff.expected)}")
    lines += [f"warning {w}" for w in record.warnings]
    return "\n".join(lines)


def _fmt(values: dict[str, Any] | None, against: dict[str, Any] | None = None) -> str:
    if values is None:
        return "(no row)"
    return ", ".join(f"{k}={shown(v, (against or {}).get(k))}" for k, v in values.items())


def gradescope_result(cohort: Cohort, candidate: str) -> dict[str, Any]:
    """Gradescope's autograder ``results.json`` for one candidate."""
    tests = [{
        "name": cohort.label(task.id),
        "score": record.points, "max_score": record.max_points,
        "status": "passed" if record.verdict == Outcome.CORRECT else "failed",
        "output": _answer_detail(record), "visibility": "visible",
    } for task, record in zip(cohort.tasks, cohort.answers_of(candidate), strict=True)]
    score, max_score = cohort.total(candidate)
    notes = cohort.notes.get(candidate, [])
    name, email = cohort.person(candidate)
    heading = " ".join(part for part in (name, f"<{email}>" if email else "") if part)
    output = "\n".join([*([heading] if heading else []),
                        *(notes or [f"{score:g} of {max_score:g} points"])])
    return {"score": score, "max_score": max_score, "tests": tests, "output": output,
            "visibility": "visible"}


def write_reports(cohort: Cohort, out: Path, gradescope: bool = False) -> list[Path]:
    """Write every report into ``out``; return the paths written."""
    written = {
        out / "results.csv": results_csv(cohort),
        out / "results.json": json.dumps(cohort.to_json(), indent=2) + "\n",
        out / "junit.xml": junit_xml(cohort),
        out / "index.html": index_html(cohort),
    }
    for candidate in cohort.candidates:
        written[out / "feedback" / f"{cohort.file_names[candidate]}.html"] = feedback_html(
            cohort, candidate)
    if gradescope:
        for candidate in cohort.candidates:
            written[out / "gradescope" / cohort.file_names[candidate] / "results.json"] = json.dumps(
                gradescope_result(cohort, candidate), indent=2) + "\n"
    for path, text in written.items():
        write_atomic(path, text)
    return list(written)
