"""`make bench`: what distilled grading worlds buy (issue: grading worlds sized for judgement).

Each figure is printed beside a floor or a baseline measured in the same run:

1. first verdict on an empty cache (`sqldrills check`, one drill, a new process): with the
   distilled worlds, and as before (the same drill without ``grading.toml``: the recipe's
   hidden worlds at the practice scale); floor: building the practice world alone;
2. warm `sqldrills check` (a new process, worlds and reference results cached), median,
   for the three slice drills; floor: ``python -c "import duckdb"``;
3. the `run` loop, save to verdict (one process, the next sandbox kept warm), median;
   floor: the same answer run on the practice world by an open DuckDB connection;
4. whole-catalog `sqldrills validate` from an empty cache; floor: building the worlds it
   needs, nothing else;
5. mutation kill rate across the catalog at `tiny`, distilled against undistilled (the
   same operators).

Set BENCH_MUTANTS=0 to skip 5 (a few minutes).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
EXE = str(Path(PY).with_name("sqldrills"))
SLICE = ("members_not_devices", "duplicate_events", "cohort_leakage")


def _timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, capture_output=True, env={**os.environ, **env}, check=False)
    return time.perf_counter() - started


def _env(cache: Path, catalog: Path | None = None, scale: str = "small") -> dict[str, str]:
    env = {"SQLDRILLS_CACHE_DIR": str(cache), "SQLDRILLS_DATA_DIR": str(cache / "data"),
           "SQLDRILLS_SCALE": scale}
    if catalog is not None:
        env["SQLDRILLS_CHALLENGES_DIR"] = str(catalog)
    return env


def undistilled_catalog(tmp: Path) -> Path:
    """A copy of the catalog without grading.toml files: the drills as graded before."""
    catalog = tmp / "undistilled"
    shutil.copytree(ROOT / "challenges", catalog, ignore=shutil.ignore_patterns("grading.toml"))
    return catalog


def first_verdict(tmp: Path, drill: str, catalog: Path | None) -> float:
    cache = Path(tempfile.mkdtemp(dir=tmp))
    answer = tmp / f"{drill}.sql"
    answer.write_text((ROOT / "challenges" / drill / "reference.sql").read_text())
    return _timed([EXE, "check", drill, str(answer)], _env(cache, catalog))


def practice_build(tmp: Path) -> float:
    cache = Path(tempfile.mkdtemp(dir=tmp))
    return _timed([EXE, "generate", "--scale", "small"], _env(cache))


def warm_checks(tmp: Path, cache: Path, catalog: Path | None, runs: int = 7) -> dict[str, float]:
    out = {}
    for drill in SLICE:
        answer = tmp / f"{drill}.sql"
        answer.write_text((ROOT / "challenges" / drill / "reference.sql").read_text())
        args = [EXE, "check", drill, str(answer)]
        _timed(args, _env(cache, catalog))  # builds the worlds, caches the reference's results
        out[drill] = statistics.median(_timed(args, _env(cache, catalog)) for _ in range(runs))
    return out


def import_floor(runs: int = 7) -> float:
    return statistics.median(_timed([PY, "-c", "import duckdb"], {}) for _ in range(runs))


LOOP = """
import json, os, statistics, sys, time
import duckdb
from sqldrills.catalog.challenges import get
from sqldrills.grading.grade import grade, keep_warm
from sqldrills.grading.references import challenge_worlds
from sqldrills.world.cache import world_path
out = {}
for drill in %r:
    c = get(drill)
    grade(c, c.reference)
    times = []
    for _ in range(9):
        keep_warm(c)
        time.sleep(0.3)  # the learner edits; the sandbox opens the worlds meanwhile
        t = time.perf_counter(); grade(c, c.reference); times.append(time.perf_counter() - t)
    con = duckdb.connect(str(world_path(challenge_worlds(c)[0])), read_only=True)
    con.execute(c.reference).fetchall()
    bare = []
    for _ in range(9):
        t = time.perf_counter(); con.execute(c.reference).fetchall(); bare.append(time.perf_counter() - t)
    out[drill] = [statistics.median(times), statistics.median(bare)]
