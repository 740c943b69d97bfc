"""Deadline honesty: when each answer file was last changed, and a flag for a human when
that is after the take-home's deadline (never a penalty: clocks and zip tools differ).

A folder's answer has its file's modification time. A zip entry has the time the zip tool
stored: the "extended timestamp" extra field (Info-ZIP, macOS, 7-Zip: a UTC instant) when
present, else the DOS date and time, which carry no time zone and are read as UTC (the
flag says so: it may be off by the sender's UTC offset).
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime

from sqldrills.takehome import TakehomeError
from sqldrills.takehome.records import Flag, FlagKind

_EXTENDED_TIMESTAMP = 0x5455


@dataclass(frozen=True)
class Changed:
    """When an answer file was last changed, and how that is known."""

    at: datetime  # aware, UTC
    source: str  # "file modified", "zip entry time", ...


def parse_deadline(text: str) -> datetime:
    """``--deadline``: an ISO 8601 date and time with a zone (``2026-12-07T18:00Z``,
    ``2026-12-07 18:00+01:00``), as an aware UTC instant.

    >>> parse_deadline("2026-12-07T18:00Z").isoformat()
    '2026-12-07T18:00:00+00:00'
    >>> parse_deadline("2026-12-07 19:30+01:00").isoformat()
    '2026-12-07T18:30:00+00:00'
    >>> parse_deadline("2026-12-07 18:00")
    Traceback (most recent call last):
    ...
    sqldrills.takehome.TakehomeError: --deadline 2026-12-07 18:00 has no time zone: add Z for UTC \
(2026-12-07T18:00Z) or an offset (+01:00)
    """
    try:
        when = datetime.fromisoformat(re.sub(r"[zZ]$", "+00:00", text.strip()))
    except ValueError:
        raise TakehomeError(f"--deadline {text}: not a date and time; write e.g. "
                            "2026-12-07T18:00Z") from None
    if when.tzinfo is None:
        raise TakehomeError(f"--deadline {text} has no time zone: add Z for UTC "
                            f"({text.strip().replace(' ', 'T')}Z) or an offset (+01:00)")
    return when.astimezone(UTC)


def file_changed(mtime: float) -> Changed:
    return Changed(datetime.fromtimestamp(mtime, UTC), "file modified")


def zip_entry_changed(info: zipfile.ZipInfo) -> Changed | None:
    """The entry's time: the extended timestamp's UTC instant if stored, else its DOS time
    read as UTC; None for a time that is no date (a zip tool's zeros)."""
    extra = info.extra
    while len(extra) >= 4:
        kind, size = struct.unpack("<HH", extra[:4])
        body = extra[4:4 + size]
        if kind == _EXTENDED_TIMESTAMP and len(body) >= 5 and body[0] & 1:
            return Changed(datetime.fromtimestamp(struct.unpack("<i", body[1:5])[0], UTC),
                           "zip entry time")
        extra = extra[4 + size:]
    try:
        return Changed(datetime(*info.date_time, tzinfo=UTC),
                       "zip entry time (no time zone stored: read as UTC)")
    except ValueError:
        return None


def late_flags(candidate: str, changed: dict[str, Changed], deadline: datetime,
               order: list[str]) -> list[Flag]:
    """A ``late`` flag per answer file changed after ``deadline``, in task order."""
    flags = []
    for task, when in changed.items():
        if when.at > deadline:
            late = when.at - deadline
            hours, rest = divmod(int(late.total_seconds()), 3600)
            flags.append(Flag(
                FlagKind.LATE, candidate, task,
                f"answer changed {when.at:%Y-%m-%d %H:%M} UTC "
                f"({when.source}), {hours}h{rest // 60:02d}m after the deadline "
                f"{deadline:%Y-%m-%d %H:%M} UTC"))
    return sorted(flags, key=lambda f: order.index(f.task) if f.task in order else len(order))
