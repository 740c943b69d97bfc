"""Soak test (issue 6, item 4): grade thousands of answers in one grader process, a third
of them hostile, and show that memory does not grow with the number graded.

    python benchmarks/soak.py                 # 2,000 answers on tiny worlds
    python benchmarks/soak.py --answers 300   # a quick run
    SQLDRILLS_SCALE=small python benchmarks/soak.py --timeout 10

Answers are graded one after another with ``grade()`` (each one in its own sandbox child,
as ``sqldrills check`` does), interleaved so that every third is hostile:

* benign: every reference (correct) and every trap (misleading) of the catalog's drills;
* hostile: every case of ``tests/hostile/cases.toml`` (file reads, writes, settings,
  extensions, resource attacks, 10 MB texts, NUL bytes, invalid UTF-8...), graded against
  the drills in turn; those the corpus expects to be refused or to fail must get ``error``.

Before the clock starts, every world, reference result and trap result the run needs is
built and cached, in a process of its own (reported as warm-up). Then the grading process
prints, after each 10% of the answers, its resident memory (VmRSS), open file descriptors
and threads, and at the end: throughput, the peak memory of the grader (VmHWM) and of its largest sandbox child
(``RUSAGE_CHILDREN``), and the slope of resident memory against answers graded, over the
whole run and over its second half (after caches have filled). Exit status 1 when the
second-half slope exceeds ``--max-growth-mb`` per 1,000 answers (and adds up to more than
2 MB), when an answer got a verdict it should not have, or when ``grade()`` raised.

Defaults: ``SQLDRILLS_SCALE=tiny`` unless set; the usual cache directory unless
``SQLDRILLS_CACHE_DIR`` is set.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("SQLDRILLS_SCALE", "tiny")

from sqldrills.catalog.challenges import Challenge, load_all  # noqa: E402
from sqldrills.cli import render  # noqa: E402
from sqldrills.grading.grade import grade  # noqa: E402
from sqldrills.grading.references import challenge_worlds, expected_results, trusted_results  # noqa: E402
from sqldrills.grading.results import Verdict  # noqa: E402
from sqldrills.grading.sandbox import Limits  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOISE_MB = 2.0  # growth below this over the second half is not counted as growth
HOSTILE = ROOT / "tests" / "hostile" / "cases.toml"


@dataclass(frozen=True)
class Answer:
    kind: str  # "reference" | "trap" | "hostile"
    label: str
    challenge: Challenge
    sql: str
    dialect: str = "duckdb"
    # Verdicts that are right for this answer (hostile "ok" cases may be anything).
    allowed: tuple[str, ...] = tuple(Verdict)


def hostile_texts() -> list[tuple[str, str, str, str]]:
    """(id, sql, dialect, expect) of every hostile case, expanded as tests/test_hostile.py does."""
    cases = []
    for entry in tomllib.loads(HOSTILE.read_text(encoding="utf-8"))["case"]:
        sql = entry["sql"]
        for name, (text, times) in entry.get("expand", {}).items():
            sql = sql.replace(f"{{{name}}}", text * times)
        if "encoding" in entry:
            sql = sql.encode(entry["encoding"]).decode("utf-8", errors="surrogateescape")
        cases.append((entry["id"], sql, entry.get("dialect", "duckdb"), entry["expect"]))
    return cases


def build_answers(n: int, challenges: list[Challenge], seed: int) -> list[Answer]:
    benign = [Answer("reference", f"{c.id}/{name}", c, sql, allowed=("correct",))
              for c in challenges for name, sql in c.references]
    benign += [Answer("trap", f"{c.id}/traps/{t.id}", c, t.sql, allowed=("misleading",))
               for c in challenges for t in c.traps]
    hostile = []
    for i, (case_id, sql, dialect, expect) in enumerate(hostile_texts()):
        challenge = challenges[i % len(challenges)]
        allowed = tuple(Verdict) if expect == "ok" else (Verdict.ERROR,)
        hostile.append(Answer("hostile", f"hostile/{case_id}", challenge, sql, dialect, allowed))
    rng = random.Random(seed)
    rng.shuffle(benign)
    rng.shuffle(hostile)
    answers = []
    for i in range(n):  # every third answer is hostile; both lists cycle
        if i % 3 == 2:
            answers.append(hostile[(i // 3) % len(hostile)])
        else:
            answers.append(benign[(i - i // 3) % len(benign)])
    return answers


def proc_status() -> dict[str, int]:
    """VmRSS, VmHWM (kB) and Threads of this process, from /proc (Linux)."""
    values = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                values[key] = int(rest.split()[0])
    except OSError:
        pass
    if "VmHWM" not in values:  # not Linux: ru_maxrss (kB on Linux, bytes on macOS)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        values["VmHWM"] = peak // 1024 if sys.platform == "darwin" else peak
        values.setdefault("VmRSS", values["VmHWM"])
    return values


def open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


def children_peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of MB against answers, in MB per 1,000 answers."""
    if len(points) < 2:
        return 0.0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 1000 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


