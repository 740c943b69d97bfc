"""Take-home reports from a scored :class:`~sqldrills.takehome.scoring.Cohort`, all written atomically.

* ``results.csv`` — one row per candidate × task: verdict, pitfall, points;
* ``results.json`` — the whole cohort, with messages, counterexamples and flags;
* ``junit.xml`` — one test suite per candidate, one test case per task, for CI dashboards;
* ``gradescope/<candidate>/results.json`` — Gradescope's autograder format, in a folder
  named by ``Cohort.file_names`` (unique, renames noted);
* ``index.html`` — one self-contained page (inline CSS and SVG, no network) with the
  cohort overview, a chart of the pitfalls that caught candidates and a section per
  candidate with each answer, its verdict, the named pitfall and a counterexample.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from sqldrills.grading.results import WorldStatus
from sqldrills.paths import write_atomic
from sqldrills.takehome.integrity import describe_flags
from sqldrills.takehome.records import AnswerRecord, Outcome
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
    writer.writerow(["candidate", "task", "verdict", "pitfall", "points", "max_points",
                     "own_world", "reason", "message"])
    for candidate in cohort.candidates:
        for a in cohort.answers_of(candidate):
            writer.writerow([_csv_cell(v) for v in (
                candidate, a.task, a.verdict, a.pitfall or "", a.points, a.max_points,
                a.own_world or "", a.reason or "", a.message or "")])
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
            skipped=str(counts[Outcome.SKIPPED]),
            time=f"{sum(r.elapsed_ms or 0 for r in records) / 1000:.3f}")
        for record in records:
            case = ET.SubElement(
                suite, "testcase", classname=_xml_text(f"takehome.{candidate}"),
                name=record.task, time=f"{(record.elapsed_ms or 0) / 1000:.3f}")
            detail = _xml_text(_answer_detail(record))
            if record.verdict in (Outcome.MISLEADING, Outcome.INVALID):
                ET.SubElement(case, "failure", type=record.pitfall or record.verdict,
                              message=_xml_text(record.message)[:500]).text = detail
            elif record.verdict == Outcome.ERROR:
                ET.SubElement(case, "error", type="error",
                              message=_xml_text(record.message)[:500]).text = detail
            elif record.verdict == Outcome.SKIPPED:
                ET.SubElement(case, "skipped", message=_xml_text(record.reason))
            ET.SubElement(case, "system-out").text = _xml_text(
                f"points {record.points:g}/{record.max_points:g}")
        total += len(records)
        failures += failed
        errors += counts[Outcome.ERROR]
        skipped += counts[Outcome.SKIPPED]
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("errors", str(errors))
    suites.set("skipped", str(skipped))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


def _answer_detail(record: AnswerRecord) -> str:
    """The explanation of one answer's outcome, in plain text."""
    lines = [f"{record.verdict}: {record.message or ''}"]
    if record.pitfall:
        lines.append(f"pitfall: {record.pitfall} ({record.pitfall_name or ''})")
    for world in record.worlds:
        lines.append(f"  {world.world}: {world.status} - {world.summary}")
    example = record.counterexample
    if example:
        lines.append(f"counterexample on the {example.world} world:")
        for diff in example.diffs:
            lines.append(f"  {_fmt(diff.key)}: expected {_fmt(diff.expected)}, "
                         f"yours {_fmt(diff.yours)}")
    lines += [f"warning {w}" for w in record.warnings]
    return "\n".join(lines)


def _fmt(values: dict[str, Any] | None) -> str:
    if values is None:
        return "(no row)"
    return ", ".join(f"{k}={v}" for k, v in values.items())


def gradescope_result(cohort: Cohort, candidate: str) -> dict[str, Any]:
    """Gradescope's autograder ``results.json`` for one candidate."""
    tests = [{
        "name": f"{task.id}: {task.title}".strip(": "),
        "score": record.points, "max_score": record.max_points,
        "status": "passed" if record.verdict == Outcome.CORRECT else "failed",
        "output": _answer_detail(record), "visibility": "visible",
    } for task, record in zip(cohort.tasks, cohort.answers_of(candidate), strict=True)]
    score, max_score = cohort.total(candidate)
    notes = cohort.notes.get(candidate, [])
    return {"score": score, "max_score": max_score, "tests": tests,
            "output": "\n".join(notes) if notes else f"{score:g} of {max_score:g} points",
            "visibility": "visible"}


