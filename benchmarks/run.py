"""`make bench`: performance figures, each against a baseline measured in the same run.

Figures are printed, never asserted: they are for people comparing runs and machines.

1. World generation: events/s at `small` and `medium`, peak memory, and the ratio to a
   naive baseline (Faker row by row + executemany into DuckDB, same events shape, smaller n).
2. `sqldrills check` end to end (a new process each time) on cached `small` worlds, median
   wall time per drill, and its ratio to the bare cost: Python start plus running the
   answer and the reference on each world directly in DuckDB.

3. The repair search for wrong answers no trap matches (``grading/diagnose.py``): the time
   it adds to grading at `small`, per corpus answer (tests/diagnosis/), against the same
   grade with the search off; and what it adds to a correct answer (nothing, by design).

4. The second check of an answer (DuckDB's own parse tree, ``grading/duckdbcheck.py``):
   its median time on a typical answer, beside the first check's (sqlglot) in the same run.

Set BENCH_SCALES=small to skip `medium` (it takes a minute).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def _run_child(code: str, env: dict[str, str] | None = None) -> tuple[float, dict]:
    """Run code in a fresh interpreter; return wall seconds and the JSON it printed."""
    started = time.perf_counter()
    out = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})})
    return time.perf_counter() - started, json.loads(out.stdout.strip().splitlines()[-1])


def bench_generation(scale: str, tmp: Path) -> dict:
    code = f"""