def warm_up(challenges: list[Challenge]) -> float:
    """Build every world and cache every reference and trap result the soak will need."""
    started = time.perf_counter()
    with render.progress_bar("Warm-up: worlds and reference results",
                             enabled=sys.stderr.isatty()) as progress:
        for done, challenge in enumerate(challenges):
            if progress:
                progress(challenge.id, done, len(challenges))
            specs = challenge_worlds(challenge)
            expected_results(challenge, specs)
            for trap in challenge.traps:
                trusted_results(trap.sql, specs, f"{challenge.id}/traps/{trap.id}.sql")
        if progress:
            progress("done", len(challenges), len(challenges))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=2000, help="answers to grade (2000)")
    parser.add_argument("--timeout", type=float, default=2.0,
                        help="seconds per world before an answer is stopped (2.0)")
    parser.add_argument("--memory-mb", type=int, default=512,
                        help="DuckDB memory limit of each sandbox child (512)")
    parser.add_argument("--max-growth-mb", type=float, default=5.0,
                        help="fail when the grader's memory grows faster than this many MB "
                             "per 1,000 answers over the second half of the run (5)")
    parser.add_argument("--seed", type=int, default=1, help="order of the answers (1)")
    parser.add_argument("--phase", choices=["all", "warm-up", "grade"], default="all",
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.answers < 10:
        parser.error("--answers must be at least 10")
    if args.phase == "all":
        # Each phase in its own process: building worlds must not count as the grader's
        # memory, and RUSAGE_CHILDREN of the grading process then sees only its sandboxes.
        argv = sys.argv[1:] if argv is None else argv
        warm = subprocess.run([sys.executable, __file__, *argv, "--phase", "warm-up"])
        if warm.returncode:
            return warm.returncode
        return subprocess.run([sys.executable, __file__, *argv, "--phase", "grade"]).returncode
    challenges = load_all()
    if args.phase == "warm-up":
        print(f"Warm-up (worlds, reference and trap results cached, in its own process): "
              f"{warm_up(challenges):.1f}s", flush=True)
        return 0

    limits = Limits(timeout_s=args.timeout, kill_grace_s=1.0, memory_limit_mb=args.memory_mb,
                    threads=1)
    answers = build_answers(args.answers, challenges, args.seed)
    kinds = Counter(a.kind for a in answers)
    print(f"Soak: {len(answers):,} answers ({kinds['reference']} references, {kinds['trap']} "
          f"traps, {kinds['hostile']} hostile) over {len(challenges)} drills, scale "
          f"{os.environ['SQLDRILLS_SCALE']}, timeout {limits.timeout_s:g}s + "
          f"{limits.kill_grace_s:g}s grace, DuckDB memory {limits.memory_limit_mb} MB")

    gc.collect()
    status = proc_status()
    start_rss = status["VmRSS"] / 1024
    print(f"\n{'graded':>8} {'answers/s':>10} {'RSS MB':>8} {'peak MB':>8} {'fds':>5} "
          f"{'threads':>7}")
    print(f"{0:>8} {'':>10} {start_rss:>8.1f} {status['VmHWM'] / 1024:>8.1f} {open_fds():>5} "
          f"{status['Threads']:>7}")
    points = [(0, start_rss)]
    checkpoints = {round(len(answers) * k / 10) for k in range(1, 11)}
    verdicts: Counter[tuple[str, str]] = Counter()
    seconds: Counter[str] = Counter()
    wrong: list[str] = []
    raised: list[str] = []
    started = time.perf_counter()
    with render.progress_bar(f"Grading {len(answers):,} answers",
                             enabled=sys.stderr.isatty()) as progress:
        for i, answer in enumerate(answers, start=1):
            t0 = time.perf_counter()
            try:
                result = grade(answer.challenge, answer.sql, dialect=answer.dialect,
                               limits=limits)
            except Exception as exc:  # noqa: BLE001 - counted and reported, never fatal here
                raised.append(f"{answer.label}: {type(exc).__name__}: {exc}"[:300])
            else:
                verdicts[(answer.kind, result.verdict)] += 1
                if result.verdict not in answer.allowed or not result.message.strip():
                    wrong.append(f"{answer.label}: {result.verdict} ({result.message[:120]})")
            seconds[answer.kind] += time.perf_counter() - t0
            if progress:
                progress(answer.label, i, len(answers))
            if i in checkpoints:
                result = None
                gc.collect()
                status = proc_status()
                rss = status["VmRSS"] / 1024
                points.append((i, rss))
                rate = i / (time.perf_counter() - started)
                line = (f"{i:>8,} {rate:>10.1f} {rss:>8.1f} {status['VmHWM'] / 1024:>8.1f} "
                        f"{open_fds():>5} {status['Threads']:>7}")
                if progress:
                    render.err_console.print(line)
                else:
                    print(line, flush=True)
    elapsed = time.perf_counter() - started

    peak = proc_status()["VmHWM"] / 1024
    whole = slope(points)
    second_half = slope([p for p in points if p[0] >= len(answers) / 2])
    print(f"\nGraded {len(answers):,} answers in {elapsed:.1f}s: {len(answers) / elapsed:.1f} "
          f"answers/s")
    for kind in ("reference", "trap", "hostile"):
        if kinds[kind]:
            print(f"  {kind:<9} {kinds[kind]:>5} answers, {seconds[kind] / kinds[kind] * 1000:7.1f} "
                  f"ms each on average")
    print("Verdicts: " + ", ".join(f"{kind} {verdict} {n}"
                                   for (kind, verdict), n in sorted(verdicts.items())))
    print(f"Peak memory: grader {peak:.1f} MB (VmHWM; {start_rss:.1f} MB after warm-up, "
          f"{points[-1][1]:.1f} MB at the end); largest sandbox child "
          f"{children_peak_mb():.1f} MB (RUSAGE_CHILDREN)")
    print(f"Memory slope: {whole:+.2f} MB per 1,000 answers over the run, {second_half:+.2f} "
          f"over its second half (limit {args.max_growth_mb:g})")
    failed = False
    # Allocator arenas move RSS by a megabyte or so either way: short runs need a floor.
    if second_half > args.max_growth_mb and second_half * len(answers) / 2000 > NOISE_MB:
        print("FAIL: the grader's memory grows with the number of answers graded")
        failed = True
    if wrong:
        print(f"FAIL: {len(wrong)} answer(s) got a verdict they should not have:")
        print("\n".join(f"  {w}" for w in wrong[:20]))
        failed = True
    if raised:
        print(f"FAIL: grade() raised on {len(raised)} answer(s):")
        print("\n".join(f"  {r}" for r in raised[:20]))
        failed = True
    if not failed:
        print("OK: every verdict as expected, nothing raised, memory flat")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
