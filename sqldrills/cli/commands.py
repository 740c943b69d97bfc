"""The ``sqldrills`` command line: the command group and the console script. Each family of
commands lives in its own module (``worlds``, ``drills``, ``validate``, and the take-home
group in ``sqldrills.takehome.commands``); commands stay thin calls into the engine."""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading

import click

from sqldrills import __version__

# Each command's module is imported when that command runs (or `--help` lists them all):
# a one-shot `sqldrills check` does not pay for the page, the take-home or the shell.
COMMANDS = {
    "generate": "sqldrills.cli.worlds:generate", "schema": "sqldrills.cli.worlds:schema",
    "query": "sqldrills.cli.worlds:query", "shell": "sqldrills.cli.worlds:shell",
    "list": "sqldrills.cli.drills:list_", "show": "sqldrills.cli.drills:show",
    "check": "sqldrills.cli.drills:check", "hint": "sqldrills.cli.drills:hint",
    "solution": "sqldrills.cli.drills:solution", "progress": "sqldrills.cli.drills:progress_",
    "reset": "sqldrills.cli.drills:reset", "run": "sqldrills.cli.drills:run",
    "handbook": "sqldrills.cli.learning:handbook", "clarify": "sqldrills.cli.learning:clarify",
    "interview": "sqldrills.cli.interview:interview", "serve": "sqldrills.cli.serve:serve",
    "validate": "sqldrills.cli.validate:validate", "takehome": "sqldrills.takehome.commands:takehome",
    "new": "sqldrills.cli.authoring:new",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (click's documented pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, name = COMMANDS[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sqldrills")
def main() -> None:
    """Practise and grade the SQL mistakes that run fine but return misleading numbers.

    \b
    Start with:  sqldrills list
    Then:        sqldrills run members_not_devices
    """


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