import json, resource, time
from pathlib import Path
from sqldrills.world.cache import WorldSpec, build_to
t = time.perf_counter()
stats = build_to(WorldSpec(7, {scale!r}), Path({str(tmp / (scale + '.duckdb'))!r}))
elapsed = time.perf_counter() - t
# The build runs in child processes (one per chunk of accounts at `large`): the peak is
# the largest of them, which RUSAGE_CHILDREN reports once they are reaped.
peak = max(resource.getrusage(who).ru_maxrss for who in
           (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
print(json.dumps({{"events": stats.rows["events"], "seconds": elapsed, "peak_mb": peak}}))
"""
    _, data = _run_child(code)
    return data


def bench_naive_baseline(n: int = 20000) -> float:
    """Events per second the obvious way: Faker and Python per row, executemany into DuckDB."""
    code = f"""
import json, random, time, duckdb
from faker import Faker
fake = Faker(); fake.seed_instance(1); rng = random.Random(1)
con = duckdb.connect()
con.execute("CREATE TABLE events (event_id VARCHAR, account_id BIGINT, profile_id BIGINT, "
            "device_id VARCHAR, session_id VARCHAR, event_type VARCHAR, title_id BIGINT, "
            "event_ts_utc TIMESTAMP, received_ts_utc TIMESTAMP, client_tz VARCHAR, watch_seconds INTEGER)")
t = time.perf_counter()
rows = []
for i in range({n}):
    ts = fake.date_time_between(start_date="-120d", end_date="now")
    rows.append((fake.uuid4(), rng.randint(1, 20000), rng.randint(1, 50000), fake.uuid4()[:12],
                 fake.uuid4(), rng.choice(["app_open", "browse", "heartbeat"]), rng.randint(1, 600),
                 ts, ts, fake.timezone(), rng.randint(1, 300)))
con.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
print(json.dumps({{"per_s": {n} / (time.perf_counter() - t)}}))
"""
    _, data = _run_child(code)
    return data["per_s"]


def bench_check(cache: Path) -> list[dict]:
    env = {"SQLDRILLS_CACHE_DIR": str(cache), "SQLDRILLS_SCALE": "small",
           "SQLDRILLS_DATA_DIR": str(cache / "data")}
    os.environ.update(env)
    from sqldrills.catalog.challenges import get
    from sqldrills.grading.references import challenge_worlds, expected_results
    from sqldrills.world.cache import world_path

    exe = str(Path(PY).with_name("sqldrills"))
    results = []
    for drill in ("members_not_devices", "duplicate_events", "cohort_leakage"):
        challenge = get(drill)
        specs = challenge_worlds(challenge)
        paths = [world_path(s) for s in specs]
        expected_results(challenge, specs)  # warm the reference cache, as a learner's 2nd run
        answer = cache / f"{drill}.sql"
        answer.write_text(challenge.reference)
        subprocess.run([exe, "check", drill, str(answer)], capture_output=True, env=os.environ)
        times = []
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run([exe, "check", drill, str(answer)], capture_output=True,
                           env=os.environ, check=False)
            times.append(time.perf_counter() - t)
        bare_code = f"""
import json, duckdb
sql = open({str(answer)!r}).read()
for p in {[str(p) for p in paths]!r}:
    con = duckdb.connect(p, read_only=True)
    con.execute(sql).fetchall(); con.execute(sql).fetchall()
    con.close()
print(json.dumps({{}}))
"""
        bare = statistics.median(_run_child(bare_code)[0] for _ in range(5))
        median = statistics.median(times)
        results.append({"drill": drill, "check_s": median, "bare_s": bare,
                        "ratio": median / bare})
    return results


def bench_diagnosis(cache: Path, answers: int = 12) -> dict:
    """Milliseconds the repair search adds, at `small`, to wrong answers that match no trap."""
    env = {"SQLDRILLS_CACHE_DIR": str(cache), "SQLDRILLS_SCALE": "small",
           "SQLDRILLS_DATA_DIR": str(cache / "data")}
    os.environ.update(env)
    from sqldrills.catalog.challenges import get
    from sqldrills.catalog.corpus import load_corpus
    from sqldrills.grading.grade import grade

    def timed(challenge, sql: str, diagnose: bool) -> tuple[float, object]:
        started = time.perf_counter()
        result = grade(challenge, sql, diagnose=diagnose)
        return (time.perf_counter() - started) * 1000, result

    added, searched = [], 0
    for answer in load_corpus(ROOT / "tests" / "diagnosis"):
        if searched >= answers:
            break
        challenge = get(answer.drill)
        _, plain = timed(challenge, answer.sql, False)  # also builds and caches the worlds
        if plain.verdict != "misleading" or plain.pitfall is not None:
            continue  # a trap matched: no search
        timed(challenge, answer.sql, True)  # learns the drill's trap repairs once
        with_search = statistics.median(timed(challenge, answer.sql, True)[0] for _ in range(3))
        without = statistics.median(timed(challenge, answer.sql, False)[0] for _ in range(3))
        added.append(with_search - without)
        searched += 1
    challenge = get("members_not_devices")
    right_with = statistics.median(timed(challenge, challenge.reference, True)[0] for _ in range(5))
    right_without = statistics.median(timed(challenge, challenge.reference, False)[0] for _ in range(5))
    return {"answers": searched, "median_ms": statistics.median(added), "max_ms": max(added),
            "correct_added_ms": right_with - right_without}


def bench_second_check(runs: int = 300) -> dict:
    """Milliseconds of layer 2 (the rules on DuckDB's own parse tree, as the sandbox child
    runs them) on a typical answer, and of layer 1 (sqlglot) on it, medians in one process."""
    code = f"""
import json, statistics, time, duckdb
from sqldrills.catalog.challenges import get
from sqldrills.grading import duckdbcheck
from sqldrills.grading.sandbox import _check_statement
from sqldrills.grading.sqlcheck import prepare_query
from sqldrills.world.schema import TABLES, create_table_sql
sql = get("members_not_devices").reference
def median_ms(work):
    work()
    times = []
    for _ in range({runs}):
        started = time.perf_counter(); work(); times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)
first = median_ms(lambda: prepare_query(sql))
with duckdb.connect() as con:
    con.execute(";".join(create_table_sql(t) for t in sorted(TABLES)))
    world = frozenset(TABLES)
    assert _check_statement(con, sql, world) is None
    second = median_ms(lambda: _check_statement(con, sql, world))
    tree_only = median_ms(lambda: duckdbcheck.refusal(con, sql, world))
print(json.dumps({{"chars": len(sql), "first_ms": first, "second_ms": second, "tree_ms": tree_only}}))
"""
    return _run_child(code)[1]


def main() -> None:
    # Measure sqldrills as installed: `pip install .` byte-compiles it, an editable install
    # under PYTHONDONTWRITEBYTECODE would compile it again in every process.
    import compileall

    compileall.compile_dir(str(ROOT / "sqldrills"), quiet=1)
    scales = os.environ.get("BENCH_SCALES", "small,medium").split(",")
    with tempfile.TemporaryDirectory(prefix="sqldrills-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        naive = bench_naive_baseline()
        print(f"naive baseline (Faker + executemany): {naive:,.0f} events/s")
        for scale in scales:
            g = bench_generation(scale, tmp)
            rate = g["events"] / g["seconds"]
            print(f"generate {scale:>6}: {g['events']:>11,} events in {g['seconds']:6.2f}s = "
                  f"{rate:>10,.0f} events/s = {rate / naive:5.1f}x naive; "
                  f"peak memory {g['peak_mb']:,.0f} MB")
        for r in bench_check(tmp / "cache"):
            print(f"check {r['drill']:>20}: median {r['check_s'] * 1000:5.0f} ms end to end; "
                  f"bare DuckDB {r['bare_s'] * 1000:5.0f} ms; ratio {r['ratio']:.2f}x")
        c = bench_second_check()
        print(f"check layers on a typical answer ({c['chars']} chars), median: sqlglot (layer 1) "
              f"{c['first_ms']:.2f} ms; DuckDB's parser check (layer 2) {c['second_ms']:.2f} ms, of which "
              f"the parse tree's rules {c['tree_ms']:.2f} ms (target <= 10 ms)")
        d = bench_diagnosis(tmp / "cache")
        print(f"repair search at small, {d['answers']} corpus answers no trap matches: adds median "
              f"{d['median_ms']:.0f} ms, at most {d['max_ms']:.0f} ms (target <= 1000 ms median); "
              f"a correct answer: {d['correct_added_ms']:+.0f} ms")


if __name__ == "__main__":
    main()
