"""Shared fixtures: every test run uses its own cache and data directories and tiny worlds."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Set before sqldrills reads them; the whole session shares one cache of tiny worlds.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="sqldrills-tests-"))
os.environ.setdefault("SQLDRILLS_CACHE_DIR", str(_SESSION_DIR / "cache"))
os.environ["SQLDRILLS_DATA_DIR"] = str(_SESSION_DIR / "data")
os.environ["SQLDRILLS_SCALE"] = "tiny"


@pytest.fixture(scope="session")
def practice_db() -> Path:
    from sqldrills.world.cache import practice_world, world_path

    return world_path(practice_world("tiny"))
