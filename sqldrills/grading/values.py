"""The values a query result holds, from the sandbox to the screen, JSON and the caches.

DuckDB's Python client returns whatever its version chooses: ``zoneinfo`` or ``pytz`` time
zones for TIMESTAMPTZ, strings for BC dates and BIT, dicts of ``key``/``value`` lists for a
MAP whose keys are lists. Results cross from the sandbox child to the parent as a pickle the
parent does not trust, so the child turns every cell into one of a closed set of **plain
values** first (:func:`plain_rows`), and the parent unpickles nothing else:

============================  ==============================================================
DuckDB type                   plain value
============================  ==============================================================
BOOLEAN                       ``bool``
every integer, HUGEINT,       ``int`` (a BIGNUM column too, from its digits; past Python's
UHUGEINT, BIGNUM              4,300-digit limit, or nested in a list or struct, it stays text)
DECIMAL                       ``Decimal``
FLOAT, DOUBLE                 ``float``, NaN, infinities and -0.0 included
VARCHAR, ENUM, BIT, JSON      ``str``
BLOB                          ``bytes``
DATE                          ``date``; a BC date or a year past 9999 as DuckDB's text;
                              ±infinity as DuckDB returns it (``date.max`` / ``date.min``)
TIMESTAMP, _S, _MS, _NS       naive ``datetime`` (UTC); nanoseconds are cut to microseconds
TIMESTAMPTZ                   ``datetime`` in ``timezone.utc``, the same instant
TIME / TIMETZ                 ``time``; a TIMETZ keeps its offset as a fixed ``timezone``
INTERVAL                      ``timedelta`` (DuckDB counts a month as 30 days)
UUID                          ``uuid.UUID``
LIST / ARRAY                  ``list`` / ``tuple`` of plain values
STRUCT, MAP                   ``dict`` of plain values (a MAP with list keys: DuckDB's
                              ``{'key': [...], 'value': [...]}``)
UNION                         the plain value of its member
NULL                          ``None``
============================  ==============================================================

Anything else a future DuckDB returns arrives as its text: a value always comes back.
``sqldrills.grading.compare`` compares plain values (a TIMESTAMPTZ equals the TIMESTAMP of the same
UTC instant); :func:`display` is how a cell reads on screen and in CSV, :func:`to_json` how it
reads in every JSON output (``check --json``, ``query --json``, take-home records).

>>> from datetime import timezone, timedelta as td
>>> plain(datetime(2024, 1, 1, 12, tzinfo=timezone(td(hours=5, minutes=30))))
datetime.datetime(2024, 1, 1, 6, 30, tzinfo=datetime.timezone.utc)
>>> display([date(2024, 1, 1), None, "a"]), to_json(float("nan")), to_json(b"\\xaa!")
("[2024-01-01, NULL, 'a']", 'NaN', '\\\\xAA!')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

PLAIN_TYPES: tuple[type, ...] = (
    type(None), bool, int, float, str, bytes, Decimal, date, datetime, time, timedelta, timezone,
    UUID, list, tuple, dict,
)
"""Every type a plain value (or one of its parts) can have."""

# Classes the parent may unpickle: the plain types that are not pickle built-ins.
PICKLED_CLASSES = frozenset(
    {
        ("decimal", "Decimal"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("uuid", "UUID"),
        ("uuid", "SafeUUID"),
    }
)

# Column types whose values DuckDB's client already returns as plain values (the type zoo in
# tests/test_values.py proves each): their cells are sent as they are, unwalked.
_PLAIN_COLUMN_TYPES = frozenset(
    {
        "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
        "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE",
        "VARCHAR", "BLOB", "UUID", "DATE", "TIME", "INTERVAL",
        "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS",
    }
)
_LEAVES = frozenset({type(None), bool, int, float, str, bytes, Decimal, date, timedelta, UUID})


def is_plain(value: Any) -> bool:
    """Whether ``value`` is a plain value, all the way down.

    >>> is_plain([1, {"a": (None, Decimal("1.5"))}]), is_plain({1, 2}), is_plain(bytearray(b"x"))
    (True, False, False)
    """
    kind = type(value)
    if kind in (list, tuple):
        return all(map(is_plain, value))
    if kind is dict:
        return all(is_plain(key) and is_plain(item) for key, item in value.items())
    return kind in _LEAVES or kind in (datetime, time, timezone)


def plain_rows(types: Sequence[str], rows: list[tuple]) -> list[tuple]:
    """Rows as DuckDB fetched them, with every cell a plain value (see the table above).

    ``types`` are the columns' DuckDB type names; columns of a type DuckDB already returns
    plainly are left as they are.

    >>> plain_rows(["INTEGER", "BIGNUM"], [(1, "123456789012345678901234567890")])
    [(1, 123456789012345678901234567890)]
    """
    converters = [_converter(name) for name in types]
    if not any(converters):
        return rows
    steps = [(position, convert) for position, convert in enumerate(converters) if convert]
    converted = []
    for row in rows:
        cells = list(row)
        for position, convert in steps:
            cells[position] = convert(cells[position])
        converted.append(tuple(cells))
    return converted


def _converter(type_name: str) -> Callable[[Any], Any] | None:
    if type_name in _PLAIN_COLUMN_TYPES or type_name.startswith("DECIMAL("):
        return None
    if type_name in ("BIGNUM", "VARINT"):
        return _big_integer
    return plain


def _big_integer(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:  # more digits than Python converts by default
            return value
    return plain(value)


def plain(value: Any) -> Any:
    """One value as a plain value (see the table above).

    >>> plain({"k": (1, 2.5)}), plain(object.__new__(type("Odd", (), {"__str__": lambda s: "odd"})))
    ({'k': (1, 2.5)}, 'odd')
    """
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=None)
        return value.astimezone(UTC)
    if kind is time:
        if value.tzinfo is None or type(value.tzinfo) is timezone:
            return value
        offset = value.utcoffset()
        return value.replace(tzinfo=None if offset is None else timezone(offset))
    if kind is list:
        return [plain(item) for item in value]
    if kind is tuple:
        return tuple(plain(item) for item in value)
    if kind is dict:
        return {plain(key): plain(item) for key, item in value.items()}
    return _plain_subclass(value)


def _plain_subclass(value: Any) -> Any:
    """A value of a type outside the closed set: its plain base type, or else its text."""
    for base in (bool, int, float, str, bytes, Decimal, list, tuple, dict):
        if isinstance(value, base):
            return plain(base(value))
    if isinstance(value, datetime):
        return plain(datetime.combine(value.date(), value.timetz()))
    if isinstance(value, time):
        return plain(time(value.hour, value.minute, value.second, value.microsecond, value.tzinfo))
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return str(value)


def display(value: Any, *, nested: bool = False) -> str:
    """How a cell reads on screen and in CSV; inside a list, struct or map a string is quoted.

    >>> display(None), display(Decimal("1.50")), display(datetime(2024, 1, 1, 6, 30))
    ('NULL', '1.50', '2024-01-01 06:30:00')
    >>> display({"a": 1, "b": [date(2024, 1, 1)]}), display(b"ab\\x00")
    ("{'a': 1, 'b': [2024-01-01]}", 'ab\\\\x00')
    """
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'" if nested else value
    if isinstance(value, list | tuple):
        return "[" + ", ".join(display(item, nested=True) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{display(key, nested=True)}: {display(item, nested=True)}"
                               for key, item in value.items()) + "}"
    return _scalar_text(value)


def to_json(value: Any) -> Any:
    """A JSON-ready form of a value, or of a record (dicts and lists of values).

    Numbers stay numbers (DECIMAL as float); NaN and the infinities, which JSON cannot hold,
    are the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``, so NaN never reads as NULL;
    dates and times are ISO 8601 text; BLOBs read as DuckDB prints them; a map's keys become
    text.

    >>> to_json({"d": Decimal("1.50"), "t": date(2026, 5, 4), "x": [float("-inf"), -0.0]})
    {'d': 1.5, 't': '2026-05-04', 'x': ['-Infinity', -0.0]}
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | Decimal):
        number = float(value)
        return _float_text(number) or number
    if isinstance(value, dict):
        return {key if isinstance(key, str) else display(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return _scalar_text(value)


def _scalar_text(value: Any) -> str:
    """Text for a value that is not NULL, a string, a list or a struct (screen and JSON alike)."""
    if isinstance(value, bytes):
        return blob_text(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return _float_text(value) or repr(value)
    return str(value)


def _float_text(number: float) -> str | None:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return None


def blob_text(data: bytes) -> str:
    r"""A BLOB as DuckDB casts it to text: printable ASCII as is (but quote and backslash),
    every other byte as ``\xHH``, so the text casts back to the same bytes.

    >>> blob_text(b"ok\x00\xff\\'")
    'ok\\x00\\xFF\\x5C\\x27'
    """
    return "".join(chr(byte) if 32 <= byte < 127 and byte not in (39, 92) else f"\\x{byte:02X}"
                   for byte in data)
