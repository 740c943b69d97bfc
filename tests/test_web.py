"""The browser page's server (``sqldrills serve``): its API through Starlette's TestClient, and
the real uvicorn server where concurrency matters. The page itself: test_web_browser.py."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvicorn
from click.testing import CliRunner

from sqldrills.catalog.challenges import get
from sqldrills.cli.commands import main
from sqldrills.cli.serve import bind
from sqldrills.web.api import Settings
from sqldrills.web.app import create_app

with warnings.catch_warnings():  # Starlette 1.x suggests httpx2; the lock holds httpx, which works
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

DRILL = "members_not_devices"
BASE = "http://127.0.0.1:8765"
ORIGIN = {"origin": BASE}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private progress store for each test."""
    monkeypatch.setenv("SQLDRILLS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def config(tmp_path: Path, data_dir: Path) -> Settings:
    return Settings(answers_dir=tmp_path / "answers", token="secret-token", port=8765)


@pytest.fixture
def anonymous(config: Settings) -> TestClient:
    return TestClient(create_app(config), base_url=BASE)


@pytest.fixture
def client(anonymous: TestClient) -> TestClient:
    assert anonymous.get("/?token=secret-token", follow_redirects=False).status_code == 200
    return anonymous


def progress(data_dir: Path) -> dict:
    return json.loads((data_dir / "progress.json").read_text())


# --- safe on localhost -----------------------------------------------------------------------

def test_the_token_signs_in_once_with_a_strict_httponly_cookie(anonymous: TestClient) -> None:
    assert anonymous.get("/api/drills").status_code == 403
    assert anonymous.get("/").status_code == 403
    assert anonymous.get("/static/app.js").status_code == 403
    assert anonymous.get("/?token=wrong", follow_redirects=False).status_code == 403

    signed = anonymous.get("/?token=secret-token", follow_redirects=False)
    # The page at once, with the cookie (the page itself drops the token from the address bar).
    assert signed.status_code == 200 and '<script src="/static/app.js"' in signed.text
    assert "secret-token" not in signed.text
    elsewhere = anonymous.get("/?token=secret-token&x=1", follow_redirects=False)
    assert elsewhere.status_code == 303 and elsewhere.headers["location"] == "/?x=1"  # the token leaves
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "secret-token" in cookie
    page = anonymous.get("/")
    assert page.status_code == 200 and '<script src="/static/app.js"' in page.text


def test_a_foreign_host_or_origin_is_refused(client: TestClient) -> None:
    # DNS rebinding: the attacker's name resolves to 127.0.0.1, the Host header still says it.
    assert client.get("/api/drills", headers={"host": "evil.example:8765"}).status_code == 403
    assert client.get("/api/drills", headers={"host": "localhost:8765"}).status_code == 200
    # A state-changing request needs this page's Origin.
    body = {"sql": "SELECT 1"}
    assert client.put(f"/api/drills/{DRILL}/answer", json=body).status_code == 403
    refused = client.put(f"/api/drills/{DRILL}/answer", json=body, headers={"origin": "http://evil.example"})
    assert refused.status_code == 403 and "cross-origin" in refused.json()["error"]
    assert client.put(f"/api/drills/{DRILL}/answer", json=body, headers=ORIGIN).status_code == 200


def test_every_response_forbids_inline_script_and_other_hosts(client: TestClient) -> None:
    for path in ("/", "/api/drills", "/static/editor.js", "/api/nope"):
        policy = client.get(path).headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self';" in policy, path
        assert "unsafe-inline" not in policy.split("style-src-attr")[0], path
    page = client.get("/")
    nonce = page.headers["content-security-policy"].split("'nonce-")[1].split("'")[0]
    assert f'content="{nonce}"' in page.text  # handed to the editor for its <style> elements
    assert nonce not in client.get("/").text  # fresh on every load
    assert "<script>" not in page.text and not re.search(r"\son\w+=", page.text)  # no inline script
    assert page.headers["referrer-policy"] == "no-referrer"


def test_bodies_are_bounded_and_must_be_json_objects(client: TestClient) -> None:
    big = "x" * (300 * 1024)
    assert client.put(f"/api/drills/{DRILL}/answer", json={"sql": big}, headers=ORIGIN).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(300):
            yield b"x" * 1024

    chunked = client.put(f"/api/drills/{DRILL}/answer", content=chunks(), headers=ORIGIN)
    assert chunked.status_code == 413
    malformed = client.post(f"/api/drills/{DRILL}/run", content=b'{"sql": ', headers=ORIGIN)
    assert malformed.status_code == 400 and "malformed JSON" in malformed.json()["error"]
    assert client.post(f"/api/drills/{DRILL}/run", json=["SELECT 1"], headers=ORIGIN).status_code == 400
    wrong = client.post(f"/api/drills/{DRILL}/run", json={"sql": 1}, headers=ORIGIN)
    assert wrong.status_code == 400 and wrong.json()["error"] == "`sql` must be a string"
    dialect = client.post(f"/api/drills/{DRILL}/run", json={"sql": "SELECT 1", "dialect": "oracle"}, headers=ORIGIN)
    assert dialect.status_code == 400 and "unknown dialect" in dialect.json()["error"]


def test_unknown_drills_and_tables_say_what_exists(client: TestClient) -> None:
    missing = client.get("/api/drills/members_not_device")
    assert missing.status_code == 404 and "members_not_devices" in missing.json()["error"]
    table = client.get("/api/schema/nope")
    assert table.status_code == 404 and "accounts" in table.json()["error"]


def test_serve_warns_before_listening_on_every_interface(data_dir: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "sqldrills.cli", "serve", "--no-open", "--port", "0",
                             "--host", "0.0.0.0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "40"})  # a narrow terminal
    try:
        assert proc.stdout is not None
        lines = []
        while not lines or "token=" not in lines[-1]:
            lines.append(proc.stdout.readline())
            assert lines[-1], "".join(lines)
    finally:
        proc.terminate()
        proc.wait(10)
    printed = "".join(lines)
    assert printed.startswith("Warning: listening on 0.0.0.0"), printed
    assert re.search(r"^http://127\.0\.0\.1:\d+/\?token=[\w-]{40,}$", printed, re.M), printed  # whole, on one line


def test_a_port_in_use_is_said_plainly() -> None:
    taken = bind("127.0.0.1", 0)
    try:
        result = CliRunner().invoke(main, ["serve", "--no-open", "--port", str(taken.getsockname()[1])])
        assert result.exit_code == 1 and "is in use" in result.output and "--port" in result.output
    finally:
        taken.close()


# --- one engine: the CLI's grading, query path, answer files and progress -----------------------

def test_a_drill_page_from_the_starter_file_to_the_solution(client: TestClient, config: Settings,
                                                             data_dir: Path) -> None:
    drill = get(DRILL)
    page = client.get(f"/api/drills/{DRILL}").json()
    answer = config.answers_dir / f"{DRILL}.sql"
    assert page["answer"] == answer.read_text() and "Output columns: day, viewers" in page["answer"]
    assert page["status"] == "new" and page["hints"] == [] and page["hints_total"] == len(drill.hints)
    assert "<strong>" in page["prompt_html"] and page["tables"] == ["accounts", "events", "dataset_info"]

    untouched = client.post(f"/api/drills/{DRILL}/check", json={"sql": page["answer"]}, headers=ORIGIN).json()
    assert untouched["verdict"] is None and not (data_dir / "progress.json").exists()  # not an attempt

    trap = drill.trap("count_devices")
    wrong = client.post(f"/api/drills/{DRILL}/check", json={"sql": trap.sql}, headers=ORIGIN).json()
    assert (wrong["verdict"], wrong["pitfall"], wrong["pitfall_name"]) == ("misleading", trap.id, trap.name)
    assert wrong["counterexample"]["header"] == ["", "day", "viewers"]
    assert {row[0] for row in wrong["counterexample"]["rows"]} == {"expected", "yours"}
    assert [w["rule"] for w in wrong["warnings"]] == ["SD101"] and wrong["warnings"][0]["line"] == 3
    assert answer.read_text() == trap.sql  # the file `sqldrills run` watches
    assert wrong["status"] == "attempted"

    rows = client.post(f"/api/drills/{DRILL}/run", json={"sql": trap.sql}, headers=ORIGIN).json()
    assert rows["columns"] == ["day", "viewers"] and len(rows["rows"]) == rows["row_count"] == 7
    assert rows["elapsed_ms"] > 0

    hint = client.post(f"/api/drills/{DRILL}/hint", headers=ORIGIN).json()
    assert len(hint["hints"]) == 1 and hint["note"] is None
    refused = client.post(f"/api/drills/{DRILL}/solution", headers=ORIGIN)
    assert refused.status_code == 409 and "solve" in refused.json()["error"]

    right = client.post(f"/api/drills/{DRILL}/check", json={"sql": drill.reference}, headers=ORIGIN).json()
    assert right["verdict"] == "correct" and right["counterexample"] is None and right["status"] == "solved"
    solution = client.post(f"/api/drills/{DRILL}/solution", headers=ORIGIN).json()
    assert solution["reference"] == drill.reference.strip()
    assert [t["name"] for t in solution["traps"]] == [t.name for t in drill.traps]

    # The same store `sqldrills list` and `progress` read.
    entry = progress(data_dir)[DRILL]
    assert (entry["attempts"], entry["solved_how"], entry["last_pitfall"]) == (2, "with hints", None)
    listed = CliRunner().invoke(main, ["list", "--json"], catch_exceptions=False)
    assert {"id": DRILL, "status": "solved, with hints"}.items() <= next(
        r for r in json.loads(listed.output) if r["id"] == DRILL).items()
    assert next(d for d in client.get("/api/drills").json()["drills"] if d["id"] == DRILL)["status_text"] == \
        "solved, with hints"


def test_run_shows_the_sandbox_refusal_and_the_learners_words(client: TestClient) -> None:
    refused = client.post(f"/api/drills/{DRILL}/run", json={"sql": "DELETE FROM accounts"}, headers=ORIGIN).json()
    assert "DELETE" in refused["error"] or "refused" in refused["error"].lower()
    typo = client.post(f"/api/drills/{DRILL}/run", json={"sql": "SELECT viewr FROM events"}, headers=ORIGIN).json()
    assert "column `viewr` does not exist" in typo["error"]
    postgres = client.post(f"/api/drills/{DRILL}/run", json={"sql": "SELECT 7 / 2 AS q", "dialect": "postgres"},
                           headers=ORIGIN).json()
    assert postgres["rows"] == [["3"]]  # integer division, as PostgreSQL does


def test_hints_and_clarifications_stop_at_the_last(client: TestClient, data_dir: Path) -> None:
    drill = get(DRILL)
    for _ in range(len(drill.clarifications)):
        client.post(f"/api/drills/{DRILL}/clarify", headers=ORIGIN)
    last = client.post(f"/api/drills/{DRILL}/clarify", headers=ORIGIN).json()
    assert len(last["clarifications"]) == len(drill.clarifications) and last["note"].startswith("No more")
    assert progress(data_dir)[DRILL]["clarifications_revealed"] == len(drill.clarifications)


def test_the_schema_has_meanings_and_example_values(client: TestClient) -> None:
    tables = client.get("/api/schema").json()["tables"]
    assert "NOT unique" in next(c["meaning"] for c in tables["events"] if c["name"] == "event_id")
    examples = client.get("/api/schema/events").json()["examples"]
    assert "play_start" in examples["event_type"] or "app_open" in examples["event_type"]


def test_an_interview_through_the_api(client: TestClient, config: Settings, data_dir: Path) -> None:
    assert client.get("/api/interview").json()["interview"] is None
    assert client.post("/api/interview/tick", headers=ORIGIN).status_code == 409
    bad = client.post("/api/interview/start", json={"minutes": -1}, headers=ORIGIN)
    assert bad.status_code == 400 and "minutes" in bad.json()["error"]
    started = client.post("/api/interview/start", json={"drills": [DRILL, "duplicate_events"], "minutes": 30},
                          headers=ORIGIN).json()
    assert [t["drill"] for t in started["tasks"]] == [DRILL, "duplicate_events"]
    assert started["task"]["drill"] == DRILL and "viewers" in started["task"]["prompt_html"]
    assert "Output columns: day, viewers" in started["task"]["answer"]  # the starter file
    assert 29 * 60 < started["remaining_s"] <= 30 * 60
    assert client.post("/api/interview/start", json={}, headers=ORIGIN).status_code == 409  # one at a time

    stale = client.put("/api/interview/answer", json={"sql": "SELECT 2", "drill": "duplicate_events"}, headers=ORIGIN)
    assert stale.status_code == 409  # a save meant for another task never lands in this one
    asked = client.post("/api/interview/clarify", headers=ORIGIN).json()
    assert len(asked["task"]["clarifications"]) == 1
    preview = client.post("/api/interview/run", json={"sql": get(DRILL).reference}, headers=ORIGIN).json()
    assert preview["columns"] == ["day", "viewers"]
    submitted = client.post("/api/interview/submit", json={"sql": get(DRILL).reference}, headers=ORIGIN).json()
    assert submitted["tasks"][0]["verdict"] == "correct" and submitted["tasks"][1]["verdict"] is None  # held
    assert submitted["task"]["drill"] == "duplicate_events" and not submitted["finished"]
    assert (config.answers_dir / "interview" / f"{DRILL}.sql").read_text() == get(DRILL).reference

    ended = client.post("/api/interview/end", headers=ORIGIN).json()
    assert ended["finished"] and [row[1] for row in ended["scorecard"]["rows"]] == ["correct", "skipped"]
    history = client.get("/api/interview").json()
    assert history["interview"] is None and [r[1] for r in history["history"]["rows"]] == [DRILL, "duplicate_events"]
    # The terminal's history: `sqldrills progress --interviews`.
    cli = CliRunner().invoke(main, ["progress", "--interviews", "--json"], catch_exceptions=False)
    assert [r["verdict"] for r in json.loads(cli.output)] == ["correct", "skipped"]


# --- concurrency, on the real server -----------------------------------------------------------

@pytest.fixture
def live(tmp_path: Path, data_dir: Path) -> Iterator[str]:
    """uvicorn in a thread, serving the app on a free port; its signed-in origin."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = Settings(answers_dir=tmp_path / "answers", token="t", port=port, timeout_s=2.0)
    server = uvicorn.Server(uvicorn.Config(create_app(config), log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    sock.close()


@contextlib.contextmanager
def signed_in(origin: str) -> Iterator[httpx.Client]:
    """A browser tab's requests: signed in, with this page's Origin."""
    with httpx.Client(base_url=origin, headers={"origin": origin}, timeout=60) as client:
        client.get("/?token=t")
        yield client


def test_a_long_check_does_not_hold_up_the_page(live: str) -> None:
    slow = "SELECT count(*) AS viewers, 1 AS day FROM events a, events b, events c, events d"
    with signed_in(live) as tab1, signed_in(live) as tab2, ThreadPoolExecutor(1) as pool:
        pending = pool.submit(tab1.post, f"/api/drills/{DRILL}/check", json={"sql": slow})
        time.sleep(0.5)  # the check is running in its sandbox now
        started = time.perf_counter()
        listed = tab2.get("/api/drills")
        quick = time.perf_counter() - started
        assert listed.status_code == 200 and not pending.done()
        assert quick < 1.0, f"the drill list waited {quick:.1f} s for another tab's check"
        result = pending.result().json()
    assert result["verdict"] == "error"


def test_two_tabs_checking_at_once_lose_nothing(live: str, data_dir: Path, tmp_path: Path) -> None:
    drills = [get(DRILL), get("duplicate_events")]
    jobs = [(d, sql) for d in drills for sql in (d.reference, d.traps[0].sql)] * 2
    with signed_in(live) as tab1, signed_in(live) as tab2, ThreadPoolExecutor(4) as pool:
        futures = [pool.submit((tab1, tab2)[i % 2].post, f"/api/drills/{d.id}/check", json={"sql": sql})
                   for i, (d, sql) in enumerate(jobs)]
        verdicts = [f.result().json()["verdict"] for f in futures]
    assert verdicts == ["correct", "misleading"] * 4
    store = progress(data_dir)
    assert [store[d.id]["attempts"] for d in drills] == [4, 4] and all(store[d.id]["solved"] for d in drills)
    for d in drills:  # each answer file holds one whole answer, never a mix of two
        assert (tmp_path / "answers" / f"{d.id}.sql").read_text() in (d.reference, d.traps[0].sql)


# --- what an attack run found (a stranger on this machine, another site, odd input) ----------

def test_other_localhost_cookies_and_other_servers_do_not_sign_the_learner_out(config: Settings) -> None:
    first = TestClient(create_app(config), base_url=BASE)
    signed = first.get("/?token=secret-token", follow_redirects=False)
    assert signed.headers["set-cookie"].startswith("sqldrills_token_8765=")  # one cookie per server
    # Another app on localhost set cookies http.cookies cannot parse: ours is still found.
    header = 'prefs={"theme": "dark"}; x; sqldrills_token_8765=secret-token; y=a b'
    assert TestClient(create_app(config), base_url=BASE).get("/api/drills", headers={"cookie": header}).status_code == 200
    # A second server on another port keeps its own cookie beside the first's.
    other = Settings(answers_dir=config.answers_dir, token="other-token", port=9876)
    both = "sqldrills_token_8765=secret-token; sqldrills_token_9876=other-token"
    assert TestClient(create_app(other), base_url="http://127.0.0.1:9876").get(
        "/api/drills", headers={"cookie": both}).status_code == 200
    assert first.get("/api/drills", headers={"cookie": both}).status_code == 200


def test_the_api_answers_only_this_page_and_never_a_websocket(client: TestClient) -> None:
    for site in ("same-site", "cross-site"):  # a page on another port is same-site
        refused = client.get(f"/api/drills/{DRILL}", headers={"sec-fetch-site": site})
        assert refused.status_code == 403 and site in refused.json()["error"]
    assert client.get(f"/api/drills/{DRILL}", headers={"sec-fetch-site": "same-origin"}).status_code == 200
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/api/drills"):
        pass
    assert _sign_in_location(client, "//evil.example/") == "/evil.example/"  # a path here, never another host


def _sign_in_location(client: TestClient, path: str) -> str:
    """Where signing in at ``path`` sends the browser (an ASGI call: HTTP clients tidy ``//``)."""
    import asyncio

    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"token=secret-token",
             "headers": [(b"host", b"127.0.0.1:8765")], "scheme": "http"}
    asyncio.run(client.app(scope, receive, send))
    return dict(sent[0]["headers"])[b"location"].decode()


def test_odd_input_gets_a_clear_400_or_404_and_changes_nothing(client: TestClient, config: Settings) -> None:
    nested = client.post(f"/api/drills/{DRILL}/run", content="[" * 100_000, headers=ORIGIN)
    assert nested.status_code == 400 and "nested" in nested.json()["error"]
    client.put(f"/api/drills/{DRILL}/answer", json={"sql": "SELECT 1"}, headers=ORIGIN)
    surrogate = client.put(f"/api/drills/{DRILL}/answer", content='{"sql": "SELECT \\ud800"}',
                           headers={**ORIGIN, "content-type": "application/json"})
    assert surrogate.status_code == 400 and "surrogate" in surrogate.json()["error"]
    assert (config.answers_dir / f"{DRILL}.sql").read_text() == "SELECT 1"
    assert client.get("/api/drills/" + "a" * 300).status_code == 404
    many = client.post("/api/interview/start", json={"drills": [DRILL] * 31, "new": True}, headers=ORIGIN)
    assert many.status_code == 400 and "at most" in many.json()["error"]


def test_the_browser_is_sent_the_token_through_a_private_page_not_its_command_line() -> None:
    from sqldrills.cli.serve import launcher_page

    url = "http://127.0.0.1:8765/?token=abc&x=1"
    page = launcher_page(url)
    try:
        assert page.stat().st_mode & 0o777 == 0o600 and "token" not in page.as_uri()
        assert 'content="0;url=http://127.0.0.1:8765/?token=abc&amp;x=1"' in page.read_text()
    finally:
        page.unlink()
