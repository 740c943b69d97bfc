"""The take-home's HTML pages, each one self-contained file (inline CSS and SVG, no network):

* ``index.html`` — for the hiring team: the cohort overview, a chart of the pitfalls that
  caught candidates, integrity signals, and a section per candidate;
* ``feedback/<candidate>.html`` — for one candidate, to send back: only their tasks,
  verdicts, points, the pitfalls they fell into with why, and counterexamples. No other
  candidate, no integrity signal, no drill id.

Numbers are rounded here, for reading (:func:`shown`); the stored results keep them whole.
"""

from __future__ import annotations

import html
import math
from typing import Any

from sqldrills.grading.results import WorldStatus
from sqldrills.takehome.integrity import describe_flags
from sqldrills.takehome.records import AnswerRecord, Outcome, ScoredAnswer
from sqldrills.takehome.scoring import Cohort

SIGNIFICANT = 4  # digits a number is shown with, unless more tell two numbers apart


def shown(value: Any, against: Any = None) -> str:
    """A value as people read it: a float with :data:`SIGNIFICANT` significant digits,
    more when that is needed to tell it from ``against`` (an expected value).

    >>> shown(0.1234567890123), shown(1234567.891), shown(2.0), shown(None)
    ('0.1235', '1234568', '2', '')
    >>> shown(0.333333, against=0.333334), shown(0.333334, against=0.333333)
    ('0.333333', '0.333334')
    """
    if value is None:
        return ""
    if not isinstance(value, float) or not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    other = (against if isinstance(against, float) and math.isfinite(against)
             and against != value else None)
    for digits in range(SIGNIFICANT, 18):  # the same digits for both sides of a pair
        text = _fixed(value, digits)
        if other is None or text != _fixed(other, digits):
            return text
    return repr(value)


