"""The rustlings-style loop: re-grade on every save, single-key commands."""

from __future__ import annotations

import contextlib
import select
import sys
import termios
import tty
from collections.abc import Callable, Iterator
from pathlib import Path

from sqldrills.cli import render


@contextlib.contextmanager
def _cbreak() -> Iterator[None]:
    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)


def _stamp(path: Path) -> tuple[float, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime, st.st_size


def watch(path: Path, grade: Callable[[], int], on_key: dict[str, Callable[[], None]],
          poll_s: float = 0.25) -> None:
    """Grade now, then again whenever ``path`` changes; ``q`` quits, ``r`` re-grades."""
    keys = "  ".join(f"[{k}] {name}" for k, name in
                     (("h", "hint"), ("s", "schema"), ("r", "re-grade"), ("q", "quit")))
    # Stamp before grading: a save made while the first grade runs (or just after it
    # prints) must still trigger a re-grade.
    last = _stamp(path)
    grade()
    render.console.print(f"Watching {path} - save to re-grade.  {keys}", markup=False)
    with _cbreak():
        while True:
            ready, _, _ = select.select([sys.stdin], [], [], poll_s)
            if ready:
                key = sys.stdin.read(1).lower()
                if key == "q":
                    return
                if key == "r":
                    grade()
                elif key in on_key:
                    on_key[key]()
                render.console.print(keys, markup=False)
            now = _stamp(path)
            if now != last:
                last = now
                render.console.rule()
                grade()
                render.console.print(f"Watching {path}.  {keys}", markup=False)
