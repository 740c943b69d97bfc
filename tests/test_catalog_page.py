from pathlib import Path

from sqldrills.catalog.page import catalog_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "catalog.md"


def test_catalog_page_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == catalog_markdown(), "run `make docs` and commit"


def test_catalog_page_lists_every_drill() -> None:
    text = catalog_markdown()
    for drill in ("members_not_devices", "duplicate_events", "cohort_leakage"):
        assert f"`{drill}`" in text
