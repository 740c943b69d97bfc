"""Distilled grading worlds: the fewest small worlds that tell a drill's reference from every
near miss (architecture.md §3).

A hidden world needs bait, not volume. Following XData and "test-suite accuracy" (Zhong et
al., EMNLP 2020: a few small databases chosen to tell near-miss queries apart judge as well
as large ones), ``sqldrills validate --distill`` builds a pool of candidate worlds at
``tiny`` scale (seeds × the drill's declared as_of placements × its knob perturbations),
runs the reference, every trap and every non-equivalent mutant (``catalog/mutants.py``) on
each, and keeps the smallest set, by greedy set cover, in which every trap differs from the
reference on at least two worlds and every mutant on at least one. The set is written to
the drill's ``grading.toml``; grading reads it from there, so it is deterministic and the
worlds are cached like any other (``grading/references.py: challenge_worlds``).

A target no world of the pool tells apart is reported: an equivalent mutant to declare
(with its reason), or bait the generator lacks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqldrills.catalog.challenges import GRADING_FILE, Challenge
from sqldrills.catalog.mutants import mutate
from sqldrills.grading.compare import Table
from sqldrills.grading.references import same_as, trusted_results
from sqldrills.grading.sandbox import Limits, Outcome, QueryFailure, Sandbox
from sqldrills.paths import cache_dir, write_atomic
from sqldrills.world.cache import WorldSpec, world_paths
from sqldrills.world.generate import GENERATOR_VERSION
from sqldrills.world.recipe import load_recipe

DISTILL_SCALE = "tiny"
# Seeds every placement is also tried with, beside its own: far from the practice seed.
EXTRA_SEEDS = (4099, 8191)
# The fewest hidden worlds a drill is graded on: a right answer is confirmed on two
# independently seeded worlds, never on one world's accidents.
MIN_WORLDS = 2
TRAP_COVER = 2  # a trap differs on two worlds (as validate requires): never a fluke
_LIMITS = Limits(timeout_s=30.0, max_rows=1_000_000, memory_limit_mb=2048)


@dataclass(frozen=True)
class Target:
    """A query the grading worlds must tell from the reference: a trap or a mutant."""

    id: str  # "trap:<id>" or "mutant:<operator:n>"
    sql: str
    cover: int  # on how many chosen worlds it must differ


@dataclass
class Distillation:
    challenge: str
    pool: list[WorldSpec]
    targets: list[Target]
    chosen: list[int] = field(default_factory=list)  # indexes into pool
    kills: dict[str, set[int]] = field(default_factory=dict)  # target id -> pool worlds
    uncovered: list[str] = field(default_factory=list)  # targets the pool cannot cover

    @property
    def specs(self) -> list[WorldSpec]:
        return [self.pool[i] for i in self.chosen]

    def killed_by(self, index: int) -> list[str]:
        return sorted(t for t, worlds in self.kills.items() if index in worlds)


def candidate_pool(challenge: Challenge) -> list[WorldSpec]:
    """Seeds × as_of placements × knob perturbations the recipe and the drill declare, and
    the recipe's own (the practice world's as_of and knobs).

    Each (as_of, knobs) pair is tried with the seeds of the declared worlds that use it and
    with ``EXTRA_SEEDS``; declared worlds come first, so ties go to them.
    """
    recipe = load_recipe("streaming")
    # The recipe's own as_of and knobs (the practice world's placement), with other seeds.
    default = {"seed": EXTRA_SEEDS[0]}
    declared = [*recipe.hidden_worlds, *challenge.worlds, default]
    as_ofs = list(dict.fromkeys(w.get("as_of") for w in declared))
    knob_sets = list(dict.fromkeys(json.dumps(w.get("knobs", {}), sort_keys=True) for w in declared))
    own: dict[tuple[Any, str], list[int]] = {}
    for w in declared:
        key = (w.get("as_of"), json.dumps(w.get("knobs", {}), sort_keys=True))
        own.setdefault(key, []).append(int(w["seed"]))
    pool: list[WorldSpec] = []
    keys: set[str] = set()
    for key in [*own, *((a, k) for a in as_ofs for k in knob_sets)]:
        as_of, knobs = key
        for seed in dict.fromkeys([*own.get(key, []), *EXTRA_SEEDS]):
            spec = WorldSpec(seed, DISTILL_SCALE, knobs=tuple(sorted(json.loads(knobs).items())),
                             as_of=as_of, label=f"candidate-{len(pool) + 1}")
            # One world once: as_of written out as the recipe's default, or a knob at its
            # default value, is the same world as leaving it out (its key says so).
            if spec.key not in keys:
                keys.add(spec.key)
                pool.append(spec)
    return pool


def targets_of(challenge: Challenge) -> list[Target]:
    """Every trap, then every mutant of the reference not declared equivalent."""
    targets = [Target(f"trap:{t.id}", t.sql, TRAP_COVER) for t in challenge.traps]
    seen = {challenge.reference.strip(), *(t.sql.strip() for t in challenge.traps)}
    for mutant in mutate(challenge.reference):
        if mutant.sql in seen or mutant.id in challenge.equivalent_mutants:
            continue
        seen.add(mutant.sql)
        targets.append(Target(f"mutant:{mutant.id}", mutant.sql, 1))
    return targets


def distill(challenge: Challenge, progress: Callable[[str, int, int], None] | None = None,
            pool: list[WorldSpec] | None = None) -> Distillation:
    """Run every target on every candidate world; choose the smallest covering set."""
    from sqldrills.grading.sqlcheck import Refused, prepare_query

    pool = pool if pool is not None else candidate_pool(challenge)
    result = Distillation(challenge.id, pool, targets_of(challenge))
    runnable: list[tuple[Target, str]] = []
    for target in result.targets:
        try:
            runnable.append((target, prepare_query(target.sql)))
        except Refused:
            continue  # a mutant the grader would refuse is no answer anyone can submit
    paths = world_paths(pool, progress)
    expected = trusted_results(challenge.reference, pool, f"{challenge.id}/reference.sql")
    outcomes = _run_all([sql for _, sql in runnable], paths)
    for (target, _), per_world in zip(runnable, outcomes, strict=True):
        result.kills[target.id] = {
            i for i, (want, got) in enumerate(zip(expected, per_world, strict=True))
            if _told_apart(challenge, want, got)
        }
    result.chosen, result.uncovered = choose(result.kills, {t.id: t.cover for t, _ in runnable}, len(pool))
    return result


_COLLATERAL = "not run: the sandbox ended while running another query"


def _told_apart(challenge: Challenge, want: Table, got: Outcome) -> bool:
    """A target is told apart on a world where it gives other rows, or fails there itself;
    not where it never ran (it failed on an earlier world and was not run again)."""
    if isinstance(got, QueryFailure):
        return not got.message.startswith("not run:")
    return not same_as(challenge, want, Table(list(got.columns), list(got.rows)))


def _run_all(sqls: list[str], paths: list[Path]) -> list[list[Outcome]]:
    """Every query on every world file, per query one outcome per world. One sandbox child
    runs them all; when a query takes the child down (a mutant whose join explodes), the
    queries it took with it run again in a new child, until each has its own outcome."""
    outcomes: list[list[Outcome] | None] = [None] * len(sqls)
    pending = list(range(len(sqls)))
    while pending:
        ran = Sandbox.start(paths, limits=_LIMITS).run_many([sqls[i] for i in pending])()
        again = []
        for index, per_world in zip(pending, ran, strict=True):
            if any(isinstance(o, QueryFailure) and o.message.startswith(_COLLATERAL) for o in per_world):
                again.append(index)
            else:
                outcomes[index] = per_world
        if len(again) == len(pending):  # no query finished: never loop for ever
            for index in again:
                outcomes[index] = [QueryFailure("crashed", "the sandbox kept ending") for _ in paths]
            break
        pending = again
    return [o for o in outcomes if o is not None]


def choose(kills: dict[str, set[int]], cover: dict[str, int], size: int) -> tuple[list[int], list[str]]:
    """Greedy set cover with multiplicities, then every world that is not needed dropped.

    Returns the chosen worlds (sorted) and the targets the pool cannot cover as asked
    (those get as many worlds as the pool has for them).

    >>> choose({"a": {0, 1}, "b": {2}, "c": {1}}, {"a": 2, "b": 1, "c": 1}, 3)
    ([0, 1, 2], [])
    >>> choose({"a": {1}, "b": set()}, {"a": 2, "b": 1}, 3)
    ([0, 1], ['a', 'b'])
    """
    uncovered = sorted(t for t in kills if len(kills[t]) < cover[t])
    chosen = _complete([], kills, cover, range(size))
    # Drop a world whose targets are covered enough without it (latest picks first).
    for world in sorted(chosen, reverse=True):
        rest = [w for w in chosen if w != world]
        if all(_short(t, kills, cover, rest) <= 0 for t in kills):
            chosen = rest
    for world in range(size):  # at least MIN_WORLDS, the earliest candidates first
        if len(chosen) >= min(MIN_WORLDS, size):
            break
        if world not in chosen:
            chosen.append(world)
    return sorted(chosen), uncovered


def write_grading(challenge: Challenge, result: Distillation, folder: Path | None = None) -> Path:
    """Record the chosen worlds in the drill's ``grading.toml`` (atomically)."""
    lines = [
        "# Written by `sqldrills validate --distill`; do not edit. The hidden worlds this drill",
        "# is graded on: the fewest of the candidate worlds in which every trap differs from the",
        "# reference on two worlds and every non-equivalent mutant on one (catalog/distill.py).",
        "# Run it again after changing the reference, a trap or the generator.",
        f'generator = "{GENERATOR_VERSION}"',
        f'scale = "{DISTILL_SCALE}"',
        f"pool = {len(result.pool)}",
        f"targets = {len(result.kills)}",
    ]
    for index in result.chosen:
        spec = result.pool[index]
        lines += ["", "[[worlds]]", f"seed = {spec.seed}"]
        if spec.as_of:
            lines.append(f'as_of = "{spec.as_of}"')
        if spec.knobs:
            lines.append("knobs = { " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}"
                                                  for k, v in spec.knobs) + " }")
        lines.append(f"kills = {len(result.killed_by(index))}")
    path = (folder or challenge.path) / GRADING_FILE
    write_atomic(path, ("\n".join(lines) + "\n").encode())
    return path