# ---------------------------------------------------------------------------- HTML
_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#222;padding:0 1rem}
h1,h2,h3{line-height:1.2}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}pre{background:#f7f7f7;padding:.6rem;overflow:auto;white-space:pre-wrap}
.correct{color:#17702f;font-weight:600}.misleading{color:#9a6100;font-weight:600}
.invalid{color:#8a1f8a;font-weight:600}.error{color:#b00020;font-weight:600}
.skipped{color:#666;font-weight:600}.flag{background:#fff6d6}.small{color:#666;font-size:90%}
section.candidate{border-top:2px solid #ddd;margin-top:2rem}
"""


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""), quote=True)


def _verdict(verdict: str) -> str:
    return f'<span class="{_e(verdict)}">{_e(verdict)}</span>'


def pitfall_chart(counts: list[tuple[str, str, int]], candidates: int) -> str:
    """A horizontal bar chart as inline SVG: candidates caught by each pitfall."""
    if not counts:
        return "<p>No answer fell into a pitfall.</p>"
    bar_h, label_w, bar_w = 22, 330, 380
    height = bar_h * len(counts) + 10
    parts = [f'<svg role="img" aria-label="Candidates caught by each pitfall" '
             f'width="{label_w + bar_w + 60}" height="{height}" '
             f'viewBox="0 0 {label_w + bar_w + 60} {height}">']
    for i, (task, pitfall, n) in enumerate(counts):
        y = 5 + i * bar_h
        width = max(2, round(bar_w * n / max(candidates, 1)))
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" '
                     f'font-size="13">{_e(task)} / {_e(pitfall)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{width}" height="{bar_h - 6}" '
                     f'fill="#c77d00"><title>{n} candidate(s)</title></rect>')
        parts.append(f'<text x="{label_w + width + 6}" y="{y + 15}" font-size="13">{n}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _counterexample_table(record: AnswerRecord) -> str:
    example = record.counterexample
    if not example:
        return ""
    columns = record.columns or []
    rows = []
    for diff in example.diffs:
        for label, values in (("expected", diff.expected), ("yours", diff.yours)):
            merged = {str(k).lower(): v for k, v in {**diff.key, **(values or {})}.items()}
            cells = ([_e(merged.get(c.lower(), "")) for c in columns] if values is not None
                     else ["(no row)"] + [""] * (len(columns) - 1))
            rows.append(f"<tr><th>{label}</th>{''.join(f'<td>{c}</td>' for c in cells)}</tr>")
    header = "".join(f"<th>{_e(c)}</th>" for c in columns)
    return (f"<p>Counterexample ({_e(example.world)} world, {_e(example.description)}):"
            f"</p><table><tr><th></th>{header}</tr>{''.join(rows)}</table>")


def _candidate_section(cohort: Cohort, candidate: str, anchor: str) -> str:
    score, max_score = cohort.total(candidate)
    out = [f'<section class="candidate" id="{_e(anchor)}"><h2>{_e(candidate)} — '
           f'{score:g} / {max_score:g}</h2>']
    for note in cohort.notes.get(candidate, []):
        out.append(f'<p class="small">Note: {_e(note)}</p>')
    for record in cohort.answers_of(candidate):
        out.append(f"<h3>{_e(record.task)}: {_verdict(record.verdict)} "
                   f"({record.points:g} / {record.max_points:g})</h3>")
        if record.pitfall:
            out.append(f"<p><b>Pitfall: {_e(record.pitfall_name or record.pitfall)}"
                       f"</b> <span class='small'>({_e(record.pitfall)})</span></p>")
        out.append(f"<p>{_e(record.message)}</p>")
        if record.own_world == WorldStatus.MATCH and record.verdict == Outcome.MISLEADING:
            out.append('<p class="flag">Integrity signal: right on the candidate\'s own data, '
                       "wrong on the hidden worlds.</p>")
        out.append(_counterexample_table(record))
        if record.warnings:
            out.append("<ul class='small'>" + "".join(f"<li>{_e(w)}</li>"
                                                     for w in record.warnings) + "</ul>")
        if record.answer:
            out.append(f"<details><summary>Answer</summary><pre>{_e(record.answer)}</pre>"
                       "</details>")
    out.append("</section>")
    return "\n".join(out)


def index_html(cohort: Cohort) -> str:
    anchors = {c: f"c-{i}" for i, c in enumerate(cohort.candidates)}
    head = "".join(f"<th>{_e(t.id)}</th>" for t in cohort.tasks)
    rows = []
    for candidate in cohort.candidates:
        score, max_score = cohort.total(candidate)
        cells = "".join(f"<td>{_verdict(a.verdict)} <span class='small'>{_e(a.pitfall)}</span></td>"
                        for a in cohort.answers_of(candidate))
        rows.append(f'<tr><td><a href="#{anchors[candidate]}">{_e(candidate)}</a></td>'
                    f"<td>{score:g} / {max_score:g}</td>{cells}</tr>")
    flags = "".join(f"<li>{_e(line)}</li>" for line in describe_flags(cohort.flags)
                    ) or "<li>none</li>"
    notes = "".join(f"<li>{_e(n)}</li>" for n in cohort.warnings + cohort.folder_notes)
    tasks = "".join(f"<li><b>{_e(t.id)}</b> {_e(t.title)}</li>" for t in cohort.tasks)
    sections = "\n".join(_candidate_section(cohort, c, anchors[c]) for c in cohort.candidates)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Take-home results</title><style>{_CSS}</style></head>
<body>
<h1>Take-home results</h1>
<p>{len(cohort.candidates)} candidates, {len(cohort.tasks)} tasks.</p><ul>{tasks}</ul>
{f'<ul class="small">{notes}</ul>' if notes else ''}
<h2>Overview</h2>
<table><tr><th>candidate</th><th>points</th>{head}</tr>{''.join(rows)}</table>
<h2>Pitfalls that caught candidates</h2>
{pitfall_chart(cohort.pitfall_counts(), len(cohort.candidates))}
<h2>Integrity signals</h2>
<p class="small">Flags for a human to look at, never penalties.</p><ul>{flags}</ul>
{sections}
</body></html>
"""


def write_reports(cohort: Cohort, out: Path, gradescope: bool = False) -> list[Path]:
    """Write every report into ``out``; return the paths written."""
    written = {
        out / "results.csv": results_csv(cohort),
        out / "results.json": json.dumps(cohort.to_json(), indent=2) + "\n",
        out / "junit.xml": junit_xml(cohort),
        out / "index.html": index_html(cohort),
    }
    if gradescope:
        for candidate in cohort.candidates:
            written[out / "gradescope" / cohort.file_names[candidate] / "results.json"] = json.dumps(
                gradescope_result(cohort, candidate), indent=2) + "\n"
    for path, text in written.items():
        write_atomic(path, text)
    return list(written)
