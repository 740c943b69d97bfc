"""The ``sqldrills`` command line: the command group and the console script. Each family of
commands lives in its own module (``worlds``, ``drills``, ``validate``, and the take-home
group in ``sqldrills.takehome.commands``); commands stay thin calls into the engine."""

from __future__ import annotations

import atexit
import os
import sys
import threading

import click

from sqldrills import __version__
from sqldrills.cli import authoring, drills, interview, learning, serve, validate, worlds
from sqldrills.takehome.commands import takehome


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sqldrills")
def main() -> None:
    """Practise and grade the SQL mistakes that run fine but return misleading numbers.

    \b
    Start with:  sqldrills list
    Then:        sqldrills run members_not_devices
    """


for command in (worlds.generate, worlds.schema, worlds.query, worlds.shell, drills.list_, drills.show,
                drills.check, drills.hint, drills.solution, drills.progress_, drills.reset, drills.run,
                learning.handbook, learning.clarify, interview.interview, serve.serve, validate.validate, takehome,
                authoring.new):
    main.add_command(command)


def entry() -> None:  # pragma: no cover - the console script; tests call main() in-process
    """The ``sqldrills`` executable: :func:`main`, then exit without tearing down the
    interpreter when that is safe.

    Finalising every module (sqlglot, rich, duckdb) costs ~80 ms of a 0.5 s ``check``
    and does nothing useful: every file sqldrills writes is written atomically and closed,
    and every sandbox child is reaped, before a command returns. So when ``main`` leaves
    no other thread running (a process pool that was stopped early leaves its manager
    thread, whose workers must be told to stop: then the normal exit does it), the output
    is flushed, the ``atexit`` handlers run, and the process ends with ``os._exit``.
    """
    code: int | str | None
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if threading.active_count() > 1:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `sqldrills list | head`: the reader is gone
        pass
    if isinstance(code, str):  # sys.exit("message") prints it and exits 1
        sys.stderr.write(code + "\n")
        sys.stderr.flush()
        code = 1
    atexit._run_exitfuncs()
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    entry()

