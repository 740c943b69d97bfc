"""The challenge loader: one folder of data per drill (architecture.md §2), validated strictly.

```
challenges/<id>/
  challenge.toml      # metadata, output contract, hints, traps
  prompt.md           # what the learner is asked
  reference.sql       # the hidden reference (more: reference_*.sql, all must agree)
  traps/<trap>.sql    # plausible wrong answers; `-- name:` and `-- explanation:` headers
  grading.toml        # written by `sqldrills validate --distill`: the hidden worlds graded on
```

An unknown or missing key is an error naming the file and the key, so a typo never
silently changes how a drill is graded.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqldrills.paths import challenges_dir
from sqldrills.strictkeys import check_keys

TRACKS = (
    "grain", "deduplication", "time", "nulls", "joins", "ratios", "cohorts",
    "windows", "funnels", "experiments", "realtime",
)

_REQUIRED = {"title", "difficulty", "track", "tags", "pitfall", "ordered", "hints", "output"}
_OPTIONAL = {"tolerance", "sort_keys", "explanation", "worlds", "lint", "traps", "order",
             "equivalent_mutants", "clarifications", "handbook"}
_CLARIFICATION_KEYS = {"question", "answer"}
_OUTPUT_KEYS = {"columns", "grain", "key_columns"}
_WORLD_KEYS = {"seed", "as_of", "knobs", "why"}
_TRAP_KEYS = {"name", "explanation"}
_TRAP_OPTIONAL = {"tells"}  # phrases that would give the trap away in a prompt or title
_LINT_KEYS = {"grain", "local_time", "ratio_of_sums"}
GRADING_FILE = "grading.toml"
_GRADING_KEYS = {"generator", "scale", "pool", "targets", "worlds"}
_GRADING_WORLD_KEYS = {"seed", "as_of", "knobs", "kills"}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class ChallengeError(ValueError):
    """A challenge folder breaks the format; the message names the file and the key."""


@dataclass(frozen=True)
class Trap:
    id: str
    name: str
    explanation: str
    sql: str
    path: Path
    tells: tuple[str, ...] = ()  # must not appear in the prompt or title (validate checks)


@dataclass(frozen=True)
class Clarification:
    """What a candidate may ask in a screen, and what the interviewer answers."""

    question: str
    answer: str


@dataclass(frozen=True)
class Challenge:
    id: str
    path: Path
    title: str
    difficulty: int
    track: str
    tags: tuple[str, ...]
    pitfall: str
    prompt: str
    columns: tuple[str, ...]
    grain: str
    ordered: bool
    sort_keys: tuple[str, ...]
    tolerance: float
    hints: tuple[str, ...]
    explanation: str
    references: tuple[tuple[str, str], ...]  # (file name, sql)
    traps: tuple[Trap, ...]
    worlds: tuple[dict[str, Any], ...] = ()
    lint: dict[str, Any] = field(default_factory=dict)
    key_columns: tuple[str, ...] | None = None
    order: int = 100
    # mutant id -> why it returns the reference's results on every possible world
    equivalent_mutants: dict[str, str] = field(default_factory=dict)
    clarifications: tuple[Clarification, ...] = ()  # revealed one by one on request
    handbook: tuple[str, ...] = ()  # ids of the handbook entries the drill relies on
    # The distilled hidden worlds (grading.toml; empty until `validate --distill` ran):
    # ``seed``, ``as_of``, ``knobs``, built at ``grading_scale``.
    grading_worlds: tuple[dict[str, Any], ...] = ()
    grading_scale: str = "tiny"

    @property
    def reference(self) -> str:
        return self.references[0][1]

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for path in sorted(self.path.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(self.path)).encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    def trap(self, trap_id: str) -> Trap | None:
        return next((t for t in self.traps if t.id == trap_id), None)


def _headers(sql: str) -> dict[str, str]:
    """``-- key: value`` lines at the top of a SQL file.

    >>> _headers("-- name: Counting devices\\n-- explanation: one member, many devices\\nSELECT 1")
    {'name': 'Counting devices', 'explanation': 'one member, many devices'}
    """
    out: dict[str, str] = {}
    last = None
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        body = line[2:].strip()
        match = re.match(r"^([a-z_]+):\s*(.*)$", body)
        if match:
            last = match.group(1)
            out[last] = match.group(2)
        elif last and body:
            out[last] += " " + body
    return out


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ChallengeError(f"{path}: missing file") from None


def load_challenge(path: Path) -> Challenge:
    cid = path.name
    if not _ID.match(cid):
        raise ChallengeError(f"{path}: challenge id must be snake_case")
    toml_path = path / "challenge.toml"
    try:
        data = tomllib.loads(_read(toml_path))
    except tomllib.TOMLDecodeError as exc:
        raise ChallengeError(f"{toml_path}: {exc}") from None
    check_keys(data, required=_REQUIRED, optional=_OPTIONAL, where=str(toml_path),
               error=ChallengeError)
    where = str(toml_path)
    output = data["output"]
    if not isinstance(output, dict):
        raise ChallengeError(f"{where}: [output] must be a table")
    check_keys(output, required={"columns", "grain"}, optional=_OUTPUT_KEYS - {"columns", "grain"},
               where=f"{where} [output]", error=ChallengeError)
    columns = tuple(output["columns"])
    if not columns or any(not _ID.match(c) for c in columns):
        raise ChallengeError(f"{where}: output.columns must be snake_case names")
    if not isinstance(data["difficulty"], int) or not 1 <= data["difficulty"] <= 3:
        raise ChallengeError(f"{where}: difficulty must be 1, 2 or 3")
    if data["track"] not in TRACKS:
        raise ChallengeError(f"{where}: track {data['track']!r} is not one of {', '.join(TRACKS)}")
    hints = data["hints"]
    if not isinstance(hints, list) or len(hints) < 3 or not all(isinstance(h, str) for h in hints):
        raise ChallengeError(f"{where}: hints must be a list of at least three strings")
    sort_keys = tuple(data.get("sort_keys", ()))
    if data["ordered"] and not sort_keys:
        raise ChallengeError(f"{where}: an ordered challenge needs sort_keys")
    for key in sort_keys + tuple(output.get("key_columns", ())):
        if key not in columns:
            raise ChallengeError(f"{where}: {key!r} is not an output column")
    for i, world in enumerate(data.get("worlds", [])):
        check_keys(world, required={"seed"}, optional=_WORLD_KEYS - {"seed"},
                   where=f"{where} [[worlds]] #{i + 1}", error=ChallengeError)
    lint = data.get("lint", {})
    check_keys(lint, optional=_LINT_KEYS, where=f"{where} [lint]", error=ChallengeError)

    prompt = _read(path / "prompt.md")
    for column in columns:
        if f"`{column}`" not in prompt:
            raise ChallengeError(f"{path / 'prompt.md'}: the prompt must name output column `{column}`")
    references = tuple(
        (p.name, _read(p)) for p in
        [path / "reference.sql", *sorted(path.glob("reference_*.sql"))]
    )
    traps = _load_traps(path, data.get("traps", {}), where)
    return Challenge(
        id=cid, path=path, title=data["title"], difficulty=data["difficulty"],
        track=data["track"], tags=tuple(data["tags"]), pitfall=data["pitfall"], prompt=prompt,
        columns=columns, grain=output["grain"], ordered=bool(data["ordered"]),
        sort_keys=sort_keys, tolerance=float(data.get("tolerance", 1e-9)),
        hints=tuple(hints), explanation=data.get("explanation", ""), references=references,
        traps=traps, worlds=tuple(data.get("worlds", [])), lint=lint,
        key_columns=tuple(output["key_columns"]) if "key_columns" in output else None,
        order=int(data.get("order", 100)),
        equivalent_mutants=_equivalent_mutants(data.get("equivalent_mutants", {}), where),
        clarifications=_clarifications(data.get("clarifications", []), where),
        handbook=tuple(_strings(data.get("handbook", []), f"{where}: handbook")),
        **_grading(path / GRADING_FILE),
    )


def _grading(path: Path) -> dict[str, Any]:
    """The distilled hidden worlds recorded in ``grading.toml``, if the file exists."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(_read(path))
    except tomllib.TOMLDecodeError as exc:
        raise ChallengeError(f"{path}: {exc}") from None
    check_keys(data, required=_GRADING_KEYS, where=str(path), error=ChallengeError)
    worlds = data["worlds"]
    if not isinstance(worlds, list) or not worlds:
        raise ChallengeError(f"{path}: [[worlds]] must list at least one world")
    for i, world in enumerate(worlds):
        check_keys(world, required={"seed"}, optional=_GRADING_WORLD_KEYS - {"seed"},
                   where=f"{path} [[worlds]] #{i + 1}", error=ChallengeError)
        if not isinstance(world["seed"], int) or not isinstance(world.get("knobs", {}), dict):
            raise ChallengeError(f"{path} [[worlds]] #{i + 1}: seed is a number, knobs a table")
    return {"grading_worlds": tuple({k: w[k] for k in ("seed", "as_of", "knobs") if k in w} for w in worlds),
            "grading_scale": str(data["scale"])}


