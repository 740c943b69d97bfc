"""Generate ``docs/catalog.md`` from the challenge files (``make docs``).

The test suite regenerates it and compares, so the page cannot go stale.
"""

from __future__ import annotations

from sqldrills.catalog.challenges import TRACKS, Challenge, load_all


def catalog_markdown(challenges: list[Challenge] | None = None) -> str:
    drills = challenges if challenges is not None else load_all()
    lines = [
        "# The drill catalog",
        "",
        "Generated from `challenges/` by `make docs`; do not edit by hand.",
        f"{len(drills)} drills in learning order. Difficulty: 1 (warm-up) to 3 (hard).",
        "",
    ]
    for track in TRACKS:
        in_track = [c for c in drills if c.track == track]
        if not in_track:
            continue
        lines += [f"## {track.capitalize()}", "", "| drill | difficulty | pitfall it teaches | traps |",
                  "|---|---|---|---|"]
        for c in in_track:
            traps = ", ".join(t.id for t in c.traps)
            pitfall = c.pitfall.replace("|", "\\|")
            lines.append(f"| `{c.id}`: {c.title} | {c.difficulty} | {pitfall} | {traps} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(catalog_markdown(), end="")
