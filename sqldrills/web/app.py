"""The ASGI application of ``sqldrills serve``: the page's files from the package, the JSON
API (``practice`` for the drills, ``interview`` for the timed screen), behind the
localhost guard (``security``).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from sqldrills.web import interview, practice
from sqldrills.web.api import Json, Settings
from sqldrills.web.security import Guard, Policy, allowed_hosts, csp

STATIC = Path(__file__).resolve().parent / "static"


async def _index(request: Request) -> Response:
    """The page, with a fresh nonce for the editor's ``<style>`` elements (in its CSP, and in
    a meta tag the page hands to the editor)."""
    nonce = secrets.token_urlsafe(16)
    page = (STATIC / "index.html").read_text(encoding="utf-8").replace("{{STYLE_NONCE}}", nonce)
    return HTMLResponse(page, headers={"cache-control": "no-store", "content-security-policy": csp(nonce)})


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return Json({"error": exc.detail}, exc.status_code)


def create_app(config: Settings) -> ASGIApp:
    """The whole server: Starlette routes inside the guard."""
    app = Starlette(
        routes=[
            Route("/", _index),
            *practice.routes,
            *interview.routes,
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.settings = config
    return Guard(app, Policy(config.token, allowed_hosts(config.host, config.port),
                             cookie=f"sqldrills_token_{config.port}"))
