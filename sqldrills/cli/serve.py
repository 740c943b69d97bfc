"""``sqldrills serve``: the drills in a browser page on this machine (``sqldrills.web``), served
by uvicorn, on the same grader, answer files and progress as the terminal."""

from __future__ import annotations

import errno
import socket
import threading
import webbrowser
from pathlib import Path

import click

from sqldrills.cli import render
from sqldrills.cli.options import Failure, catalog_option, scale_option, timeout_option


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, made here so that a port in use is said plainly (and ``--port 0``
    gets a free one, whose number is then printed)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise Failure(f"port {port} on {host} is in use (another `sqldrills serve`?); pass --port") from None
        raise Failure(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on. Anything but loopback exposes your answers to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0 picks a free port.")
@click.option("--open/--no-open", "open_browser", default=True, show_default=True,
              help="Open the page in your browser.")
@click.option("--answers-dir", type=click.Path(path_type=Path), default=Path("answers"),
              show_default=True, help="Where your answer files live (the same as `sqldrills run`'s).")
@timeout_option
@scale_option
@catalog_option
def serve(host: str, port: int, open_browser: bool, answers_dir: Path, timeout: float, scale: str | None) -> None:
    """Practise in your browser: drills, an SQL editor, your rows and the verdict, offline.

    Prints a private address (with a token) and opens it. Answers are the same
    answers/<id>.sql files `sqldrills run` watches; progress is the same as `sqldrills list`.

    \b
    Examples:
      sqldrills serve
      sqldrills serve --no-open --port 9000
    """
    import uvicorn

    from sqldrills.cli.worlds import practice_db
    from sqldrills.web.api import Settings
    from sqldrills.web.app import create_app
    from sqldrills.web.security import is_loopback

    if not is_loopback(host):
        render.message(f"Warning: listening on {host}: anyone who can reach this machine and learns the token "
                       f"can run queries here and read your answers. Use the default 127.0.0.1 unless you "
                       f"mean it.", stderr=True, style="bold red")
    practice_db(scale)  # built before the first Run, with its progress bar
    sock = bind(host, port)
    config = Settings(answers_dir=answers_dir, scale=scale, timeout_s=timeout, host=host,
                      port=sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(create_app(config), log_level="warning", access_log=False,
                                           timeout_graceful_shutdown=2))
    # The address on a line of its own, never wrapped: a narrow terminal must not break it.
    render.console.print(f"sqldrills is at:\n{config.url}", soft_wrap=True)
    render.console.print(f"Answers in {answers_dir.resolve()}. Stop with Ctrl-C.")
    launcher = launcher_page(config.url) if open_browser else None
    if launcher is not None:
        threading.Timer(0.5, webbrowser.open, (launcher.as_uri(),)).start()
    try:
        server.run(sockets=[sock])
    finally:
        if launcher is not None:
            launcher.unlink(missing_ok=True)


def launcher_page(url: str) -> Path:
    """A page only this user can read (0600) that sends the browser on to ``url``: the
    browser is started with its ``file://`` address, so the token never shows in a command
    line other users can read (``ps``), as Jupyter does."""
    import html
    import os
    import tempfile

    fd, name = tempfile.mkstemp(prefix="sqldrills-serve-", suffix=".html")
    target = html.escape(url, quote=True)
    with os.fdopen(fd, "w", encoding="utf-8") as page:
        page.write(f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={target}">'
                   f'<title>sqldrills</title><p><a href="{target}">Open sqldrills</a></p>\n')
    return Path(name)
