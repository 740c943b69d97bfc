"""The catalog's self-check (sqldrills/catalog/validate.py) catches a trap that is another
trap's twin and a "trap" that is the reference again."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqldrills.catalog.challenges import get, load_challenge
from sqldrills.catalog.validate import validate_challenge


def test_fast_validation_catches_indistinguishable_and_harmless_traps(tmp_path: Path) -> None:
    folder = tmp_path / "members_not_devices"
    shutil.copytree(get("members_not_devices").path, folder)
    traps = folder / "traps"
    (traps / "zz_same_as_devices.sql").write_text((traps / "count_devices.sql").read_text())
    (traps / "zz_harmless.sql").write_text(
        "-- name: Not a trap\n-- explanation: the reference again\n"
        + (folder / "reference.sql").read_text())
    report = validate_challenge(load_challenge(folder))
    problems = " ".join(report.problems)
    assert "zz_same_as_devices.sql: judged misleading with pitfall 'count_devices'" in problems
    assert "zz_harmless.sql: differs from the reference on 0 world(s)" in problems
    assert len(report.problems) == 3  # the harmless trap also fails to be named
