"""Graded take-home exercises: build one bundle per candidate, grade a folder of submissions.

The flow, one module per step:

* ``bundle`` writes, per candidate, a folder and a zip with the prompts, the candidate's own
  world (``world_file``), answer stubs and a bundle manifest, and the grading
  ``manifest.json`` (``manifest``) at the top. No reference, trap, hint or drill id travels
  in a bundle: tasks are ``task_1``, ``task_2``, ... with neutral titles.
* ``intake`` turns a folder of candidate folders and/or zips into one job per (candidate,
  task), reading answers defensively (``answers``): a missing answer or an untouched stub
  is ``not_attempted``; non-UTF-8 and oversized answers, unsafe or bomb-like zips are an
  ``error`` with a reason; answers changed after the deadline are flagged (``deadline``).
* ``grading`` grades the jobs in a process pool on the hidden worlds and appends one record
  (``records``) per answer to the ``results_log``, so an interrupted run resumes.
* ``scoring`` applies the ``rubric`` and the ``integrity`` signals and returns a cohort,
  which ``reports`` and ``pages`` write out (the team's report, one feedback page per
  candidate); ``commands`` is the ``sqldrills takehome`` CLI.

Grading outcomes are stored without points: points come from the rubric when the reports
are written, so a changed rubric never needs a regrade.

Every file a take-home reads (the grading manifest, a rubric, anything in a submission) is
opened with :func:`open_regular`: only a regular file, so a named pipe or a device given
in its place is refused at once instead of hanging or flooding the run.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO


class TakehomeError(ValueError):
    """Bad input to build or grade (manifest, candidates file, rubric); one line to fix it."""


class Unreadable(Exception):
    """A path that is not read: what it is instead of a regular file, or why it failed."""


def file_kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, for a note: "a named pipe (FIFO)", ..."""
    kinds = {stat.S_IFLNK: "a symbolic link", stat.S_IFIFO: "a named pipe (FIFO)",
             stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket",
             stat.S_IFDIR: "a folder"}
    return kinds.get(stat.S_IFMT(mode), "not a regular file")


def open_regular(path: Path, *, follow: bool = False) -> BinaryIO:
    """``path`` opened for reading if it is a regular file, else :class:`Unreadable`.

    Checked three times because each check alone can be dodged: ``lstat`` (or ``stat`` with
    ``follow``) refuses links, pipes and devices before anything is opened; ``O_NOFOLLOW``
    refuses a link swapped in since, and ``O_NONBLOCK`` makes opening a pipe return at once
    instead of waiting for a writer; ``fstat`` checks what was actually opened.
    """
    try:
        mode = (os.stat(path) if follow else os.lstat(path)).st_mode
        if not stat.S_ISREG(mode):
            raise Unreadable(file_kind(mode))
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
        fd = os.open(path, flags)
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None
    handle = os.fdopen(fd, "rb")
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        handle.close()
        raise Unreadable(file_kind(mode))
    return handle


def read_regular(path: Path, limit: int, *, follow: bool = False) -> bytes:
    """At most ``limit + 1`` bytes of a regular file (one more than allowed shows it is too
    large), else :class:`Unreadable`."""
    with open_regular(path, follow=follow) as handle:
        try:
            return handle.read(limit + 1)
        except OSError as exc:
            raise Unreadable(exc.strerror or str(exc)) from None


def read_user_file(path: Path, limit: int) -> bytes:
    """A file the grader names (the grading manifest, a rubric): links are followed, but
    only a regular file of at most ``limit`` bytes is read, else :class:`Unreadable`."""
    data = read_regular(path, limit, follow=True)
    if len(data) > limit:
        raise Unreadable(f"larger than {limit:,} bytes")
    return data
