"""Which worlds exist, and the on-disk cache that builds each one once.

A world is identified by its recipe's content (after perturbations), seed, scale and
the generator version. Builds go to a temporary file that is renamed into place, under
a lock, so a killed build or two processes asking for the same world never leave a
corrupt file in the cache.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import multiprocessing
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqldrills.paths import cache_dir
from sqldrills.world.processes import child_messages
from sqldrills.world.recipe import SCALES, Recipe, RecipeError, load_recipe
from sqldrills.world.schema import TABLES
from sqldrills.world.steps import GENERATOR_VERSION
from sqldrills.world.steps.context import Progress

if TYPE_CHECKING:  # the generator is imported by the build's own process, not by graders
    from sqldrills.world.generate import WorldStats


@functools.lru_cache(maxsize=256)
def _recipe_hash(recipe: str, knobs_json: str, as_of: str | None) -> str:
    # Keys are asked for many times per grade; the recipe file is read once per process.
    return load_recipe(recipe, dict(json.loads(knobs_json)), as_of).content_hash


def default_scale() -> str:
    """The scale worlds are built at: ``SQLDRILLS_SCALE`` or ``small``."""
    scale = os.environ.get("SQLDRILLS_SCALE", "small")
    if scale not in SCALES:
        raise RecipeError(f"SQLDRILLS_SCALE={scale!r} is not one of {', '.join(SCALES)}")
    return scale


@dataclass(frozen=True)
class WorldSpec:
    """Everything that determines a world's contents."""

    seed: int
    scale: str
    recipe: str = "streaming"
    knobs: tuple[tuple[str, Any], ...] = ()
    as_of: str | None = None
    label: str = field(default="", compare=False)

    def load(self) -> Recipe:
        return load_recipe(self.recipe, dict(self.knobs), self.as_of)

    @property
    def key(self) -> str:
        # knobs may hold lists (unhashable): the cache is keyed on their JSON text
        recipe_hash = _recipe_hash(self.recipe, json.dumps(self.knobs), self.as_of)
        return f"{self.recipe}-{recipe_hash}-s{self.seed}-{self.scale}-g{GENERATOR_VERSION}"

    def describe(self) -> str:
        parts = [f"seed {self.seed}", self.scale]
        if self.as_of:
            parts.append(f"as_of {self.as_of}")
        parts += [f"{k}={v}" for k, v in self.knobs]
        return ", ".join(parts)


def practice_world(scale: str | None = None, recipe: str = "streaming") -> WorldSpec:
    r = load_recipe(recipe)
    return WorldSpec(r.practice_seed, scale or default_scale(), recipe, label="practice")


def hidden_worlds(
    scale: str | None = None,
    recipe: str = "streaming",
    extra: list[Mapping[str, Any]] | None = None,
) -> list[WorldSpec]:
    """The recipe's hidden worlds, then any a challenge declares (``seed``, ``as_of``, ``knobs``)."""
    r = load_recipe(recipe)
    return [declared_world(world, scale or default_scale(), f"hidden-{i}", recipe)
            for i, world in enumerate([*r.hidden_worlds, *(extra or [])], start=1)]


def declared_world(world: Mapping[str, Any], scale: str, label: str, recipe: str = "streaming") -> WorldSpec:
    """The world a TOML table declares (``seed``, and optionally ``as_of`` and ``knobs``)."""
    knobs = tuple(sorted(dict(world.get("knobs", {})).items()))
    return WorldSpec(int(world["seed"]), scale, recipe, knobs, world.get("as_of"), label=label)


def _cache_file(spec: WorldSpec) -> Path:
    return cache_dir() / "worlds" / f"{spec.key}.duckdb"


def cached_world_path(spec: WorldSpec) -> Path | None:
    """The cached world's file if it is built, else None (never builds)."""
    path = _cache_file(spec)
    return path if path.exists() else None