def _clarifications(declared: Any, where: str) -> tuple[Clarification, ...]:
    """``[[clarifications]]``: question/answer pairs, in the order they are revealed."""
    if not isinstance(declared, list):
        raise ChallengeError(f"{where}: clarifications must be an array of tables [[clarifications]]")
    out = []
    for number, entry in enumerate(declared, start=1):
        spot = f"{where} [[clarifications]] #{number}"
        if not isinstance(entry, dict):
            raise ChallengeError(f"{spot}: must be a table with question and answer")
        check_keys(entry, required=_CLARIFICATION_KEYS, where=spot, error=ChallengeError)
        question, answer = _strings([entry["question"], entry["answer"]], spot)
        out.append(Clarification(question, answer))
    return tuple(out)


def _strings(values: Any, where: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ChallengeError(f"{where}: must be non-empty strings")
    return list(values)


def _equivalent_mutants(declared: Any, where: str) -> dict[str, str]:
    """``[equivalent_mutants]``: mutant id = the reason it is equivalent to the reference.

    A reason is required for each: an unexplained entry would hide a weak world.
    """
    if not isinstance(declared, dict):
        raise ChallengeError(f"{where}: [equivalent_mutants] must be a table of mutant_id = \"reason\"")
    for mutant_id, reason in declared.items():
        if not isinstance(reason, str) or not reason.strip():
            raise ChallengeError(f"{where}: [equivalent_mutants] {mutant_id!r} needs a non-empty reason string")
    return dict(declared)


def _load_traps(path: Path, declared: dict[str, Any], where: str) -> tuple[Trap, ...]:
    traps = []
    files = sorted((path / "traps").glob("*.sql"))
    for name in declared:
        if not (path / "traps" / f"{name}.sql").exists():
            raise ChallengeError(f"{where}: [traps.{name}] has no file traps/{name}.sql")
    for trap_file in files:
        tid = trap_file.stem
        if not _ID.match(tid):
            raise ChallengeError(f"{trap_file}: trap id must be snake_case")
        sql = _read(trap_file)
        meta = {k: v for k, v in _headers(sql).items()}
        unknown = sorted(meta.keys() - _TRAP_KEYS)
        if unknown:
            raise ChallengeError(f"{trap_file}: unknown header(s) {', '.join(unknown)}")
        meta.update(declared.get(tid, {}))
        check_keys(meta, required=_TRAP_KEYS, optional=_TRAP_OPTIONAL, where=str(trap_file),
                   error=ChallengeError)
        tells = tuple(_strings(meta.get("tells", []), f"{where}: [traps.{tid}] tells"))
        traps.append(Trap(tid, meta["name"], meta["explanation"], sql, trap_file, tells))
    return tuple(traps)


def load_all(folder: Path | None = None) -> list[Challenge]:
    """Every challenge, in learning order: by track, then ``order``, then id."""
    root = folder or challenges_dir()
    found = [load_challenge(p) for p in sorted(root.iterdir())
             if p.is_dir() and (p / "challenge.toml").exists()]
    return sorted(found, key=lambda c: (TRACKS.index(c.track), c.order, c.id))


def get(challenge_id: str, folder: Path | None = None) -> Challenge:
    root = folder or challenges_dir()
    path = root / challenge_id
    # A name no folder can have (too long for the file system) is no drill either.
    if not _ID.match(challenge_id) or len(challenge_id) > 100 or not (path / "challenge.toml").exists():
        known = ", ".join(c.id for c in load_all(root)) if root.is_dir() else ""
        raise ChallengeError(f"no challenge {challenge_id!r}. Known: {known}")
    return load_challenge(path)