def _fixed(value: float, digits: int) -> str:
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value)))) if value else 0
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#222;padding:0 1rem}
h1,h2,h3{line-height:1.2}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}pre{background:#f7f7f7;padding:.6rem;overflow:auto;white-space:pre-wrap}
.correct{color:#17702f;font-weight:600}.misleading{color:#9a6100;font-weight:600}
.invalid{color:#8a1f8a;font-weight:600}.error{color:#b00020;font-weight:600}
.not_attempted{color:#666;font-weight:600}.flag{background:#fff6d6}.small{color:#666;font-size:90%}
section.candidate{border-top:2px solid #ddd;margin-top:2rem}
"""


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""), quote=True)


def _verdict(verdict: Outcome) -> str:
    return f'<span class="{_e(verdict.value)}">{_e(verdict.shown)}</span>'


def _page(title: str, body: str) -> str:
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body>\n{body}\n"
            f"</body></html>\n")


def who(cohort: Cohort, candidate: str) -> str:
    """A candidate as the team reads them: "Ada Lovelace <ada@example.org> (ada)"."""
    name, email = cohort.person(candidate)
    mail = f" <{email}>" if email else ""
    return f"{name}{mail} ({candidate})" if name or email else candidate


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


def counterexample_table(record: AnswerRecord, *, where: bool = True) -> str:
    """Expected against yours for the fewest differing groups; ``where`` names the grading
    world (its seed: for the team, not for candidates)."""
    example = record.counterexample
    if not example:
        return ""
    columns = record.columns or []
    rows = []
    for diff in example.diffs:
        sides = {label: {str(k).lower(): v for k, v in {**diff.key, **(values or {})}.items()}
                 for label, values in (("expected", diff.expected), ("yours", diff.yours))}
        for label, values in (("expected", diff.expected), ("yours", diff.yours)):
            other = sides["yours" if label == "expected" else "expected"]
            cells = ([_e(shown(sides[label].get(c.lower()), other.get(c.lower())))
                      for c in columns] if values is not None
                     else ["(no row)"] + [""] * (len(columns) - 1))
            rows.append(f"<tr><th>{label}</th>{''.join(f'<td>{c}</td>' for c in cells)}</tr>")
    header = "".join(f"<th>{_e(c)}</th>" for c in columns)
    on = f" ({_e(example.description)})" if where else " (on one of the grading datasets)"
    return (f"<p>Counterexample{on}:</p>"
            f"<table><tr><th></th>{header}</tr>{''.join(rows)}</table>")


def _answer_block(cohort: Cohort, record: ScoredAnswer, *, for_candidate: bool) -> list[str]:
    out = [f"<h3>{_e(cohort.label(record.task))}: {_verdict(record.verdict)} "
           f"({record.points:g} / {record.max_points:g})</h3>"]
    if record.pitfall:
        id_note = "" if for_candidate else f" <span class='small'>({_e(record.pitfall)})</span>"
        out.append(f"<p><b>Pitfall: {_e(record.pitfall_name or record.pitfall)}</b>{id_note}</p>")
        why = cohort.explanations.get((record.task, record.pitfall))
        if why and for_candidate and why not in (record.message or ""):
            out.append(f"<p>{_e(why)}</p>")
    out.append(f"<p>{_e(record.message)}</p>")
    if (not for_candidate and record.own_world == WorldStatus.MATCH
            and record.verdict == Outcome.MISLEADING):
        out.append('<p class="flag">Integrity signal: right on the candidate\'s own data, '
                   "wrong on the hidden worlds.</p>")
    out.append(counterexample_table(record, where=not for_candidate))
    if record.warnings:
        out.append("<ul class='small'>" + "".join(f"<li>{_e(w)}</li>"
                                                 for w in record.warnings) + "</ul>")
    if record.answer:
        out.append(f"<details><summary>{'Your answer' if for_candidate else 'Answer'}"
                   f"</summary><pre>{_e(record.answer)}</pre></details>")
    return out


def _candidate_section(cohort: Cohort, candidate: str, anchor: str) -> str:
    score, max_score = cohort.total(candidate)
    out = [f'<section class="candidate" id="{_e(anchor)}"><h2>{_e(who(cohort, candidate))} — '
           f'{score:g} / {max_score:g}</h2>']
    for note in cohort.notes.get(candidate, []):
        out.append(f'<p class="small">Note: {_e(note)}</p>')
    for record in cohort.answers_of(candidate):
        out += _answer_block(cohort, record, for_candidate=False)
    out.append("</section>")
    return "\n".join(out)


def index_html(cohort: Cohort) -> str:
    anchors = {c: f"c-{i}" for i, c in enumerate(cohort.candidates)}
    head = "".join(f"<th>Task {i}</th>" for i in range(1, len(cohort.tasks) + 1))
    rows = []
    for candidate in cohort.candidates:
        score, max_score = cohort.total(candidate)
        name, email = cohort.person(candidate)
        cells = "".join(f"<td>{_verdict(a.verdict)} <span class='small'>{_e(a.pitfall)}</span></td>"
                        for a in cohort.answers_of(candidate))
        rows.append(f'<tr><td><a href="#{anchors[candidate]}">{_e(candidate)}</a></td>'
                    f"<td>{_e(name)}</td><td>{_e(email)}</td>"
                    f"<td>{score:g} / {max_score:g}</td>{cells}</tr>")
    flags = "".join(f"<li>{_e(line)}</li>" for line in describe_flags(cohort.flags)
                    ) or "<li>none</li>"
    notes = "".join(f"<li>{_e(n)}</li>" for n in cohort.warnings + cohort.folder_notes)
    tasks = "".join(f"<li>{_e(cohort.label(t.id))} <span class='small'>({_e(t.id)})</span></li>"
                    for t in cohort.tasks)
    sections = "\n".join(_candidate_section(cohort, c, anchors[c]) for c in cohort.candidates)
    counts = [(cohort.label(task).split(":")[0], pitfall, n)
              for task, pitfall, n in cohort.pitfall_counts()]
    return _page("Take-home results", f"""<h1>Take-home results</h1>
<p>{len(cohort.candidates)} candidates, {len(cohort.tasks)} tasks.</p><ul>{tasks}</ul>
{f'<ul class="small">{notes}</ul>' if notes else ''}
<h2>Overview</h2>
<table><tr><th>candidate</th><th>name</th><th>email</th><th>points</th>{head}</tr>{''.join(rows)}</table>
<h2>Pitfalls that caught candidates</h2>
{pitfall_chart(counts, len(cohort.candidates))}
<h2>Integrity signals</h2>
<p class="small">Flags for a human to look at, never penalties.</p><ul>{flags}</ul>
{sections}""")


def feedback_html(cohort: Cohort, candidate: str) -> str:
    """One candidate's results, to send them: their tasks only, nothing about anyone else."""
    score, max_score = cohort.total(candidate)
    name = cohort.person(candidate)[0] or candidate
    blocks = []
    for record in cohort.answers_of(candidate):
        blocks += _answer_block(cohort, record, for_candidate=True)
    return _page(f"Take-home feedback for {name}", f"""<h1>Your take-home results, {_e(name)}</h1>
<p>{score:g} of {max_score:g} points. Each answer was run on other datasets than yours and
compared with the expected results; where the numbers differ, a counterexample shows where.</p>
{chr(10).join(blocks)}""")
