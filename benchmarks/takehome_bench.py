"""Take-home grading throughput (part of `make bench`).

Grades N candidates x 3 tasks (references and traps, a realistic mix) on `small` worlds
with 1 and with 2 workers, and compares the per-answer cost with the bare DuckDB time of
the same queries on the same worlds (measured in this run).

    python benchmarks/takehome_bench.py [--candidates 200] [--scale small]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TASKS = ("members_not_devices", "duplicate_events", "cohort_leakage")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--scale", default=os.environ.get("SQLDRILLS_SCALE", "small"))
    args = parser.parse_args()
    os.environ["SQLDRILLS_SCALE"] = args.scale
    exe = str(Path(sys.executable).with_name("sqldrills"))
    from sqldrills.challenges import get

    with tempfile.TemporaryDirectory(prefix="sqldrills-th-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        subprocess.run([exe, "takehome", "build", "--challenges", ",".join(TASKS),
                        "--out", str(tmp / "th"), "--secret", "bench"], check=True,
                       capture_output=True)
        answers = {t: [get(t).reference] + [trap.sql for trap in get(t).traps] for t in TASKS}
        subs = tmp / "submissions"
        for i in range(args.candidates):
            folder = subs / f"c{i:04d}" / "answers"
            folder.mkdir(parents=True)
            for task in TASKS:
                options = answers[task]
                (folder / f"{task}.sql").write_text(options[i % len(options)])
        n = args.candidates * len(TASKS)
        # Warm the caches (worlds, reference and trap results) as a real grading day would.
        warm = tmp / "warm"
        subprocess.run([exe, "takehome", "grade", str(tmp / "th" / "manifest.json"),
                        str(subs), "--out", str(warm), "--workers", "2"], check=True,
                       capture_output=True)
        rates = {}
        for workers in (1, 2):
            out = tmp / f"report-{workers}"
            started = time.perf_counter()
            subprocess.run([exe, "takehome", "grade", str(tmp / "th" / "manifest.json"),
                            str(subs), "--out", str(out), "--workers", str(workers)],
                           check=True, capture_output=True)
            rates[workers] = n / (time.perf_counter() - started)
            print(f"takehome grade {n} answers, {workers} worker(s): {rates[workers]:6.1f} answers/s")
        print(f"scaling 1 -> 2 workers: {rates[2] / rates[1]:.2f}x")
        bare = _bare_seconds(answers, args.scale)
        print(f"bare DuckDB time per answer (all grading worlds): {bare * 1000:.0f} ms; "
              f"graded per answer with 1 worker: {1000 / rates[1]:.0f} ms; "
              f"overhead {1 / rates[1] - bare:+.3f} s ({(1 / rates[1]) / bare:.2f}x)")


def _bare_seconds(answers: dict[str, list[str]], scale: str) -> float:
    import duckdb

    from sqldrills.challenges import get
    from sqldrills.grade import challenge_worlds
    from sqldrills.worlds import world_path

    total, count = 0.0, 0
    for task, sqls in answers.items():
        paths = [world_path(s) for s in challenge_worlds(get(task), scale, secret="bench")]
        for sql in sqls:
            started = time.perf_counter()
            for path in paths:
                con = duckdb.connect(str(path), read_only=True)
                con.execute("SET TimeZone = 'UTC'")
                con.execute(sql).fetchall()
                con.close()
            total += time.perf_counter() - started
            count += 1
    return total / count


if __name__ == "__main__":
    main()
