"""Compare a query's result with the reference's, and say where they differ (architecture.md §3, step 3).

Columns are matched by name, case-insensitively, in any order. Rows are a multiset unless
``ordered``. Cells are equal under these rules:

- Numbers (``int``, ``float``, ``Decimal``) are compared as numbers: ``Decimal('0.50')`` equals
  ``0.5``. Two integers must be equal exactly (a count off by one is wrong however large it
  is); any other pair is equal within ``math.isclose(rel_tol=tolerance, abs_tol=1e-12)``,
  because DuckDB's float sums change in their last bits with thread scheduling. An infinity
  equals itself.
- ``bool`` is not a number here: ``True`` does not equal ``1``.
- NULL and NaN both mean "no value" (DuckDB's 0/0 is NaN where a ``NULLIF`` guard gives
  NULL, and PostgreSQL raises): each equals the other and itself, nothing else. A
  counterexample still shows them apart (``NULL``, ``NaN``).
- A DATE equals a TIMESTAMP only when the timestamp is exactly midnight: learners often
  return ``date_trunc('day', ts)``, a TIMESTAMP, where the reference returns a DATE. A
  timestamp with a time zone is compared as its UTC instant and a naive one is read as UTC,
  the sandbox's time zone.
- Strings, and everything else (TIME, INTERVAL, UUID, BLOB), are equal only to an equal value
  of their own type. Lists and structs are equal element by element under these rules.

>>> expected = Table(["day", "watchers"], [(date(2024, 1, 1), 3), (date(2024, 1, 2), 5)])
>>> actual = Table(["WATCHERS", "day"], [(5, datetime(2024, 1, 2)), (4, datetime(2024, 1, 1))])
>>> result = compare(expected, actual)
>>> result.equal, result.total_differing
(False, 1)
>>> result.diffs[0]
RowDiff(key={'day': datetime.date(2024, 1, 1)}, expected={'watchers': 3}, actual={'watchers': 4})
>>> round(result.ratios["watchers"], 3)
1.167
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from numbers import Integral, Real
from typing import Any

ABS_TOL = 1e-12
"""Absolute tolerance next to the relative one, so values that should be 0 may be 1e-17."""

_KEY_NAMES = ("id", "day", "week", "month", "year", "hour", "minute", "dow")


@dataclass(frozen=True)
class Table:
    """A query result: column names and rows of Python values, as DuckDB fetches them."""

    columns: list[str]
    rows: list[tuple]

    def __post_init__(self) -> None:
        width = len(self.columns)
        for row in self.rows:
            if len(row) != width:
                raise ValueError(f"row {row!r} has {len(row)} values for {width} columns")


@dataclass(frozen=True)
class RowDiff:
    """One group whose rows differ, named by the values of its key columns.

    ``expected`` and ``actual`` hold the other columns; ``None`` means the row is missing
    (``actual``) or should not be there (``expected``).
    """

    key: dict[str, Any]
    expected: dict[str, Any] | None
    actual: dict[str, Any] | None


@dataclass(frozen=True)
class Comparison:
    """Everything the explainer needs to say whether, and where, two results differ.

    Column names are spelt as the expected table spells them. ``diffs``, ``total_differing``
    and ``ratios`` cover the columns both tables have. When ``order_only`` is true the rows
    are right but out of order, and ``diffs`` instead lists the first misplaced positions,
    keyed ``{"row": n}`` (from 1), with whole rows.
    """

    equal: bool
    missing_columns: list[str]
    extra_columns: list[str]
    expected_rows: int
    actual_rows: int
    diffs: list[RowDiff]
    total_differing: int
    order_only: bool
    ratios: dict[str, float]


def compare(
    expected: Table,
    actual: Table,
    *,
    ordered: bool = False,
    sort_keys: Sequence[str] = (),
    tolerance: float = 1e-9,
    key_columns: Sequence[str] | None = None,
    max_diffs: int = 5,
) -> Comparison:
    """Compare ``actual`` with ``expected`` and find the fewest groups that show the difference.

    Rows are grouped by their key columns: ``key_columns`` when given, else the columns
    whose expected values are neither numbers, lists nor structs (strings, dates, booleans,
    ...), plus the integer columns named ``id``, ``day``, ``week``, ``month``, ``year``,
    ``hour``, ``minute`` or ``dow``, or ending in ``_`` and one of those (``account_id``,
    ``signup_week``). A column that is all NULL is not a key. Key values must be equal
    exactly; a table without key columns (a one-row aggregate) is diffed row by row. Inside
    a group rows are paired as well as the tolerance allows; each row left over is a
    difference (a leftover expected row and a leftover actual row of the same group make
    one). ``diffs`` lists at most ``max_diffs`` of them, those with the fewest differing
    cells first, then by key.

    With ``ordered``, a result with the right rows must also list them in the expected order
    of ``sort_keys`` (of every column when none are declared); rows tied on the sort keys
    may come in any order.

    ``ratios`` holds, per numeric non-key column, the mean of actual / expected over the
    paired rows where the expected value is a nonzero finite number and the actual a number.

    >>> expected = Table(["plan", "members"], [("basic", 10), ("premium", 4)])
    >>> compare(expected, Table(["plan", "members"], [("premium", 4)])).diffs
    [RowDiff(key={'plan': 'basic'}, expected={'members': 10}, actual=None)]
    >>> compare(expected, Table(["plan"], [("basic",), ("premium",)])).missing_columns
    ['members']
    >>> ranked = Table(["plan", "members"], [("premium", 4), ("basic", 10)])
    >>> compare(expected, ranked, ordered=True, sort_keys=["members"]).order_only
    True
    """
    layout = _lay_out(expected, actual, sort_keys, key_columns, tolerance)
    candidates: list[tuple[tuple, int | None, int | None]] = []
    paired: list[tuple[int, int]] = []
    for matched, lost, unexpected in _match_groups(layout):
        paired += matched
        for expected_index, actual_index in _pair_leftovers(layout, lost, unexpected):
            if expected_index is not None and actual_index is not None:
                paired.append((expected_index, actual_index))
            rank = _rank(layout, expected_index, actual_index)
            candidates.append((rank, expected_index, actual_index))
    best = heapq.nsmallest(max(max_diffs, 0), candidates, key=lambda candidate: candidate[0])
    diffs = [
        _row_diff(layout, expected_index, actual_index) for _, expected_index, actual_index in best
    ]
    total_differing = len(candidates)
    order_only = False
    if ordered and not (candidates or layout.missing or layout.extra):
        misplaced = list(_misplaced(layout))
        order_only = bool(misplaced)
        total_differing = len(misplaced)
        diffs = [_misplaced_diff(layout, position) for position in misplaced[: max(max_diffs, 0)]]
    return Comparison(
        equal=not (total_differing or layout.missing or layout.extra),
        missing_columns=layout.missing,
        extra_columns=layout.extra,
        expected_rows=len(expected.rows),
        actual_rows=len(actual.rows),
        diffs=diffs,
        total_differing=total_differing,
        order_only=order_only,
        ratios=_ratios(layout, paired),
    )


def same_result(
    a: Table,
    b: Table,
    *,
    ordered: bool = False,
    sort_keys: Sequence[str] = (),
    tolerance: float = 1e-9,
) -> bool:
    """Whether ``b`` equals ``a`` under :func:`compare`'s rules; returns at the first difference.

    >>> a = Table(["n"], [(1,), (0.1 + 0.2,)])
    >>> same_result(a, Table(["N"], [(0.3,), (1,)]))
    True
    >>> same_result(a, Table(["N"], [(0.3,), (1,)]), ordered=True)
    False
    """
    if len(a.rows) != len(b.rows):
        return False
    layout = _lay_out(a, b, sort_keys, None, tolerance)
    if layout.missing or layout.extra:
        return False
    if any(lost or unexpected for _, lost, unexpected in _match_groups(layout)):
        return False
    return not (ordered and any(True for _ in _misplaced(layout)))


# --- Cells -------------------------------------------------------------------------------


class _Marker:
    """A placeholder in a cell's exact part that equals only itself."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_NUMBER = _Marker("<number>")


