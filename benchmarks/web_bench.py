"""`make bench`: the browser page (`sqldrills serve`), each figure beside a floor or baseline
measured in the same run. Figures are printed, never asserted.

1. First page load, every asset, in a fresh browser context (no cache): from navigation to
   the drill list drawn and the editor loaded (target: 300 ms on localhost), beside the floor:
   the same browser's first navigation in a fresh context to one small answer of the same server.
2. A Check from the page (click to verdict drawn) against a warm `sqldrills check` of the same
   answer in a new process (what the terminal loop pays per save), as a ratio.

The real `sqldrills serve` runs in a subprocess with its own cache and data directories;
Debian's Chromium at /usr/bin/chromium is driven by Playwright (scripts/browser.sh installs it).
SQLDRILLS_SCALE picks the practice world (default `small`, as benchmarks/run.py).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DRILL = "members_not_devices"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
RUNS = 7


def start_server(env: dict[str, str], answers: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([PY, "-m", "sqldrills.cli", "serve", "--no-open", "--port", "0",
                             "--answers-dir", str(answers)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**env, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"http://\S+\?token=[\w-]+", line)
        if found:
            return proc, found.group(0)
    raise SystemExit("sqldrills serve printed no address")


def bench_page_load(browser, url: str) -> dict:
    origin = url.split("/?")[0]
    loads, floors, sizes = [], [], []
    for _ in range(RUNS):
        context = browser.new_context()
        page = context.new_page()
        fetched: list[int] = []
        page.on("requestfinished", lambda req, fetched=fetched: fetched.append(req.sizes()["responseBodySize"]))
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("body[data-ready=list] a[data-drill]")
        page.wait_for_function("window.SqlEditor !== undefined")  # every asset loaded and run
        loads.append(time.perf_counter() - started)
        sizes.append((len(fetched), sum(fetched)))
        context.close()

        context = browser.new_context()
        page = context.new_page()
        started = time.perf_counter()
        page.goto(f"{origin}/static/app.css")  # not signed in: one small answer (403), nothing else
        floors.append(time.perf_counter() - started)
        context.close()
    return {"load_s": statistics.median(loads), "floor_s": statistics.median(floors),
            "requests": sizes[0][0], "bytes": sizes[0][1]}


def bench_check(browser, url: str, env: dict[str, str], answer_sql: str, tmp: Path) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)  # signs this context in
    page.goto(f"{url.split('/?')[0]}/#drill/{DRILL}")
    page.wait_for_selector("body[data-ready^=drill] .cm-content")
    page.click(".cm-content")
    page.keyboard.press("Control+a")
    page.eval_on_selector(".cm-content", """(node, text) => {
        const data = new DataTransfer();
        data.setData("text/plain", text);
        node.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    }""", answer_sql)
    times = []
    for i in range(RUNS + 1):  # the first one prepares the drill's worlds: not counted
        page.evaluate("document.getElementById('result').replaceChildren()")
        started = time.perf_counter()
        page.click("#check")
        page.wait_for_selector("#verdict[data-verdict=correct]", timeout=300_000)
        if i:
            times.append(time.perf_counter() - started)
    context.close()

    answer = tmp / "answer.sql"
    answer.write_text(answer_sql)
    exe = str(Path(PY).with_name("sqldrills"))
    command = [exe, "check", DRILL, str(answer)]
    subprocess.run(command, capture_output=True, env=env, check=False)  # warm: worlds and references cached
    cli = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, env=env, check=False)
        cli.append(time.perf_counter() - started)
    page_s, cli_s = statistics.median(times), statistics.median(cli)
    return {"page_s": page_s, "cli_s": cli_s, "ratio": page_s / cli_s}


def main() -> None:
    from playwright.sync_api import sync_playwright

    from sqldrills.catalog.challenges import get

    if not Path("/usr/bin/chromium").exists():
        raise SystemExit("web_bench needs /usr/bin/chromium: run scripts/browser.sh as root")
    scale = os.environ.get("SQLDRILLS_SCALE", "small")
    with tempfile.TemporaryDirectory(prefix="sqldrills-web-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        env = {**os.environ, "SQLDRILLS_CACHE_DIR": os.environ.get("BENCH_CACHE_DIR", str(tmp / "cache")),
               "SQLDRILLS_DATA_DIR": str(tmp / "data"), "SQLDRILLS_SCALE": scale}
        proc, url = start_server(env, tmp / "answers")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                load = bench_page_load(browser, url)
                check = bench_check(browser, url, env, get(DRILL).reference, tmp)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"web: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"web first page load ({load['requests']} requests, {load['bytes'] / 1024:,.0f} KiB, no cache): "
          f"median {load['load_s'] * 1000:4.0f} ms (target 300 ms); floor, one small response in a fresh "
          f"context: {load['floor_s'] * 1000:4.0f} ms")
    print(f"web Check of {DRILL} at {scale}, click to verdict: median {check['page_s'] * 1000:4.0f} ms; "
          f"warm `sqldrills check` of the same answer: {check['cli_s'] * 1000:4.0f} ms; "
          f"ratio {check['ratio']:.2f}x")


if __name__ == "__main__":
    main()
