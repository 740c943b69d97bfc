"""The rustlings-style loop: re-grade on every save, single-key commands."""

from __future__ import annotations

import contextlib
import os
import select
import sys
import termios
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path

from sqldrills.cli import render

# A key: what the legend calls it, and what it does.
Keys = dict[str, tuple[str, Callable[[], None]]]


@contextlib.contextmanager
def _cbreak() -> Iterator[None]:
    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)


@contextlib.contextmanager
def keypresses(poll_s: float = 0.25) -> Iterator[Iterator[str | None]]:
    """Single keys from the terminal as they are pressed (lower case), without waiting for
    Enter; ``None`` every ``poll_s`` without one, so the caller can watch files or a clock.
    The terminal reads single keys from entering the block on: print the legend inside it."""
    fd = sys.stdin.fileno()

    def keys() -> Iterator[str | None]:
        while True:
            ready, _, _ = select.select([fd], [], [], poll_s)
            # One byte from the descriptor, not sys.stdin.read(1): that buffers every key
            # typed so far and select() would not see the rest until another key came.
            yield os.read(fd, 1).decode(errors="replace").lower() if ready else None

    with _cbreak():
        yield keys()


def legend(keys: Keys, *more: tuple[str, str]) -> str:
    """``[h] hint  [q] quit``: the keys' names, then ``more`` (key, name) pairs."""
    return "  ".join(f"[{key}] {name}" for key, name in
                     [*((key, name) for key, (name, _) in keys.items()), *more])


def stamp(path: Path) -> tuple[float, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime, st.st_size


def watch(path: Path, grade: Callable[[], int], keys: Keys, poll_s: float = 0.25) -> None:
    """Grade now, then again whenever ``path`` changes; ``r`` re-grades, ``q`` quits, every
    other key in ``keys`` does its action. Each verdict and each key's output comes under a
    rule of its own, so one can tell the latest from those before it."""
    shown = legend(keys, ("r", "re-grade"), ("q", "quit"))

    def graded(why: str) -> None:
        render.separator(f"{time.strftime('%H:%M:%S')}  {why}")
        grade()
        render.console.print(f"Watching {path} - save to re-grade.  {shown}", markup=False)

    # Stamp before grading: a save made while the first grade runs (or just after it
    # prints) must still trigger a re-grade.
    last = stamp(path)
    with keypresses(poll_s) as pressed:
        graded(f"grading {path.name}")
        for key in pressed:
            if key == "q":
                return
            if key == "r":
                graded(f"re-grading {path.name}")
            elif key in keys:
                render.separator(keys[key][0])
                keys[key][1]()
                render.console.print(shown, markup=False)
            now = stamp(path)
            if now != last:
                last = now
                graded(f"{path.name} saved")
