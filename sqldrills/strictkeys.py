"""One strict check for every table a user writes (challenge.toml, a rubric, a ``[lint]``
table): a missing key and a misspelled one are both errors that name the key and list the
known ones, never silently ignored.

>>> check_keys({"title": "x", "titel": "y"}, required={"title"}, where="challenge.toml")
Traceback (most recent call last):
ValueError: challenge.toml: unknown key(s) titel (known: title)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def check_keys(
    data: Mapping[str, Any],
    *,
    required: Iterable[str] = (),
    optional: Iterable[str] = (),
    where: str,
    error: type[Exception] = ValueError,
) -> None:
    """Raise ``error`` when ``data`` lacks a required key or has one that is neither required
    nor optional.

    >>> check_keys({}, required={"title"}, where="drill", error=KeyError)
    Traceback (most recent call last):
    KeyError: 'drill: missing key(s) title'
    """
    required, optional = set(required), set(optional)
    missing = sorted(required - data.keys())
    if missing:
        raise error(f"{where}: missing key(s) {', '.join(missing)}")
    unknown = sorted(data.keys() - required - optional)
    if unknown:
        known = ", ".join(sorted(required | optional))
        raise error(f"{where}: unknown key(s) {', '.join(unknown)} (known: {known})")
