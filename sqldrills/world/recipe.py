"""Recipes: the TOML files in ``datasets/`` that describe a world, and their perturbations.

A recipe is data. A hidden world or a challenge perturbs it with *knobs*: dotted keys
such as ``"delivery.duplicate_rate"``; a knob that does not exist in the recipe is an error,
so a typo can never silently produce the default world.

>>> r = load_recipe("streaming", knobs={"delivery.duplicate_rate": 0.2})
>>> r.data["delivery"]["duplicate_rate"]
0.2
>>> r.content_hash != load_recipe("streaming").content_hash
True
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqldrills.paths import datasets_dir

SCALES = ("tiny", "small", "medium", "large")


class RecipeError(ValueError):
    """A recipe file or a knob is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Recipe:
    name: str
    data: dict[str, Any]

    @property
    def content_hash(self) -> str:
        """What the world's contents depend on: every knob but ``[generation]`` (how the
        work is split, which changes no row: tests/test_world.py proves it)."""
        content = {k: v for k, v in self.data.items() if k != "generation"}
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def timestamp(self, section: str, key: str) -> datetime:
        return parse_timestamp(self.data[section][key])

    @property
    def as_of(self) -> datetime:
        return self.timestamp("window", "as_of")

    @property
    def practice_seed(self) -> int:
        return int(self.data["worlds"]["practice_seed"])

    @property
    def hidden_worlds(self) -> list[dict[str, Any]]:
        return list(self.data["worlds"].get("hidden", []))

    def accounts(self, scale: str) -> int:
        return int(self._scale(scale)["accounts"])

    def titles(self, scale: str) -> int:
        return int(self._scale(scale)["titles"])

    def _scale(self, scale: str) -> dict[str, Any]:
        try:
            return self.data["scales"][scale]
        except KeyError:
            known = ", ".join(self.data["scales"])
            raise RecipeError(f"unknown scale {scale!r}; choose one of: {known}") from None

    def perturbed(self, knobs: Mapping[str, Any] | None = None, as_of: str | None = None) -> Recipe:
        """A copy with knobs (dotted keys) and as_of replaced."""
        data = copy.deepcopy(self.data)
        for dotted, value in (knobs or {}).items():
            _set_knob(data, dotted, value, self.name)
        if as_of is not None:
            parse_timestamp(as_of)
            data["window"]["as_of"] = as_of
        return Recipe(self.name, data)


def parse_timestamp(text: str) -> datetime:
    try:
        return datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise RecipeError(f"timestamp {text!r} must look like 2026-05-04 00:00:00") from None


def _set_knob(data: dict[str, Any], dotted: str, value: Any, recipe: str) -> None:
    *path, leaf = dotted.split(".")
    node: Any = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            raise RecipeError(f"recipe {recipe!r} has no knob {dotted!r} (no section {part!r})")
        node = node[part]
    if not isinstance(node, dict) or leaf not in node:
        raise RecipeError(f"recipe {recipe!r} has no knob {dotted!r}")
    old = node[leaf]
    if isinstance(old, (int, float)) and not isinstance(value, (int, float)):
        raise RecipeError(f"knob {dotted!r} takes a number, got {value!r}")
    node[leaf] = value


def available_recipes() -> list[str]:
    return sorted(p.stem for p in datasets_dir().glob("*.toml"))


@functools.lru_cache(maxsize=16)
def _parse(path: Path, mtime_ns: int) -> dict[str, Any]:
    """The recipe file's contents, parsed once per version of the file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RecipeError(f"{path}: {exc}") from None


def load_recipe(
    name: str = "streaming",
    knobs: Mapping[str, Any] | None = None,
    as_of: str | None = None,
) -> Recipe:
    path = datasets_dir() / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(available_recipes()) or "none"
        raise RecipeError(f"no recipe named {name!r} (known: {known})")
    data = copy.deepcopy(_parse(path, path.stat().st_mtime_ns))
    for section in ("window", "scales", "worlds", "time_zones", "accounts", "devices"):
        if section not in data:
            raise RecipeError(f"{path}: missing section [{section}]")
    return Recipe(data.get("name", name), data).perturbed(knobs, as_of)
