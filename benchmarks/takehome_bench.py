"""Take-home grading throughput (part of `make bench`).

Grades candidates x 3 tasks (on each drill's distilled grading worlds, with seeds from the
bundle secret) with 1 and with 2 workers, in two mixes:

* repeated: N candidates whose answers cycle through each task's reference and traps, so
  many candidates hand in the same bytes (graded once, see sqldrills.takehome.grading.grade_jobs);
* distinct: M candidates whose answers are all different (the same queries, each with
  its candidate's comment), so every answer is run on every grading world.

then a hiring-scale cohort (1,000 candidates x 3 tasks, every answer different, 2 workers;
target: within 5 minutes), and compares the per-answer cost with the bare DuckDB time of the same queries on the
same worlds (measured in this run). First, the size of one candidate's zipped bundle at
each bundle scale, beside the zip of the world file as generated (before the bundle
rewrites it compactly), measured in the same run.

    python benchmarks/takehome_bench.py [--candidates 200] [--distinct 40] [--scale small]
"""

from __future__ import annotations

import argparse
import json
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
    parser.add_argument("--distinct", type=int, default=40,
                        help="candidates in the all-distinct mix (each answer is run)")
    parser.add_argument("--cohort", type=int, default=1000,
                        help="candidates of the hiring-scale run (all answers different, 2 workers; 0 skips it)")
    parser.add_argument("--scale", default=os.environ.get("SQLDRILLS_SCALE", "small"))
    args = parser.parse_args()
    os.environ["SQLDRILLS_SCALE"] = args.scale
    exe = str(Path(sys.executable).with_name("sqldrills"))
    from sqldrills.catalog.challenges import get

    with tempfile.TemporaryDirectory(prefix="sqldrills-th-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        _bundle_sizes(exe, tmp)
        subprocess.run([exe, "takehome", "build", "--challenges", ",".join(TASKS),
                        "--out", str(tmp / "th"), "--secret", "bench"], check=True,
                       capture_output=True)
        answers = {t: [get(t).reference] + [trap.sql for trap in get(t).traps] for t in TASKS}
        manifest = str(tmp / "th" / "manifest.json")
        repeated = _submissions(tmp / "repeated", args.candidates, answers, distinct=False)
        distinct = _submissions(tmp / "distinct", args.distinct, answers, distinct=True)
        # Warm the caches (worlds, reference and trap results) as a real grading day would.
        subprocess.run([exe, "takehome", "grade", manifest, str(repeated), "--out",
                        str(tmp / "warm"), "--workers", "2"], check=True, capture_output=True)
        rates: dict[tuple[str, int], float] = {}
        for mix, subs, candidates in (("repeated", repeated, args.candidates),
                                      ("distinct", distinct, args.distinct)):
            n = candidates * len(TASKS)
            kinds = len({sql for options in answers.values() for sql in options})
            for workers in (1, 2):
                out = tmp / f"report-{mix}-{workers}"
                started = time.perf_counter()
                subprocess.run([exe, "takehome", "grade", manifest, str(subs), "--out", str(out),
                                "--workers", str(workers)], check=True, capture_output=True)
                rates[mix, workers] = n / (time.perf_counter() - started)
                what = (f"{kinds} different answers among {n}" if mix == "repeated"
                        else f"all {n} answers different")
                print(f"takehome grade, {mix:>8} ({what}), {workers} worker(s): "
                      f"{rates[mix, workers]:6.1f} answers/s")
            print(f"scaling 1 -> 2 workers ({mix}): {rates[mix, 2] / rates[mix, 1]:.2f}x")
        if args.cohort:
            cohort = _submissions(tmp / "cohort", args.cohort, answers, distinct=True)
            started = time.perf_counter()
            subprocess.run([exe, "takehome", "grade", manifest, str(cohort), "--out", str(tmp / "report-cohort"),
                            "--workers", "2"], check=True, capture_output=True)
            took = time.perf_counter() - started
            print(f"takehome grade, {args.cohort} candidates x {len(TASKS)} tasks, every answer different, "
                  f"2 workers: {took:.0f} s = {args.cohort * len(TASKS) / took:.1f} answers/s "
                  f"(target <= 300 s); the distinct mix above predicts "
                  f"{args.cohort * len(TASKS) / rates['distinct', 2]:.0f} s")
        bare = _bare_seconds(answers, args.scale)
        per_answer = 1 / rates["distinct", 1]
        print(f"bare DuckDB time per answer (all grading worlds): {bare * 1000:.0f} ms; "
              f"graded per distinct answer with 1 worker: {per_answer * 1000:.0f} ms; "
              f"overhead {per_answer - bare:+.3f} s ({per_answer / bare:.2f}x)")


def _submissions(folder: Path, candidates: int, answers: dict[str, list[str]],
                 distinct: bool) -> Path:
    for i in range(candidates):
        target = folder / f"c{i:04d}" / "answers"
        target.mkdir(parents=True)
        for number, task in enumerate(TASKS, start=1):
            options = answers[task]
            sql = options[i % len(options)]
            (target / f"task_{number}.sql").write_text(f"-- candidate {i}\n{sql}" if distinct
                                                       else sql)
    return folder


def _bundle_sizes(exe: str, tmp: Path) -> None:
    """One candidate's zip at each bundle scale, and the zip of the same world as generated."""
    import zipfile

    from sqldrills.world.cache import WorldSpec, build_to

    (tmp / "one.csv").write_text("candidate\nada\n")
    for scale in ("tiny", "small"):
        out = tmp / f"size-{scale}"
        started = time.perf_counter()
        subprocess.run([exe, "takehome", "build", "--challenges", ",".join(TASKS), "--out",
                        str(out), "--candidates", str(tmp / "one.csv"), "--secret", "bench",
                        "--bundle-scale", scale], check=True, capture_output=True)
        built = time.perf_counter() - started
        seed = json.loads((out / "manifest.json").read_text())["candidates"][0]["seed"]
        raw = tmp / f"raw-{scale}.duckdb"
        build_to(WorldSpec(seed, scale), raw)
        with zipfile.ZipFile(tmp / "raw.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(raw, "world.duckdb")
        print(f"bundle at {scale:>5}: {(out / 'ada.zip').stat().st_size / 1e6:6.1f} MB zipped "
              f"(world file {(out / 'ada' / 'data' / 'world.duckdb').stat().st_size / 1e6:.1f} "
              f"MB) in {built:.1f}s; the world as generated: "
              f"{(tmp / 'raw.zip').stat().st_size / 1e6:.1f} MB zipped "
              f"({raw.stat().st_size / 1e6:.1f} MB)")
        raw.unlink()


def _bare_seconds(answers: dict[str, list[str]], scale: str) -> float:
    import duckdb

    from sqldrills.catalog.challenges import get
    from sqldrills.catalog.distill import secret_worlds
    from sqldrills.world.cache import world_path

    total, count = 0.0, 0
    for task, sqls in answers.items():
        paths = [world_path(s) for s in secret_worlds(get(task), "bench", scale)]
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
