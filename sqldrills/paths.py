"""Where things live: the shipped data (recipes, challenges) and the user's directories.

The recipes and challenges ship inside the wheel under ``sqldrills/_data``; in a source
checkout they are read from the repository's top-level ``datasets/`` and ``challenges/``.
Caches and progress follow the XDG conventions (``platformdirs``) and can be moved with
``SQLDRILLS_CACHE_DIR`` / ``SQLDRILLS_DATA_DIR`` (the test suite does).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import platformdirs

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    inside_wheel = _PACKAGE / "_data" / name
    if inside_wheel.is_dir():
        return inside_wheel
    return _PACKAGE.parent / name


def datasets_dir() -> Path:
    return _shipped("datasets")


# A private catalog folder used instead of the shipped drills (``--catalog DIR`` sets it).
CHALLENGES_DIR_ENV = "SQLDRILLS_CHALLENGES_DIR"


def challenges_dir() -> Path:
    return Path(os.environ.get(CHALLENGES_DIR_ENV) or _shipped("challenges"))


def handbook_file() -> Path:
    """The data handbook: shipped in the wheel next to the drills, else the checkout's docs/."""
    inside_wheel = _PACKAGE / "_data" / "handbook.md"
    return inside_wheel if inside_wheel.is_file() else _PACKAGE.parent / "docs" / "handbook.md"


def cache_dir() -> Path:
    path = Path(os.environ.get("SQLDRILLS_CACHE_DIR") or platformdirs.user_cache_dir("sqldrills"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    path = Path(os.environ.get("SQLDRILLS_DATA_DIR") or platformdirs.user_data_dir("sqldrills"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> write_atomic(p, "hello"); p.read_text()
    'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes files private; these are ordinary outputs
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
