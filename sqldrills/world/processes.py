"""Work in a process of its own: a world build (``cache.build_to``), and each chunk of
one (``generate``).

Spawned processes rather than threads: a crash inside DuckDB ends only the process it
happened in, and a process's memory goes back to the system when it ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqldrills.grading.sandbox import first_lines

# DuckDB 2.0 sometimes fails a chunk with an internal assertion ("dict-surviving cache:
# global dictionary column 3 changed identity"), seen at `large` only and not reproducible
# on its own: a chunk is one INSERT, which rolls back when it fails, so it is run again.
INTERNAL_ERROR_ATTEMPTS = 3


def child_messages(context: Any, target: Callable[..., None], args: tuple, daemon: bool = False
                   ) -> Iterator[tuple[str, Any]]:
    """Run ``target(*args, send)`` in a new process of ``context``; yield each message it
    sends, then ``("exit", exit code)`` once it has ended. Leaving the loop early (a
    ``break``, an exception) kills the process: nothing outlives its caller's interest.
    """
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=target, args=(*args, send), daemon=daemon)
    try:
        child.start()
        send.close()
        while True:
            try:
                message = receive.recv()
            except EOFError:
                break
            yield message
        child.join()
        yield ("exit", child.exitcode)
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
            child.join()


def run_in_child(context: Any, work: Callable[..., None], args: tuple) -> str | None:
    """Run ``work(*args)`` in a new process of ``context``: None if it returned, else what
    went wrong (the error's first lines, or how the process ended).

    ``work`` must be a module-level function, which the new process imports.
    """
    error, done = None, False
    for kind, payload in child_messages(context, _report_to_parent, (work, args), daemon=True):
        if kind == "done":
            done = True
        elif kind == "error":
            error = payload
        elif kind == "exit" and not done and error is None:
            error = f"the process stopped (exit code {payload})"
    return error


def retry_internal_errors(attempt: Callable[[], str | None],
                          retrying: Callable[[int], None] | None = None) -> str | None:
    """Call ``attempt`` (None if it worked, else what went wrong) until it works, fails
    other than by a DuckDB internal error, or has failed ``INTERNAL_ERROR_ATTEMPTS`` times;
    return its last outcome. ``retrying(n)`` is called before attempt n > 1.
    """
    error = None
    for n in range(1, INTERNAL_ERROR_ATTEMPTS + 1):
        if n > 1 and retrying:
            retrying(n)
        error = attempt()
        if error is None or "INTERNAL Error" not in error:
            return error
    return error


def _report_to_parent(work: Callable[..., None], args: tuple, send: Any) -> None:
    """The child half of ``run_in_child``."""
    _die_with_parent()
    try:
        work(*args)
        send.send(("done", None))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        # DuckDB's internal errors carry a stack trace: the parent needs the first lines.
        send.send(("error", f"{type(exc).__name__}: {first_lines(exc)}"))
    finally:
        send.close()


def _die_with_parent() -> None:
    """Linux: end this process when the one that started it dies (a killed build)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