def _toml_value(value: Any) -> str:
    """A knob's value as TOML.

    >>> _toml_value(0.1), _toml_value("2026-04-17 06:00:00"), _toml_value(3), _toml_value([0, 7])
    ('0.1', '"2026-04-17 06:00:00"', '3', '[0, 7]')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


# Secret seeds tried for each distilled placement of a take-home; bumped when what the
# cached choice holds changes.
SECRET_SEEDS = 3
SECRET_FORMAT = 1


def secret_worlds(challenge: Challenge, secret: str, scale: str | None = None,
                  progress: Callable[[str, int, int], None] | None = None) -> list[WorldSpec]:
    """A take-home's grading worlds for ``challenge``: worlds nobody can regenerate without
    the bundle's secret, as strong as the public ones.

    Bait can depend on the seed (an as_of tuned so that someone is assigned at that very
    instant), so the drill's distilled placements are not simply re-seeded: each is tried
    with ``SECRET_SEEDS`` seeds derived from the secret, and the same distillation keeps
    the fewest of those on which every trap differs twice and every mutant once. A target
    only a public world tells apart keeps that public world too (an answer must then pass
    both: knowing the public worlds does not help). A drill not distilled yet is graded on
    its practice and hidden worlds with secret seeds. Deterministic for a secret and the
    drill's content; the choice is cached on disk.
    """
    from sqldrills.grading.references import hidden_specs, secret_seed
    from sqldrills.world.cache import practice_world

    placements = hidden_specs(challenge, scale)
    if not challenge.grading_worlds:
        return [replace(spec, seed=secret_seed(secret, i), label=f"graded-{i + 1}")
                for i, spec in enumerate([practice_world(scale), *placements])]
    digest = hashlib.sha256(f"{SECRET_FORMAT}:{GENERATOR_VERSION}:{secret}:{challenge.content_hash}".encode())
    path = cache_dir() / "secret-worlds" / f"{challenge.id}-{digest.hexdigest()[:20]}.json"
    try:
        return [WorldSpec(w["seed"], w["scale"], knobs=tuple((k, v) for k, v in w["knobs"]), as_of=w["as_of"],
                          label=w["label"]) for w in json.loads(path.read_text())]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    pool = [replace(spec, seed=secret_seed(secret, i * SECRET_SEEDS + k), label=f"secret-{i + 1}.{k + 1}")
            for i, spec in enumerate(placements) for k in range(SECRET_SEEDS)]
    hidden = distill(challenge, progress, pool=pool)
    public = distill(challenge, pool=placements)
    kills = {t: hidden.kills.get(t, set()) | {len(pool) + i for i in public.kills[t]} for t in public.kills}
    cover = {t.id: t.cover for t in public.targets if t.id in kills}
    chosen = _complete(hidden.chosen, kills, cover, range(len(pool), len(pool) + len(placements)))
    specs = [replace((pool + placements)[i], label=f"graded-{n}") for n, i in enumerate(chosen, start=1)]
    write_atomic(path, json.dumps([{"seed": s.seed, "scale": s.scale, "knobs": [list(kv) for kv in s.knobs],
                                    "as_of": s.as_of, "label": s.label} for s in specs]).encode())
    return specs


def _complete(chosen: list[int], kills: dict[str, set[int]], cover: dict[str, int],
              extra: range) -> list[int]:
    """``chosen``, plus the fewest of ``extra`` (greedily) until every target is told apart
    on as many worlds as asked, or on all that can.

    >>> _complete([0, 1], {"a": {0, 3}, "b": {1}, "c": {2}}, {"a": 2, "b": 1, "c": 1}, range(2, 4))
    [0, 1, 2, 3]
    """
    chosen = list(chosen)
    while any(_short(t, kills, cover, chosen) > 0 for t in kills):
        wanting = [t for t in kills if _short(t, kills, cover, chosen) > 0]
        chosen.append(max((w for w in extra if w not in chosen),
                          key=lambda w: (sum(1 for t in wanting if w in kills[t]), -w)))
    return sorted(chosen)


def _short(target: str, kills: dict[str, set[int]], cover: dict[str, int], chosen: list[int]) -> int:
    """How many more of ``chosen`` worlds ``target`` must differ on (as many as asked, or as
    the pool has)."""
    return min(cover[target], len(kills[target])) - len(kills[target].intersection(chosen))
