"""One answer file: its bytes as SQL, or why there is nothing to grade; and names of any
bytes as text safe everywhere.

An answer with no query in it (the stub untouched: only comments and whitespace) or no file
at all is ``not_attempted``; one handed in that cannot be read as SQL text is an ``error``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_ANSWER_BYTES = 1_000_000


@dataclass(frozen=True)
class NotRead:
    """Why a task has no answer to grade: nothing handed in (``not_attempted``), or
    something handed in that is not read (``error``)."""

    reason: str
    handed_in: bool = True


def escape_name(name: str) -> str:
    r"""A file or folder name as text safe everywhere (reports, JSON, CSV, HTML, terminal):
    bytes that are not UTF-8 (``os.fsdecode``'s surrogates) become ``\xff``, control and
    invisible characters their ``repr`` escape, and the backslash ``\\``, so two names
    never read the same.

    >>> import os
    >>> escape_name(os.fsdecode(b"caf\xc3\xa9 \xff")), escape_name("a\x1b]0;x\x07\u202e\\")
    ('café \\xff', 'a\\x1b]0;x\\x07\\u202e\\\\')
    """
    return "".join(_escape_char(char) for char in name)


def _escape_char(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte that was not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    if char == "\\":
        return "\\\\"
    return char if char.isprintable() else repr(char)[1:-1]


UNTOUCHED = "the answer file is the stub, untouched (only comments or whitespace)"


def decode_answer(data: bytes) -> tuple[str | None, str | None]:
    """``(sql, None)`` for a usable answer, ``(None, reason)`` otherwise: an ``error``, or
    :data:`UNTOUCHED` for a file with no query in it (``not_attempted``).

    >>> decode_answer(b"select 1")
    ('select 1', None)
    >>> decode_answer(b"-- Task 1: the stub\\n\\n")[1] == UNTOUCHED
    True
    >>> decode_answer(b"select '\\xff'")[1]
    'the answer is not UTF-8 text (byte 0xff at offset 8)'
    """
    if len(data) > MAX_ANSWER_BYTES:
        return None, f"the answer is larger than {MAX_ANSWER_BYTES:,} bytes"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, (f"the answer is not UTF-8 text (byte 0x{data[exc.start]:02x} "
                      f"at offset {exc.start})")
    if "\x00" in text:
        return None, "the answer contains NUL bytes (a binary file?)"
    code = re.sub(r"--[^\n]*|/\*.*?\*/", "", text, flags=re.S)
    if not code.strip():
        return None, UNTOUCHED
    return text, None
