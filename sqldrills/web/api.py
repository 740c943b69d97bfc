"""What every route of the page's JSON API shares: the server's settings, JSON in and out
(errors are ``{"error": message}`` with a status: 400 for a malformed body, 413 for a large
one), and worker threads for engine calls, so one long check never holds up the page or
another tab.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from sqldrills import DIALECTS
from sqldrills.grading.values import to_json
from sqldrills.web.security import BodyTooLarge

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """What ``sqldrills serve`` was started with."""

    answers_dir: Path = Path("answers")
    scale: str | None = None
    timeout_s: float = 10.0
    host: str = "127.0.0.1"
    port: int = 8765
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def url(self) -> str:
        """The address to open: it signs the browser in (see ``security``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        return f"http://{host}:{self.port}/?token={self.token}"


class Json(JSONResponse):
    """JSON of plain values (``values.to_json``: dates as ISO text, NaN as "NaN"), never cached."""

    def render(self, content: Any) -> bytes:
        return json.dumps(to_json(content), ensure_ascii=False, allow_nan=False).encode("utf-8")

    def __init__(self, content: Any, status_code: int = 200) -> None:
        super().__init__(content, status_code, headers={"cache-control": "no-store"})


def settings(request: Request) -> Settings:
    return request.app.state.settings


async def read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object: 400 with the reason when it is not one, 413 when too large."""
    try:
        body = await request.body()
    except BodyTooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise HTTPException(400, f"malformed JSON body: {exc}") from None
    except RecursionError:
        raise HTTPException(400, "malformed JSON body: nested too deeply") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "the body must be a JSON object")
    return data


def text_field(data: dict[str, Any], name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str):
        raise HTTPException(400, f"`{name}` must be a string" if name in data else f"`{name}` is required")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (JSON's "\ud800"): no file can hold it
        raise HTTPException(400, f"`{name}` holds a lone UTF-16 surrogate, which is not text: "
                                 "remove the stray character") from None
    return value


def dialect_field(data: dict[str, Any]) -> str:
    dialect = text_field(data, "dialect", "duckdb")
    if dialect not in DIALECTS:
        raise HTTPException(400, f"unknown dialect {dialect!r}; one of: {', '.join(DIALECTS)}")
    return dialect


async def in_thread(func: Callable[..., T], *args: Any) -> T:
    """Run blocking engine work (a grade forks its own sandbox child) off the event loop."""
    return await run_in_threadpool(func, *args)