def _is_number(value: object) -> bool:
    if isinstance(value, int | float | Decimal):  # the common types first: ABC checks are slow
        return not isinstance(value, bool)
    return isinstance(value, Real)


def _is_integer(value: object) -> bool:
    """Whether ``value`` is a whole-number type (``int``, numpy integers); bool excluded."""
    if isinstance(value, int):
        return not isinstance(value, bool)
    return not isinstance(value, float | Decimal) and isinstance(value, Integral)


def _split(value: Any, numbers: list) -> Hashable:
    """The exact part of ``value``; its finite numbers are appended to ``numbers`` in order.

    Two cells are equal when their exact parts are equal and their numbers close pairwise, so
    rows can be grouped by exact parts with a dict and only the numbers need tolerance.

    >>> numbers = []
    >>> _split([1.5, None, "a"], numbers), numbers
    (('list', (<number>, None, 'a')), [1.5])
    >>> _split(date(2024, 1, 1), []) == _split(datetime(2024, 1, 1), [])
    True
    """
    kind = type(value)
    if kind is str or value is None:  # the common cases first: this runs for every cell
        return value
    if kind is int or (kind is float and math.isfinite(value)):
        numbers.append(value)
        return _NUMBER
    if isinstance(value, str | bool):
        return value
    if _is_number(value):
        if _is_integer(value) or math.isfinite(value):
            numbers.append(value)
            return _NUMBER
        return None if math.isnan(value) else float(value)  # NaN is no value; an infinity equals only itself
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, list | tuple):
        return ("list", tuple(_split(item, numbers) for item in value))
    if isinstance(value, dict):
        return ("struct", tuple((name, _split(item, numbers)) for name, item in value.items()))
    try:
        hash(value)
    except TypeError:
        return (type(value).__name__, repr(value))
    return value


