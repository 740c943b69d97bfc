"""Graded take-home exercises: build one bundle per candidate, grade a folder of submissions.

The flow, one module per step:

* ``bundle`` writes, per candidate, a folder and a zip with the prompts, the candidate's own
  world, answer stubs and a bundle manifest, and the grading ``manifest.json``
  (``manifest``) at the top. No reference, trap or hint travels in a bundle.
* ``intake`` turns a folder of candidate folders and/or zips into one job per (candidate,
  task), reading answers defensively: missing, empty, non-UTF-8 and oversized answers,
  unsafe or bomb-like zips become ``error`` or ``skipped`` with a reason.
* ``grading`` grades the jobs in a process pool on the hidden worlds and appends one record
  (``records``) per answer to the ``results_log``, so an interrupted run resumes.
* ``scoring`` applies the ``rubric`` and the ``integrity`` signals and returns a cohort,
  which ``reports`` writes out; ``commands`` is the ``sqldrills takehome`` CLI.

Grading outcomes are stored without points: points come from the rubric when the reports
are written, so a changed rubric never needs a regrade.
"""


class TakehomeError(ValueError):
    """Bad input to build or grade (manifest, candidates file, rubric); one line to fix it."""
