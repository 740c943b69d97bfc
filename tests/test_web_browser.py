"""``sqldrills serve`` in a real browser: the real command in a subprocess, Debian's Chromium
driven by Playwright, a learner's whole path through a drill and an interview. Every request
the page makes is recorded, and any to another host fails the test (the page is offline).

A screenshot of each step is saved under $SQLDRILLS_ARTIFACTS (default: the test's tmp
folder); the path is printed. Without /usr/bin/chromium the tests fail, they never skip:
`scripts/browser.sh` installs it (as root).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sqldrills.catalog.challenges import get, load_all

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DRILL = "members_not_devices"
URL = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=[\w-]+")


class Server:
    def __init__(self, url: str, data_dir: Path, answers_dir: Path) -> None:
        self.url, self.data_dir, self.answers_dir = url, data_dir, answers_dir
        self.origin = f"http://{urlsplit(url).netloc}"

    def progress(self) -> dict:
        path = self.data_dir / "progress.json"
        return json.loads(path.read_text()) if path.exists() else {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`sqldrills serve` itself, with a private data directory and answers folder (the world
    cache and the tiny scale are the suite's, from conftest)."""
    root = tmp_path_factory.mktemp("serve")
    data_dir, answers_dir = root / "data", root / "answers"
    env = {**os.environ, "SQLDRILLS_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "sqldrills.cli", "serve", "--no-open", "--port", "0",
                             "--answers-dir", str(answers_dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        seen = []
        deadline = time.monotonic() + 180
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            match = URL.search(line)
            if match:
                yield Server(match.group(0), data_dir, answers_dir)
                return
        pytest.fail("sqldrills serve printed no address:\n" + "".join(seen))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with "
                    f"`scripts/browser.sh` (as root: apt-get install -y chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def shots(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    folder = Path(os.environ.get("SQLDRILLS_ARTIFACTS") or tmp_path) / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    print(f"screenshots: {folder}")


@pytest.fixture
def page(browser, server: Server) -> Iterator[object]:
    """A fresh browser tab that records every request and every console error."""
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    tab = context.new_page()
    tab.requests, tab.errors = [], []
    tab.add_init_script("""document.addEventListener("securitypolicyviolation", (e) => console.error(
        `CSP violation: ${e.violatedDirective} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${e.sample}`));""")
    tab.on("request", lambda req: tab.requests.append(req.url))
    tab.on("console", lambda msg: tab.errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    yield tab
    context.close()
    elsewhere = [u for u in tab.requests if urlsplit(u).scheme not in ("data",) and
                 f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" != server.origin]
    assert elsewhere == [], f"the page left localhost: {elsewhere}"
    assert tab.errors == [], f"errors in the page (a CSP violation names itself here): {tab.errors}"


def replace_answer(page, sql: str, editor: str = "#editor") -> None:
    """Select all in the editor and paste ``sql``, as a learner pastes: a paste event with the
    text on its clipboard (typing it would meet autocomplete and auto-indentation, and
    inserting text into the page directly makes Chromium turn runs of spaces into no-break
    spaces, which the grader rightly refuses)."""
    page.click(f"{editor} .cm-content")
    page.keyboard.press("Control+a")
    page.eval_on_selector(f"{editor} .cm-content", """(node, text) => {
        const data = new DataTransfer();
        data.setData("text/plain", text);
        node.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    }""", sql)


def test_a_learner_solves_a_drill_in_the_browser(page, server: Server, shots: Path) -> None:
    from playwright.sync_api import expect

    drill = get(DRILL)
    trap = drill.trap("count_devices")
    page.goto(server.url)
    expect(page.locator(f"a[data-drill={DRILL}]")).to_be_visible()
    assert "token=" not in page.url, "the token is exchanged for a cookie and leaves the address bar"
    expect(page.locator(f"a[data-drill={DRILL}] .status")).to_have_text("new")
    expect(page.locator("#drill-list .track h2").first).to_have_text("grain")
    page.screenshot(path=shots / "01-drill-list.png", full_page=True)

    page.click(f"a[data-drill={DRILL}]")
    expect(page.locator("#drill-title")).to_have_text(drill.title)
    expect(page.locator("#drill-contract")).to_contain_text("day, viewers")
    expect(page.locator(".cm-content")).to_contain_text("Output columns: day, viewers")  # the starter file

    # Autocomplete knows the world's tables.
    page.click(".cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.type("SELECT account_id FROM acc")
    expect(page.locator(".cm-tooltip-autocomplete")).to_contain_text("accounts")
    page.screenshot(path=shots / "02-autocomplete.png")
    page.keyboard.press("Escape")

    # A wrong answer: checked with Ctrl-Shift-Enter, the pitfall named, the line marked.
    # As a learner would write it: the trap's query without its name and explanation.
    replace_answer(page, "\n".join(line for line in trap.sql.splitlines() if not line.startswith("-- ")))
    page.keyboard.press("Control+Shift+Enter")
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verdict", "misleading", timeout=60_000)
    expect(page.locator("#pitfall")).to_contain_text(trap.name)
    expect(page.locator("#counterexample table")).to_contain_text("expected")
    expect(page.locator("#warnings")).to_contain_text("SD101")
    expect(page.locator(".cm-lintRange-warning").first).to_be_visible()
    expect(page.locator("#drill-status")).to_have_attribute("data-status", "attempted")
    page.screenshot(path=shots / "03-check-misleading.png", full_page=True)

    # Run (Ctrl-Enter): the first rows on the practice world, with the time it took.
    page.keyboard.press("Control+Enter")
    expect(page.locator("#rows table th").first).to_have_text("day", timeout=30_000)
    expect(page.locator("#rows-timing")).to_contain_text(re.compile(r"\d+ rows, query [\d.]+ ms"))
    page.screenshot(path=shots / "04-run-rows.png", full_page=True)

    page.click("#hint")
    expect(page.locator("#hints li")).to_have_count(1)
    expect(page.locator("#hints li")).to_contain_text(drill.hints[0][:40])
    expect(page.locator("#hint")).to_have_text(f"Show a hint (1/{len(drill.hints)})")
    page.screenshot(path=shots / "05-hint.png", full_page=True)

    reference = (drill.path / "reference.sql").read_text()
    replace_answer(page, reference)
    page.click("#check")
    expect(verdict).to_have_attribute("data-verdict", "correct", timeout=60_000)
    expect(page.locator("#drill-status")).to_have_text("solved, with hints")
    page.click("#solution-button")
    expect(page.locator("#reference")).to_contain_text("count(DISTINCT e.account_id)")
    page.screenshot(path=shots / "06-solved.png", full_page=True)

    # Progress: the list, the store `sqldrills list` reads, and the file `sqldrills run` watches.
    page.click("#nav-drills")
    expect(page.locator(f"a[data-drill={DRILL}] .status")).to_have_text("solved, with hints")
    expect(page.locator("#progress-summary")).to_have_text(re.compile(r"^1/\d+ solved$"))
    page.screenshot(path=shots / "07-progress.png", full_page=True)
    entry = server.progress()[DRILL]
    assert (entry["attempts"], entry["solved_how"], entry["hints_shown"]) == (2, "with hints", 1)
    assert (server.answers_dir / f"{DRILL}.sql").read_text() == reference


def test_schema_browser_shows_meanings_and_examples(page, server: Server, shots: Path) -> None:
    from playwright.sync_api import expect

    page.goto(server.url)  # signs this tab in
    page.goto(f"{server.origin}/#drill/duplicate_events")
    page.click("#schema summary")
    page.click("details[data-table=events] > summary")
    events = page.locator("details[data-table=events] table")
    expect(events).to_contain_text("NOT unique")  # the meaning of event_id
    expect(events).to_contain_text("play_start", timeout=30_000)  # example values, from the sandbox
    page.screenshot(path=shots / "schema.png", full_page=True)


def test_an_interview_in_the_browser(page, server: Server, shots: Path) -> None:
    from playwright.sync_api import expect

    page.goto(server.url)
    page.click("#nav-interview")
    page.select_option("#interview-track", "deduplication")
    page.fill("#interview-minutes", "20")
    page.click("#interview-form button[type=submit]")
    expect(page.locator("#clock")).to_contain_text(re.compile(r"^(20:00|19:5\d) left$"), timeout=120_000)
    tasks = page.locator("#interview-tasks button")
    count = tasks.count()
    assert count >= 1
    expect(page.locator("#task-editor .cm-content")).to_contain_text("Output columns:")  # the starter file
    page.click("#task-clarify")
    expect(page.locator("#task-clarifications li")).to_have_count(1)
    page.screenshot(path=shots / "interview.png", full_page=True)

    # The first task, solved: its verdict shows once submitted; the rest are skipped at the end.
    title = page.locator("#task-title").inner_text()
    drill = next(c for c in load_all() if c.title == title)
    replace_answer(page, drill.reference, "#task-editor")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#task-result #rows table")).to_be_visible(timeout=30_000)
    page.click("#task-submit")
    expect(page.locator("#task-note")).to_have_text(f"Submitted {drill.id}: CORRECT", timeout=120_000)
    if count > 1:
        page.click("#interview-end")
    scorecard = page.locator("#scorecard table")
    expect(scorecard).to_contain_text(drill.id, timeout=120_000)
    expect(scorecard.locator("tr", has_text=drill.id)).to_contain_text("correct")
    if count > 1:
        expect(scorecard).to_contain_text("skipped")
    expect(page.locator("#interview-history table")).to_contain_text(drill.id)
    page.screenshot(path=shots / "scorecard.png", full_page=True)