def _close(x: Any, y: Any, tolerance: float) -> bool:
    if x == y:
        return True
    if _is_integer(x) and _is_integer(y):
        return False
    return math.isclose(float(x), float(y), rel_tol=tolerance, abs_tol=ABS_TOL)


def _all_close(xs: tuple, ys: tuple, tolerance: float) -> bool:
    return all(_close(x, y, tolerance) for x, y in zip(xs, ys, strict=True))


def _cells_equal(x: Any, y: Any, tolerance: float) -> bool:
    x_numbers: list = []
    y_numbers: list = []
    if _split(x, x_numbers) != _split(y, y_numbers):
        return False
    return _all_close(tuple(x_numbers), tuple(y_numbers), tolerance)


def _order(value: Any) -> tuple:
    """A sort key for any cell, so differences can be listed smallest first (NULLs last)."""
    if value is None:
        return (5,)
    if _is_number(value):
        number = float(value)
        return (0, number) if number == number else (1,)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, date):
        return (3, _split(value, []))
    if isinstance(value, list | tuple):
        return (4, tuple(_order(item) for item in value))
    return (6, type(value).__name__, repr(value))


# --- Columns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Both tables cut to the columns they share, in the expected order and spelling."""

    columns: list[str]
    expected_rows: list[tuple]
    actual_rows: list[tuple]
    missing: list[str]
    extra: list[str]
    key_positions: list[int]
    value_positions: list[int]
    sort_positions: list[int]
    tolerance: float


def _lay_out(
    expected: Table,
    actual: Table,
    sort_keys: Sequence[str],
    key_columns: Sequence[str] | None,
    tolerance: float,
) -> _Layout:
    if not 0 <= tolerance < 1:
        raise ValueError(f"tolerance must be at least 0 and below 1, not {tolerance!r}")
    wanted = {name.lower(): position for position, name in enumerate(expected.columns)}
    if len(wanted) != len(expected.columns):
        raise ValueError(f"the expected result repeats a column name: {expected.columns}")
    found: dict[str, int] = {}
    extra = []
    for position, name in enumerate(actual.columns):
        # A repeated name is ambiguous: the first one is compared, the others are extra.
        if name.lower() in wanted and name.lower() not in found:
            found[name.lower()] = position
        else:
            extra.append(name)
    columns = [name for name in expected.columns if name.lower() in found]
    missing = [name for name in expected.columns if name.lower() not in found]
    keys = (
        _known(expected.columns, key_columns, "key column")
        if key_columns is not None
        else _default_keys(expected)
    )
    key_positions = [position for position, name in enumerate(columns) if name in keys]
    sorts = _known(expected.columns, sort_keys, "sort key")
    return _Layout(
        columns=columns,
        expected_rows=_project(expected.rows, [wanted[name.lower()] for name in columns]),
        actual_rows=_project(actual.rows, [found[name.lower()] for name in columns]),
        missing=missing,
        extra=extra,
        key_positions=key_positions,
        value_positions=[
            position for position in range(len(columns)) if position not in key_positions
        ],
        sort_positions=[
            position for position, name in enumerate(columns) if name in sorts or not sorts
        ],
        tolerance=tolerance,
    )