def world_path(spec: WorldSpec, progress: Progress | None = None) -> Path:
    """The cached world's file, built first if missing."""
    path = _cache_file(spec)
    if path.exists():
        return path
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{spec.key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():  # another process may have built it while we waited
            # Holding the lock, any temporary file of this world is a killed build's.
            for stale in folder.glob(f".{path.name}.*.tmp*"):
                stale.unlink(missing_ok=True)
            build_to(spec, path, progress)
    return path


def world_paths(specs: list[WorldSpec], progress: Progress | None = None,
                workers: int = 2) -> list[Path]:
    """Every world's file, the missing ones built ``workers`` at a time (each build is a
    process of its own). ``progress`` sees one bar over all the builds: a world counts
    in proportion to its accounts, the fraction of its steps done so far. When one build
    fails (or Ctrl-C), the builds still queued never start and the running ones stop.
    """
    missing = list({s.key: s for s in specs if cached_world_path(s) is None}.values())
    if not missing:
        return [_cache_file(s) for s in specs]
    weights = {s.key: s.load().accounts(s.scale) for s in missing}
    total = sum(weights.values())
    fractions = {s.key: 0.0 for s in missing}
    lock = threading.Lock()
    stop = threading.Event()

    def build(spec: WorldSpec) -> Path:
        def step(what: str, done: int, steps: int) -> None:
            if stop.is_set():  # raised inside the build's loop: it ends its process
                raise WorldBuildError("stopped: another world's build failed")
            with lock:
                fractions[spec.key] = done / steps if steps else 1.0
                if progress:
                    shown = sum(fractions[k] * weights[k] for k in fractions)
                    label = what if len(missing) == 1 else f"{len(missing)} worlds: {what}"
                    progress(label, round(shown), total)

        path = world_path(spec, step)
        step("built", 1, 1)
        return path

    if len(missing) == 1 or workers <= 1:
        for spec in missing:
            build(spec)
    else:
        import concurrent.futures  # only here: importing it costs a one-shot check 10 ms

        pool = concurrent.futures.ThreadPoolExecutor(min(workers, len(missing)))
        try:
            for future in [pool.submit(build, spec) for spec in missing]:
                future.result()
        except BaseException:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown()
    return [_cache_file(s) for s in specs]


class WorldBuildError(RuntimeError):
    """A world could not be built; the message says why."""


def build_to(spec: WorldSpec, path: Path, progress: Progress | None = None) -> WorldStats:
    """Build ``spec`` into ``path`` atomically: a temporary file renamed into place.

    The build runs in a fresh process (and, at ``large``, each chunk of it in another):
    a crash inside DuckDB during a build must never take the caller down, and its memory
    goes back to the system when it ends.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    # Not a daemon: a build of several chunks starts a process per chunk. child_messages
    # ends it if we stop listening, and it ends itself when this process dies (report()).
    messages = child_messages(multiprocessing.get_context("spawn"), _build_in_child,
                              (spec, str(tmp), os.getpid()))
    try:
        stats: WorldStats | None = None
        for kind, payload in messages:
            if kind == "progress" and progress:
                progress(*payload)
            elif kind == "done":
                stats = payload
            elif kind == "error":
                raise WorldBuildError(f"building the world ({spec.describe()}) failed: {payload}")
            elif kind == "exit" and stats is None:
                raise WorldBuildError(f"building the world ({spec.describe()}) stopped "
                                      f"(exit code {payload})")
        os.replace(tmp, path)
        return stats
    finally:
        messages.close()
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)


def _build_in_child(spec: WorldSpec, tmp: str, parent_pid: int, send: Any) -> None:
    def report(what: str, done: int, total: int) -> None:
        if os.getppid() != parent_pid:  # the caller was killed: stop, leave no world
            os._exit(1)
        send.send(("progress", (what, done, total)))

    try:
        from sqldrills.world.generate import build_world

        send.send(("done", build_world(spec.load(), spec.seed, spec.scale, Path(tmp), report)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def content_hash(path: Path) -> str:
    """A hash of every table's rows in sorted order: equal worlds have equal hashes."""
    import duckdb

    digest = hashlib.sha256()
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        for table in TABLES:
            row = con.execute(
                f"SELECT count(*), coalesce(sum(hash(COLUMNS(*))), 0), "
                f"coalesce(bit_xor(hash(COLUMNS(*))), 0) FROM {table}"
            ).fetchone()
            digest.update(f"{table}:{row}".encode())
    finally:
        con.close()
    return digest.hexdigest()
