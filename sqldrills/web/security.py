"""What keeps ``sqldrills serve`` safe on localhost, as one ASGI middleware (after Jupyter's
server): every request must carry the session's secret, a Host header naming this server
(so a DNS-rebound name cannot reach it) and, when it changes state, an Origin of this server
(so another site cannot post to it); request bodies are bounded; every response carries a
Content-Security-Policy that lets the page load only its own files.

The secret travels once in the printed URL (``/?token=...``) and is exchanged for an
HttpOnly, SameSite=Strict cookie, and the browser is sent on to the same address without it.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "sqldrills_token"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # the first URL carries the token
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
MAX_BODY_BYTES = 256 * 1024  # an answer is a few KiB; the largest drill reference is under 4 KiB
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def is_loopback(host: str) -> bool:
    """
    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(bind_host: str, port: int) -> frozenset[str] | None:
    """The Host header values this server answers: its loopback names (and the name it was
    bound to) with the port; ``None`` (any) when bound to every interface, where the token
    alone guards it.

    >>> sorted(allowed_hosts("127.0.0.1", 8765))
    ['127.0.0.1:8765', '[::1]:8765', 'localhost:8765']
    >>> allowed_hosts("0.0.0.0", 8765) is None
    True
    """
    if bind_host in ("0.0.0.0", "::", ""):
        return None
    named = f"[{bind_host}]" if ":" in bind_host else bind_host
    return frozenset(f"{name}:{port}" for name in (*_LOOPBACK_NAMES, named))


@dataclass(frozen=True)
class Policy:
    token: str
    hosts: frozenset[str] | None  # see allowed_hosts
    max_body_bytes: int = MAX_BODY_BYTES
    # Cookies are shared by every port of a host: two servers in one browser each keep theirs.
    cookie: str = COOKIE


def csp(style_nonce: str | None = None) -> str:
    """The Content-Security-Policy: only the page's own files, no inline script ever. The page
    itself names a fresh nonce for the ``<style>`` elements the editor (CodeMirror) adds.
    Style *attributes* are allowed: Chromium's own editing writes them into the editor's
    lines as a learner types (``<span style="color: ...">`` after a highlighted keyword),
    and an attribute can load nothing but this server's files (``img-src``, ``font-src``).

    >>> "script-src 'self';" in csp() and "'nonce-abc'" in csp("abc")
    True
    """
    styles = f"'self' 'nonce-{style_nonce}'" if style_nonce else "'self'"
    return (f"default-src 'self'; script-src 'self'; style-src {styles}; style-src-attr 'unsafe-inline'; "
            f"img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            f"form-action 'self'; frame-ancestors 'none'")


class Guard:
    """The ASGI middleware: answers 403 (token, Host, Origin) and 413 (body size) itself,
    and adds the security headers to every response of the app it wraps."""

    def __init__(self, app: ASGIApp, policy: Policy) -> None:
        self.app, self.policy = app, policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # a WebSocket: none is served, and none is let through
            await send({"type": "websocket.close", "code": 1008})
            return
        headers = _headers(scope)
        host = headers.get("host", "")
        if self.policy.hosts is not None and host.lower() not in self.policy.hosts:
            await _reply(send, 403, f"Host {host!r} is not this server: open the address `sqldrills serve` printed.")
            return
        # A page on another port of this host is "same-site": the Strict cookie goes with its
        # requests. The API answers this page's own requests only (browsers say whose).
        fetched_by = headers.get("sec-fetch-site")
        if scope["path"].startswith("/api/") and fetched_by not in (None, "same-origin", "none"):
            await _reply(send, 403, f"refused: a request from another site ({fetched_by})")
            return
        if scope["method"] not in _SAFE_METHODS:
            origin = headers.get("origin")
            if origin != f"{scope.get('scheme', 'http')}://{host}":
                await _reply(send, 403, f"cross-origin request refused (Origin {origin!r} is not this page)")
                return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        offered = query.get("token", [None])[0]
        if offered is not None and scope["method"] == "GET":
            if not hmac.compare_digest(offered.encode(), self.policy.token.encode()):
                await _reply(send, 403, "wrong token: open the address `sqldrills serve` printed last.")
                return
            if scope["path"] == "/" and set(query) == {"token"}:
                # The page itself, served at once with the cookie (no redirect: one round trip
                # less on the first load); the page drops the token from the address bar.
                await self.app(scope, receive, _with_headers(send, _cookie_header(self.policy)))
                return
            await _sign_in(send, scope, query, self.policy)
            return
        if not hmac.compare_digest(_cookie(headers, self.policy.cookie).encode(), self.policy.token.encode()):
            await _reply(send, 403, "not signed in: open the address `sqldrills serve` printed "
                                    "(it carries a token), in this browser.")
            return
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.policy.max_body_bytes):
            await _reply(send, 413, f"request body over {self.policy.max_body_bytes // 1024} KiB")
            return
        await self.app(scope, _bounded(receive, self.policy.max_body_bytes), _with_headers(send))


class BodyTooLarge(Exception):
    """A body sent without a Content-Length grew past the limit (answered 413 by the app)."""


def _bounded(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(f"request body over {limit // 1024} KiB")
        return message

    return bounded


def _with_headers(send: Send, *extra: tuple[bytes, bytes]) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", []), *extra]
            if not any(name.lower() == b"content-security-policy" for name, _ in headers):
                headers.append((b"content-security-policy", csp().encode()))
            message = {**message, "headers": [*headers, *SECURITY_HEADERS]}
        await send(message)

    return sending


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookie(headers: dict[str, str], name: str) -> str:
    """Our cookie's value. Parsed by hand: another localhost app's cookie (a JSON value, a
    space, no ``=``) makes ``http.cookies`` give up on the whole header.

    >>> _cookie({"cookie": 'prefs={"a": 1}; x; sqldrills_token_1=abc; b=c d'}, "sqldrills_token_1")
    'abc'
    """
    for part in headers.get("cookie", "").split(";"):
        key, found, value = part.strip().partition("=")
        if found and key == name:
            return value.strip().strip('"')
    return ""


async def _sign_in(send: Send, scope: Scope, query: dict[str, list[str]], policy: Policy) -> None:
    """Set the cookie and send the browser on to the same address without the token (a
    path that starts with one slash: never another host)."""
    rest = {k: v for k, v in query.items() if k != "token"}
    path = "/" + str(scope.get("path", "/")).lstrip("/")
    location = path + (f"?{urlencode(rest, doseq=True)}" if rest else "")
    await _send(send, 303, b"", "text/plain", [(b"location", location.encode()), _cookie_header(policy)])


def _cookie_header(policy: Policy) -> tuple[bytes, bytes]:
    return b"set-cookie", f"{policy.cookie}={policy.token}; Path=/; HttpOnly; SameSite=Strict".encode()


async def _reply(send: Send, status: int, message: str) -> None:
    """A refusal: JSON ``{"error": ...}``, the shape of every error the API answers."""
    await _send(send, status, json.dumps({"error": message}).encode(), "application/json")


async def _send(send: Send, status: int, body: bytes, content_type: str,
                extra: Iterable[tuple[bytes, bytes]] = ()) -> None:
    headers: list[Any] = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
                          (b"cache-control", b"no-store"), *extra, *SECURITY_HEADERS,
                          (b"content-security-policy", csp().encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