def _known(columns: list[str], names: Sequence[str], what: str) -> set[str]:
    """``names`` spelt as in ``columns``; an unknown name is a mistake in the challenge."""
    spelling = {column.lower(): column for column in columns}
    unknown = [name for name in names if name.lower() not in spelling]
    if unknown:
        raise ValueError(f"unknown {what} {unknown}: the expected columns are {columns}")
    return {spelling[name.lower()] for name in names}


def _default_keys(table: Table) -> set[str]:
    return {
        name
        for position, name in enumerate(table.columns)
        if _looks_like_key(name, [row[position] for row in table.rows if row[position] is not None])
    }


def _looks_like_key(name: str, values: list) -> bool:
    if not values:  # all NULL: nothing says what it is, so it is compared as a value
        return False
    if not any(_is_number(value) or isinstance(value, list | tuple | dict) for value in values):
        return True
    named_like_key = any(
        name.lower() == word or name.lower().endswith("_" + word) for word in _KEY_NAMES
    )
    return named_like_key and all(map(_is_integer, values))


def _project(rows: list[tuple], positions: list[int]) -> list[tuple]:
    return [tuple(row[position] for position in positions) for row in rows]


# --- Rows ----------------------------------------------------------------------------------


def _match_groups(layout: _Layout) -> Iterator[tuple[list[tuple[int, int]], list[int], list[int]]]:
    """Per key group: the (expected, actual) row pairs found equal, and the rows left over."""
    groups: dict[Hashable, tuple[dict, dict]] = {}
    for side, rows in enumerate((layout.expected_rows, layout.actual_rows)):
        for index, row in enumerate(rows):
            key_numbers: list = []
            key = tuple([_split(row[position], key_numbers) for position in layout.key_positions])
            numbers: list = []
            shape = tuple([_split(row[position], numbers) for position in layout.value_positions])
            by_shape = groups.setdefault((key, tuple(key_numbers)), ({}, {}))[side]
            by_shape.setdefault(shape, []).append((tuple(numbers), index))
    for expected_by_shape, actual_by_shape in groups.values():
        matched: list[tuple[int, int]] = []
        lost: list[int] = []
        unexpected: list[int] = []
        shapes = [*expected_by_shape, *(s for s in actual_by_shape if s not in expected_by_shape)]
        for shape in shapes:
            pairs, expected_left, actual_left = _match(
                expected_by_shape.get(shape, []), actual_by_shape.get(shape, []), layout.tolerance
            )
            matched += pairs
            lost += expected_left
            unexpected += actual_left
        yield matched, lost, unexpected