print(json.dumps(out))
"""


def run_loop(cache: Path) -> dict[str, list[float]]:
    import json

    done = subprocess.run([PY, "-c", LOOP % (SLICE,)], capture_output=True, text=True, check=True,
                          env={**os.environ, **_env(cache)})
    return json.loads(done.stdout.strip().splitlines()[-1])


FLOOR_BUILD = """
from sqldrills.catalog.challenges import load_all
from sqldrills.grading.references import challenge_worlds
from sqldrills.world.cache import world_paths
if __name__ == "__main__":
    specs = list(dict.fromkeys(s for c in load_all() for s in challenge_worlds(c)))
    world_paths(specs)
    print(len(specs))
"""


def whole_validate(tmp: Path) -> tuple[float, float, str]:
    script = tmp / "floor_build.py"
    script.write_text(FLOOR_BUILD)
    floor_cache = Path(tempfile.mkdtemp(dir=tmp))
    started = time.perf_counter()
    done = subprocess.run([PY, str(script)], capture_output=True, text=True, check=True,
                          env={**os.environ, **_env(floor_cache)})
    floor = time.perf_counter() - started
    cache = Path(tempfile.mkdtemp(dir=tmp))
    return _timed([EXE, "validate"], _env(cache)), floor, done.stdout.strip()


MUTANTS = """
import json
from dataclasses import replace
from sqldrills.catalog.challenges import load_all
from sqldrills.catalog.mutants import mutation_test
if __name__ == "__main__":
    out = {}
    for name, undistilled in (("distilled", False), ("undistilled", True)):
        killed = scored = 0
        for c in load_all():
            r = mutation_test(replace(c, grading_worlds=()) if undistilled else c, "tiny")
            killed, scored = killed + r.killed, scored + r.scored
        out[name] = [killed, scored]
    print(json.dumps(out))
"""


def mutation_rates(tmp: Path, cache: Path) -> dict[str, list[int]]:
    import json

    script = tmp / "mutants.py"
    script.write_text(MUTANTS)
    done = subprocess.run([PY, str(script)], capture_output=True, text=True, check=True,
                          env={**os.environ, **_env(cache, scale="tiny")})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    import compileall

    compileall.compile_dir(str(ROOT / "sqldrills"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="sqldrills-grading-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        before = undistilled_catalog(tmp)
        floor = practice_build(tmp)
        now, then = first_verdict(tmp, "members_not_devices", None), first_verdict(tmp, "members_not_devices", before)
        print(f"first verdict, empty cache (members_not_devices): {now:.1f} s distilled (target <= 5 s); "
              f"{then:.1f} s undistilled; floor: building the practice world {floor:.1f} s")
        cache = tmp / "warm"
        warm, warm_before = warm_checks(tmp, cache, None), warm_checks(tmp, cache, before)
        duck = import_floor()
        for drill in SLICE:
            print(f"warm check {drill:>20}: median {warm[drill] * 1000:4.0f} ms = {warm[drill] / duck:.2f}x the "
                  f"floor (import duckdb {duck * 1000:.0f} ms; target <= 300 ms, 1.7x); undistilled "
                  f"{warm_before[drill] * 1000:4.0f} ms")
        for drill, (loop, bare) in run_loop(cache).items():
            print(f"run loop {drill:>20}: save to verdict median {loop * 1000:4.0f} ms (target <= 150 ms); "
                  f"floor: the bare query on the practice world {bare * 1000:4.0f} ms")
        total, floor_total, worlds = whole_validate(tmp)
        print(f"whole-catalog validate, empty cache: {total:.0f} s (target <= 90 s); floor: building its "
              f"{worlds} worlds {floor_total:.0f} s")
        if os.environ.get("BENCH_MUTANTS", "1") != "0":
            rates = mutation_rates(tmp, tmp / "mutants-cache")
            shown = ", ".join(f"{name} {k}/{s} = {k / s:.1%}" for name, (k, s) in rates.items())
            print(f"mutation kill rate at tiny, same operators: {shown}")


if __name__ == "__main__":
    main()