def _match(
    expected: list[tuple[tuple, int]], actual: list[tuple[tuple, int]], tolerance: float
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair as many rows as possible whose numbers are close (a maximum bipartite matching).

    Closeness is not transitive (a ~ b and b ~ c, yet not a ~ c), so pairing greedily, even in
    sorted order, can leave rows over that a better pairing would match; a maximum flow
    cannot. Rows with identical numbers form one node, so 10,000 copies cost one.
    """
    if len(expected) == 1 and len(actual) == 1:
        (xs, i), (ys, j) = expected[0], actual[0]
        return ([(i, j)], [], []) if _all_close(xs, ys, tolerance) else ([], [i], [j])
    if not expected or not actual:
        return [], [index for _, index in expected], [index for _, index in actual]
    left, right = _nodes(expected), _nodes(actual)
    flow = _max_flow(
        [len(rows) for _, rows in left],
        [len(rows) for _, rows in right],
        _neighbours([numbers for numbers, _ in left], [numbers for numbers, _ in right], tolerance),
    )
    pairs = []
    for (i, j), units in flow.items():
        pairs += [(left[i][1].pop(), right[j][1].pop()) for _ in range(units)]
    expected_left = [index for _, rows in left for index in rows]
    return pairs, expected_left, [index for _, rows in right for index in rows]


def _nodes(rows: list[tuple[tuple, int]]) -> list[tuple[tuple, list[int]]]:
    """Rows grouped by identical numbers (an int and an equal float differ: ints are exact)."""
    nodes: dict[tuple, tuple[tuple, list[int]]] = {}
    for numbers, index in rows:
        identity = (numbers, tuple(map(_is_integer, numbers)))
        nodes.setdefault(identity, (numbers, []))[1].append(index)
    return list(nodes.values())


def _neighbours(left: list[tuple], right: list[tuple], tolerance: float) -> list[list[int]]:
    """For each left vector, the right vectors close to it in every coordinate.

    Candidates come from a window on the coordinate with the most distinct values: close
    values differ by at most (tolerance * |x| + ABS_TOL) / (1 - tolerance).
    """
    if not left[0]:
        return [list(range(len(right))) for _ in left]
    axis = max(range(len(left[0])), key=lambda k: len({numbers[k] for numbers in right}))
    order = sorted(range(len(right)), key=lambda j: float(right[j][axis]))
    coordinates = [float(right[j][axis]) for j in order]
    neighbours = []
    for numbers in left:
        x = float(numbers[axis])
        reach = (tolerance * abs(x) + ABS_TOL) / (1 - tolerance) * (1 + 1e-9) + 4 * math.ulp(x)
        window = order[bisect_left(coordinates, x - reach) : bisect_right(coordinates, x + reach)]
        neighbours.append([j for j in window if _all_close(numbers, right[j], tolerance)])
    return neighbours


def _max_flow(
    left_caps: list[int], right_caps: list[int], neighbours: list[list[int]]
) -> dict[tuple[int, int], int]:
    """The most units that can go from left to right nodes along ``neighbours``.

    A greedy pass does nearly all the work; shortest augmenting paths then reroute what it
    got wrong, which is what makes the result a true maximum.
    """
    flow: dict[tuple[int, int], int] = {}
    carriers: list[set[int]] = [set() for _ in right_caps]  # left nodes sending to each right
    left_spare, right_spare = list(left_caps), list(right_caps)

    def push(i: int, j: int, units: int) -> None:
        flow[i, j] = flow.get((i, j), 0) + units
        left_spare[i] -= units
        right_spare[j] -= units
        if flow[i, j]:
            carriers[j].add(i)
        else:
            del flow[i, j]
            carriers[j].discard(i)

    for i, js in enumerate(neighbours):
        for j in js:
            if min(left_spare[i], right_spare[j]):
                push(i, j, min(left_spare[i], right_spare[j]))
    while True:
        reached_from: dict[int, int] = {}  # right node -> the left node that reached it
        # left node -> the right node it was rerouted from (None: it has spare units)
        rerouted_from: dict[int, int | None] = {i: None for i, n in enumerate(left_spare) if n}
        queue = deque(rerouted_from)
        end = None
        while queue and end is None:
            i = queue.popleft()
            for j in neighbours[i]:
                if j in reached_from:
                    continue
                reached_from[j] = i
                if right_spare[j]:
                    end = j
                    break
                for sender in carriers[j]:
                    if sender not in rerouted_from:
                        rerouted_from[sender] = j
                        queue.append(sender)
        if end is None:
            return flow
        steps = []  # (left, right, +1 for a new pair, -1 for a pair given up)
        j = end
        while True:
            i = reached_from[j]
            steps.append((i, j, 1))
            previous = rerouted_from[i]
            if previous is None:
                break
            steps.append((i, previous, -1))
            j = previous
        start = steps[-1][0]
        units = min(
            [left_spare[start], right_spare[end]] + [flow[i, j] for i, j, sign in steps if sign < 0]
        )
        # Inner nodes give up as much as they take: only the path's two ends lose spare.
        for i, j, sign in steps:
            push(i, j, sign * units)


# --- Differences ---------------------------------------------------------------------------


def _pair_leftovers(
    layout: _Layout, lost: list[int], unexpected: list[int]
) -> list[tuple[int | None, int | None]]:
    """Leftover rows of one group, paired in sorted order; the surplus stands alone."""
    lost = sorted(lost, key=lambda index: _row_order(layout.expected_rows[index]))
    unexpected = sorted(unexpected, key=lambda index: _row_order(layout.actual_rows[index]))
    pairs: list[tuple[int | None, int | None]] = list(zip(lost, unexpected, strict=False))
    pairs += [(index, None) for index in lost[len(unexpected) :]]
    pairs += [(None, index) for index in unexpected[len(lost) :]]
    return pairs


def _row_order(row: tuple) -> tuple:
    return tuple(_order(value) for value in row)


def _rank(layout: _Layout, expected_index: int | None, actual_index: int | None) -> tuple:
    """Fewest differing cells first (a lone row differs in all), then smallest key."""
    if expected_index is None or actual_index is None:
        differing = len(layout.value_positions)
    else:
        expected_row = layout.expected_rows[expected_index]
        actual_row = layout.actual_rows[actual_index]
        differing = sum(
            not _cells_equal(expected_row[p], actual_row[p], layout.tolerance)
            for p in layout.value_positions
        )
    row = _either_row(layout, expected_index, actual_index)
    return differing, _row_order(tuple(row[p] for p in layout.key_positions)), _row_order(row)


def _row_diff(layout: _Layout, expected_index: int | None, actual_index: int | None) -> RowDiff:
    def values(index: int | None, rows: list[tuple]) -> dict[str, Any] | None:
        return (
            None
            if index is None
            else {layout.columns[p]: rows[index][p] for p in layout.value_positions}
        )

    row = _either_row(layout, expected_index, actual_index)
    return RowDiff(
        key={layout.columns[p]: row[p] for p in layout.key_positions},
        expected=values(expected_index, layout.expected_rows),
        actual=values(actual_index, layout.actual_rows),
    )


def _either_row(layout: _Layout, expected_index: int | None, actual_index: int | None) -> tuple:
    """The expected row of a difference, or the unexpected row when there is none."""
    if expected_index is not None:
        return layout.expected_rows[expected_index]
    return layout.actual_rows[actual_index]


def _misplaced(layout: _Layout) -> Iterator[int]:
    """Positions whose sort-key values differ from the expected ones at that position."""
    for position, (expected_row, actual_row) in enumerate(
        zip(layout.expected_rows, layout.actual_rows, strict=True)
    ):
        if not all(
            _cells_equal(expected_row[p], actual_row[p], layout.tolerance)
            for p in layout.sort_positions
        ):
            yield position


def _misplaced_diff(layout: _Layout, position: int) -> RowDiff:
    return RowDiff(
        key={"row": position + 1},
        expected=dict(zip(layout.columns, layout.expected_rows[position], strict=True)),
        actual=dict(zip(layout.columns, layout.actual_rows[position], strict=True)),
    )


def _ratios(layout: _Layout, paired: list[tuple[int, int]]) -> dict[str, float]:
    ratios = {}
    for p in layout.value_positions:
        if not any(_is_number(row[p]) for row in layout.expected_rows):
            continue
        quotients = []
        for expected_index, actual_index in paired:
            expected_value = layout.expected_rows[expected_index][p]
            actual_value = layout.actual_rows[actual_index][p]
            if _is_number(expected_value) and _is_number(actual_value):
                denominator = float(expected_value)
                quotient = float(actual_value) / denominator if denominator and math.isfinite(denominator) else None
                if quotient is not None and math.isfinite(quotient):  # an infinite answer has no ratio
                    quotients.append(quotient)
        if quotients:
            ratios[layout.columns[p]] = math.fsum(quotients) / len(quotients)
    return ratios
