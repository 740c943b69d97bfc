"""Run one learner query on each world, in a fresh child process that can do no harm.

Every command that runs a learner's SQL goes through :func:`run_query` (or
:func:`run_user_sql`, which checks the SQL first with ``sqldrills.grading.sqlcheck``). For each
submission a child process is forked; it

* closes every inherited file descriptor but its result pipe, points stdin/stdout/stderr
  at ``/dev/null``, and forbids file growth and core dumps;
* opens an in-memory DuckDB, attaches each world file ``READ_ONLY``, then turns off
  external access and extension loading, pins time zone, threads, memory and spilling,
  locks the configuration and verifies that every setting took effect;
* caps its own address space;
* refuses invisible characters outside quoted text, asks DuckDB's own parser that the
  text is exactly one SELECT statement, and checks its parse tree
  (``sqldrills.grading.duckdbcheck``: tables, CTE scopes, functions);
* runs the query on each world under a timer that interrupts DuckDB, and a watchdog that
  ends the process if DuckDB does not stop;
* sends back plain values (``sqldrills.grading.values``: a closed set of Python types, whatever
  DuckDB's client returned), at most ``max_rows`` rows, through a pipe.

The parent waits with a deadline, kills the child when it passes, and never unpickles
anything but plain values. SECURITY.md describes the threat model and every layer.

Why ``os.fork``: the sandbox must cost tens of milliseconds per submission (``sqldrills
check`` targets 0.5 s end to end). A forked child starts in ~2 ms, and spends ~40 ms
creating its DuckDB instance; ``spawn`` and ``forkserver`` children start a new
interpreter that imports duckdb again (~350 ms per submission with spawn; forkserver
pays that once per parent, which is the whole budget of a one-shot ``check``). Forking
is safe because the grader never holds a DuckDB connection when it forks (callers must
close theirs first): the child builds its own instance, and leaves with ``os._exit``
without running the parent's cleanup. It calls ``os.fork`` itself rather than
multiprocessing so that it works in threads and inside (daemonic) process-pool workers.
POSIX only: there is no fork on Windows.

This module does not import duckdb or sqlglot itself. :meth:`Sandbox.start` forks the
child before the query is known, so that a one-shot ``sqldrills check`` overlaps the
child's work (importing duckdb, opening the worlds) with its own (importing sqlglot,
checking the query); a long-lived grader imports duckdb once (the take-home pool
preloads it) and its children find it loaded.

>>> result, = run_query("SELECT 42 AS answer", [":memory:"])
>>> result.columns, result.rows
(['answer'], [(42,)])
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import resource
import select
import signal
import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from sqldrills.grading import duckdbcheck
from sqldrills.grading.sqlrules import fold_name, invisible_character
from sqldrills.grading.values import PICKLED_CLASSES, is_plain, plain_rows

if TYPE_CHECKING:
    import duckdb


@dataclass
class QueryResult:
    columns: list[str]
    types: list[str]  # DuckDB type names
    rows: list[tuple]  # Python values as duckdb's fetchall() returns them
    truncated: bool  # True when more than max_rows rows came back
    elapsed_ms: float


@dataclass
class QueryFailure:
    kind: str  # "refused" | "runtime" | "timeout" | "memory" | "crashed"
    message: str  # one or two lines for a learner: what happened and how to fix it


Outcome = QueryResult | QueryFailure


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 10.0  # wall clock per world query
    max_rows: int = 10_000
    # DuckDB's memory_limit. The child's address-space limit is higher (see
    # _limit_address_space): DuckDB reserves address space it never touches.
    memory_limit_mb: int = 1024
    threads: int = 2
    # How long after the timeout the parent waits before it kills the child: DuckDB
    # checks for interrupts between chunks, and a few operators check rarely.
    kill_grace_s: float = 2.0
    # Largest result (pickled) a world may send back; bigger ones fail, never truncate.
    max_result_mb: int = 64


# Address space a query may use beyond DuckDB's memory_limit, counted from the set-up
# sandbox: allocations outside DuckDB's buffer manager (long strings, lists), the Python
# rows of the result and their pickle. Small enough that a 1 GB string fails fast.
ADDRESS_SPACE_HEADROOM_MB = 512
# DuckDB's default is 1000; answers pass sqlglot, which gives up far earlier.
MAX_EXPRESSION_DEPTH = 500
# Exit status of a child that its own watchdog ended (DuckDB ignored the interrupt).
_WATCHDOG_EXIT = 124
_HEADER = struct.Struct("!Q")


def run_user_sql(
    sql: str,
    db_paths: Sequence[Path | str],
    *,
    dialect: str = "duckdb",
    limits: Limits = Limits(),
) -> list[Outcome]:
    """Check ``sql`` (see ``sqlcheck.prepare_query``), then run it on every world.

    A refused query gives the same ``QueryFailure("refused", ...)`` for each world.

    >>> run_user_sql("DELETE FROM accounts", [":memory:"])[0].kind
    'refused'
    """
    from sqldrills.grading.sqlcheck import Refused, prepare_query

    try:
        prepared = prepare_query(sql, dialect=dialect)
    except Refused as refused:
        return [QueryFailure("refused", refused.message) for _ in db_paths]
    return run_query(prepared, db_paths, limits=limits)


def run_query(sql: str, db_paths: Sequence[Path | str], *, limits: Limits = Limits()) -> list[Outcome]:
    """Run ONE already-prepared DuckDB query on each world database file.

    All worlds are served by one fresh child process for this submission; the result
    holds one outcome per path, in order. The parent never waits longer than about
    ``(timeout_s + kill_grace_s)`` per world.
    """
    return start_query(sql, db_paths, limits=limits)()


def start_query(
    sql: str, db_paths: Sequence[Path | str], *, limits: Limits = Limits()
) -> Callable[[], list[Outcome]]:
    """Like :func:`run_query`, but return as soon as the child is started: call the result
    to wait for the outcomes. The caller can do its own work (lint, loading the expected
    results) while the query runs. Call it exactly once, or the child is never reaped.
    """
    return Sandbox.start(db_paths, limits=limits).run(sql)


class Sandbox:
    """A child process forked before its query is known: it opens the worlds while the
    caller checks the query, then runs exactly one query (:meth:`run`) or none
    (:meth:`cancel`).

    >>> sandbox = Sandbox.start([":memory:"])
    >>> sandbox.run("SELECT 1 + 1 AS two")()[0].rows
    [(2,)]
    >>> Sandbox.start([":memory:"]).cancel()
    """

    def __init__(self, pid: int, result_fd: int, query_fd: int, paths: list[str], limits: Limits):
        self._pid, self._result_fd, self._query_fd = pid, result_fd, query_fd
        self._paths, self._limits = paths, limits

    @classmethod
    def start(cls, db_paths: Sequence[Path | str], *, limits: Limits = Limits()) -> Sandbox:
        paths = [str(path) for path in db_paths]
        result_read, result_write = os.pipe()
        query_read, query_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child ends in os._exit, coverage never sees it
            os.close(result_read)
            os.close(query_write)
            _child_main(result_write, query_read, paths, limits)
        os.close(result_write)
        os.close(query_read)
        return cls(pid, result_read, query_write, paths, limits)

    def run(self, sql: str) -> Callable[[], list[Outcome]]:
        """Send the (already prepared) query; the result waits for one outcome per world."""
        pending = self.run_many([sql])
        return lambda: pending()[0]

    def run_many(self, sqls: Sequence[str]) -> Callable[[], list[list[Outcome]]]:
        """Send several prepared queries, run one after the other on each world by the same
        child; the result waits for them: per query, one outcome per world.

        One child for many queries is what makes trying dozens of small repairs of an answer
        affordable (``sqldrills.grading.diagnose``); each query is checked and limited alone.
        """
        if not self._paths or not sqls:
            self.cancel()
            return lambda: [[] for _ in sqls]
        # A query longer than the pipe's buffer is read by the child only once its set-up
        # is done: never wait for that longer than a query may run.
        deadline = time.monotonic() + self._limits.timeout_s + self._limits.kill_grace_s
        try:
            # The count first: a stream cut short (the write deadline) is never taken for
            # fewer queries, whose outcomes would land under the wrong query.
            frames = b"".join(_frame(sql.encode("utf-8", "surrogatepass")) for sql in sqls)
            _write_all(self._query_fd, _HEADER.pack(len(sqls)) + frames, deadline)
        except (OSError, _Deadline):
            pass  # the child is gone or stuck: await_child reports how it ended
        finally:
            os.close(self._query_fd)
        worlds, queries = len(self._paths), len(sqls)

        def wait() -> list[list[Outcome]]:
            outcomes = await_child(self._pid, self._result_fd, worlds * queries, self._limits, queries)
            # The child goes world by world (each is detached when done): regroup by query.
            return [[outcomes[world * queries + query] for world in range(worlds)] for query in range(queries)]

        return wait

    def alive(self) -> bool:
        """True while the child waits for its query (a child started ahead may have been
        ended by the system meanwhile: then it is reaped here)."""
        try:
            pid, _ = os.waitpid(self._pid, os.WNOHANG)
        except ChildProcessError:
            return False
        return pid == 0

    def cancel(self) -> None:
        """No query after all (it was refused): end the child."""
        os.close(self._query_fd)
        os.close(self._result_fd)
        _kill_and_reap(self._pid)


# --- parent side --------------------------------------------------------------------


def await_child(pid: int, read_fd: int, expected: int, limits: Limits, queries: int = 1) -> list[Outcome]:
    """Collect ``expected`` outcomes from child ``pid`` through ``read_fd``, then reap it.

    Never waits more than ``timeout_s + kill_grace_s`` for any one outcome: a child that
    is late, dies, or sends anything but plain values is killed, and the worlds it did
    not report on get a failure that says why. Closes ``read_fd``. With several
    ``queries``, outcomes come world by world, each world's in query order.
    """
    try:
        outcomes, ended_by = _collect(read_fd, expected, limits)
    finally:
        os.close(read_fd)
        status = _kill_and_reap(pid)
    if len(outcomes) < expected:
        outcomes += _explain_early_end(len(outcomes), expected, ended_by, status, limits, queries)
    return outcomes


def _kill_and_reap(pid: int) -> int:
    """Kill the child unless it has already exited, reap it, and return its wait status.

    Killing after all results arrived is deliberate: the parent never waits on a child.
    A child that exited in between is a zombie until reaped, so its pid cannot have been
    reused by the time the signal is sent.
    """
    try:
        reaped, status = os.waitpid(pid, os.WNOHANG)
        if not reaped:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # the host program ignores SIGCHLD: reaped by the kernel
        return 0
    return status


class _Deadline(Exception):
    pass


def _collect(fd: int, expected: int, limits: Limits) -> tuple[list[Outcome], str]:
    """Read one framed outcome per world; return them and why reading stopped."""
    buffer = bytearray()
    outcomes: list[Outcome] = []
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while len(outcomes) < expected:
        # Each world gets its own allowance; the first also covers the child's setup.
        deadline = time.monotonic() + limits.timeout_s + limits.kill_grace_s
        try:
            header = _read_exactly(fd, poller, buffer, _HEADER.size, deadline)
            (size,) = _HEADER.unpack(header)
            if size > _payload_cap(limits) + 1024:
                return outcomes, "garbled"
            payload = _read_exactly(fd, poller, buffer, size, deadline)
        except _Deadline:
            return outcomes, "deadline"
        except EOFError:
            return outcomes, "eof"
        try:
            outcomes.append(_decode(payload))
        except (pickle.UnpicklingError, ValueError, TypeError, EOFError):
            return outcomes, "garbled"
    return outcomes, "done"


def _read_exactly(fd: int, poller: select.poll, buffer: bytearray, size: int, deadline: float) -> bytes:
    while len(buffer) < size:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            raise _Deadline
        chunk = os.read(fd, max(65536, size - len(buffer)))
        if not chunk:
            raise EOFError
        buffer += chunk
    data = bytes(buffer[:size])
    del buffer[:size]
    return data


class _PlainValues(pickle.Unpickler):
    """Unpickle only the value types DuckDB returns: the child's bytes are not trusted."""

    ALLOWED = PICKLED_CLASSES  # the child sends plain values only (sqldrills.grading.values)

    def find_class(self, module: str, name: str) -> type:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name}")
        return super().find_class(module, name)


def _decode(payload: bytes) -> Outcome:
    """One outcome from the child's bytes, which are not trusted: only plain classes are
    built (``_PlainValues``) and the message must have the exact shape the child sends;
    anything else raises ValueError (the child is then reported as garbled)."""
    message = _PlainValues(io.BytesIO(payload)).load()
    if isinstance(message, tuple) and len(message) == 6 and message[0] == "ok":
        _, columns, types, rows, truncated, elapsed_ms = message
        if (isinstance(columns, list) and isinstance(types, list) and len(columns) == len(types)
                and all(isinstance(c, str) for c in (*columns, *types))
                and isinstance(rows, list) and isinstance(truncated, bool) and isinstance(elapsed_ms, float)
                and all(isinstance(row, tuple) and len(row) == len(columns) and all(map(is_plain, row))
                        for row in rows)):
            return QueryResult(columns, types, rows, truncated, elapsed_ms)
    elif (isinstance(message, tuple) and len(message) == 3 and message[0] == "fail"
          and isinstance(message[1], str) and isinstance(message[2], str)):
        return QueryFailure(message[1], message[2])
    raise ValueError("not an outcome the sandbox sends")


def _explain_early_end(done: int, total: int, ended_by: str, status: int, limits: Limits,
                       queries: int = 1) -> list[Outcome]:
    """Outcomes for the worlds a child did not report on, from how it ended.

    ``ended_by`` is why reading stopped: "deadline", "eof" (the child exited or died on
    its own) or "garbled" (it sent something that is not a plain result).
    """
    world = done // queries + 1
    if ended_by == "deadline" or (os.WIFEXITED(status) and os.WEXITSTATUS(status) == _WATCHDOG_EXIT):
        first = QueryFailure(
            "timeout",
            f"the query did not finish within the {limits.timeout_s:g} s time limit on world "
            f"{world}, ignored the stop request and was killed; {_TIMEOUT_HINT}",
        )
    elif ended_by == "eof" and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        # It died before we killed it: the kernel's out-of-memory killer.
        first = QueryFailure(
            "memory",
            f"the query was killed by the system for using too much memory on world {world}; {_MEMORY_HINT}",
        )
    else:
        if ended_by == "garbled":
            how = "it sent an unreadable result"
        elif os.WIFSIGNALED(status):
            how = f"signal {signal.Signals(os.WTERMSIG(status)).name}"
        else:
            how = f"exit status {os.WEXITSTATUS(status)}"
        first = QueryFailure(
            "crashed",
            f"the sandbox process ended unexpectedly on world {world} ({how}); this is a "
            "bug in sqldrills or DuckDB, please report it with your query (SECURITY.md)",
        )
    rest = []
    for slot in range(done + 1, total):
        if slot % queries == done % queries:  # the same query on a later world
            rest.append(_not_run(first.kind, world))
        else:
            rest.append(QueryFailure("crashed", f"not run: the sandbox ended while running another query "
                                                f"on world {world}"))
    return [first, *rest]


_TIMEOUT_HINT = "look for a join without a condition (a cross join), an endless recursive CTE or a huge generated range"
_MEMORY_HINT = "aggregate earlier, or avoid building huge strings, lists or joins"


def _not_run(kind: str, world: int) -> QueryFailure:
    return QueryFailure(kind, f"not run: the query already failed ({kind}) on world {world}")


# --- child side ---------------------------------------------------------------------


def _child_main(write_fd: int, query_fd: int, paths: list[str], limits: Limits) -> NoReturn:
    """Serve one submission and exit; never returns into the parent's code."""
    try:
        _harden_process(write_fd, query_fd)
        for message in _serve(query_fd, paths, limits):
            _send(write_fd, _pickle_capped(message, _payload_cap(limits)))
    except BaseException:  # noqa: BLE001 - whatever happens, the child must only exit
        os._exit(1)
    os._exit(0)


def _harden_process(*keep_fds: int) -> None:
    # Inherited garbage may hold objects whose finalizers write (buffered files): never
    # run them here.
    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Other children's pipes (threads in the parent), the parent's open files: not ours.
    low = 3
    for fd in sorted(keep_fds):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, _max_fd())
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def _limit_address_space(limits: Limits) -> None:
    """Cap the address space at what the open sandbox maps, plus DuckDB's memory_limit
    and headroom.

    Set after DuckDB is set up because its fixed cost varies by machine and version
    (glibc reserves 64 MB of address space per thread arena, and DuckDB starts
    background threads): measured from here, the cap bounds what a query can add.
    """
    address_space = _address_space_in_use() + (limits.memory_limit_mb + ADDRESS_SPACE_HEADROOM_MB) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))


def _max_fd() -> int:
    try:
        return min(os.sysconf("SC_OPEN_MAX"), 1 << 20)
    except (ValueError, OSError):
        return 1 << 16


def _address_space_in_use() -> int:
    """Bytes of address space this process maps now (what it inherited from the parent)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 1024 * 1024 * 1024  # not Linux: assume a typical interpreter with duckdb


def _frame(payload: bytes) -> bytes:
    return _HEADER.pack(len(payload)) + payload


def _send(fd: int, payload: bytes, deadline: float | None = None) -> None:
    """Write a length-prefixed payload; with a ``deadline``, raise _Deadline past it."""
    _write_all(fd, _frame(payload), deadline)


def _write_all(fd: int, payload: bytes, deadline: float | None) -> None:
    data = memoryview(payload)
    if deadline is not None:
        os.set_blocking(fd, False)
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
    while data:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                raise _Deadline
        try:
            written = os.write(fd, data)
        except BlockingIOError:
            continue
        data = data[written:]


def _receive_queries(fd: int) -> list[str] | None:
    """The queries the parent sends, or None when it sends none (it closed the pipe) or
    anything but the count it announced of whole frames."""
    data = b""
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        data += chunk
    os.close(fd)
    if len(data) < _HEADER.size:
        return None
    (count,), data = _HEADER.unpack(data[: _HEADER.size]), data[_HEADER.size :]
    queries = []
    while data:
        if len(data) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack(data[: _HEADER.size])
        body, data = data[_HEADER.size : _HEADER.size + size], data[_HEADER.size + size :]
        if len(body) != size:
            return None
        queries.append(body.decode("utf-8", "surrogatepass"))
    return queries if queries and len(queries) == count else None


def _serve(query_fd: int, paths: list[str], limits: Limits) -> Iterator[tuple]:
    """Yield one message per world and query, world by world: ("ok", columns, types, rows,
    truncated, ms) or ("fail", kind, message)."""
    try:
        con, aliases, open_errors, world_tables = _open_sandbox(paths, limits)
        setup_error = None
    except Exception as error:  # noqa: BLE001 - report any setup failure, do not run
        setup_error = error
    sqls = _receive_queries(query_fd)
    if sqls is None:  # cancelled: nothing to run, nobody to tell
        return
    if setup_error is not None:
        failure = ("fail", "crashed", f"the sandbox could not be set up: {first_lines(setup_error)}")
        yield from (failure for _ in paths for _ in sqls)
        return
    _limit_address_space(limits)
    refusals = [_check_statement(con, sql, world_tables) for sql in sqls]
    # A query that ran out of time or memory will do so again on the next world: it is not
    # run again (its failure, and the world it happened on).
    gave_up: dict[int, tuple[str, int]] = {}
    previous = None
    for index, path in enumerate(paths):
        if path not in open_errors:
            con.execute(f"USE {aliases[path]}")
            if previous is not None and previous not in paths[index:]:
                con.execute(f"DETACH {aliases[previous]}")  # later queries cannot see it
            previous = path
        for number, sql in enumerate(sqls):
            if refusals[number] is not None:
                yield refusals[number]
            elif number in gave_up:
                kind, world = gave_up[number]
                skipped = _not_run(kind, world)
                yield ("fail", skipped.kind, skipped.message)
            elif path in open_errors:
                yield ("fail", "runtime", f"could not open world {index + 1} ({Path(path).name}): {open_errors[path]}")
            else:
                message = _run_one(con, sql, limits)
                if message[0] == "fail" and message[1] in ("timeout", "memory"):
                    gave_up[number] = (message[1], index + 1)
                yield message


def _open_sandbox(
    paths: list[str], limits: Limits
) -> tuple[duckdb.DuckDBPyConnection, dict[str, str], dict[str, str], frozenset[str]]:
    """An in-memory DuckDB with every world attached read-only, locked down; and the
    names of the worlds' tables and views (folded), the only ones a query may read."""
    import duckdb

    con = duckdb.connect(
        ":memory:",
        config={
            # These must be off before anything could trigger them; set again below.
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "allow_unsigned_extensions": False,
            # Never load the user's stored S3/GCS credentials into a learner's session.
            "allow_persistent_secrets": False,
            # Start only the worker threads we keep, not one per core.
            "threads": int(limits.threads),
        },
    )
    # Spilling to disk would write files; it can only be turned off while external
    # access is still on.
    con.execute("SET temp_directory = ''")
    con.execute("SET max_temp_directory_size = '0B'")
    aliases: dict[str, str] = {}
    open_errors: dict[str, str] = {}
    for number, path in enumerate(dict.fromkeys(paths), start=1):
        alias = f"world_{number}"  # neutral names: the file name may reveal a hidden seed
        # An in-memory "world" is empty and cannot be opened read-only; it serves examples.
        mode = "" if path == ":memory:" else " (READ_ONLY)"
        try:
            con.execute(f"ATTACH {sql_string(path)} AS {alias}{mode}")
            aliases[path] = alias
        except duckdb.Error as error:
            open_errors[path] = first_lines(error)
    for statement in _lockdown_statements(limits):
        con.execute(statement)
    _verify_settings(con, limits)
    return con, aliases, open_errors, _world_tables(con, list(aliases.values()))


def _world_tables(con: duckdb.DuckDBPyConnection, aliases: list[str]) -> frozenset[str]:
    if not aliases:
        return frozenset()
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE list_contains(?, database_name) AND schema_name = 'main' "
        "UNION SELECT view_name FROM duckdb_views() WHERE list_contains(?, database_name) AND schema_name = 'main'",
        [aliases, aliases],
    ).fetchall()
    return frozenset(fold_name(name) for (name,) in rows)


def _lockdown_statements(limits: Limits) -> list[str]:
    return [
        "SET enable_external_access = false",
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        "SET allow_community_extensions = false",
        "SET TimeZone = 'UTC'",
        f"SET threads = {int(limits.threads)}",
        f"SET memory_limit = '{int(limits.memory_limit_mb)}MiB'",
        "SET enable_progress_bar = false",
        f"SET max_expression_depth = {MAX_EXPRESSION_DEPTH}",
        # sqlglot reads and writes list lambdas as `x -> x + 1`, which DuckDB 2.0 only
        # accepts with this setting.
        "SET lambda_syntax = 'ENABLE_SINGLE_ARROW'",
        "SET lock_configuration = true",  # last: nothing below can be changed any more
    ]


def expected_settings(limits: Limits) -> dict[str, object]:
    """The settings every sandboxed query runs under, as ``current_setting`` shows them.

    >>> expected_settings(Limits())["enable_external_access"]
    False
    """
    return {
        "enable_external_access": False,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "allow_unsigned_extensions": False,
        "allow_persistent_secrets": False,
        "TimeZone": "UTC",
        "threads": int(limits.threads),
        "memory_limit": _mib_text(limits.memory_limit_mb),
        "temp_directory": "",
        "max_temp_directory_size": "0 bytes",
        "enable_progress_bar": False,
        "max_expression_depth": MAX_EXPRESSION_DEPTH,
        "lambda_syntax": "ENABLE_SINGLE_ARROW",
        "allowed_directories": [],
        "lock_configuration": True,
    }


def _mib_text(mib: int) -> str:
    """How DuckDB displays a memory size.

    >>> _mib_text(1024), _mib_text(256), _mib_text(1536)
    ('1.0 GiB', '256.0 MiB', '1.5 GiB')
    """
    return f"{mib / 1024:.1f} GiB" if mib >= 1024 else f"{mib:.1f} MiB"


def _verify_settings(con: duckdb.DuckDBPyConnection, limits: Limits) -> None:
    """Fail loudly if DuckDB silently ignored a setting (some are, in connect(config=))."""
    expected = expected_settings(limits)
    columns = ", ".join(f"current_setting({sql_string(name)})" for name in expected)
    actual = con.execute(f"SELECT {columns}").fetchone()
    wrong = [
        f"{name}={value!r} (expected {want!r})"
        for (name, want), value in zip(expected.items(), actual, strict=True)
        if value != want
    ]
    if wrong:
        raise RuntimeError("settings did not take effect: " + ", ".join(wrong))


def _check_statement(con: duckdb.DuckDBPyConnection, sql: str, world_tables: frozenset[str]) -> tuple | None:
    """Layer 2: no invisible character DuckDB would skip, exactly one SELECT as DuckDB's
    own parser sees it, and DuckDB's tree within the rules: run_query trusts no caller."""
    import duckdb

    invisible = invisible_character(sql)
    if invisible:
        return ("fail", "refused", invisible)
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as error:
        return ("fail", "runtime", first_lines(error))
    if len(statements) != 1:
        return (
            "fail",
            "refused",
            f"Refused: only one SELECT query is allowed, found {len(statements)} statements",
        )
    if statements[0].type != duckdb.StatementType.SELECT:
        return (
            "fail",
            "refused",
            f"Refused: only a read-only query is allowed, not {statements[0].type.name}",
        )
    try:
        refusal = duckdbcheck.refusal(con, sql, world_tables)
    except duckdb.Error as error:  # e.g. a tree deeper than max_expression_depth
        return ("fail", "runtime", first_lines(error))
    return None if refusal is None else ("fail", "refused", refusal)


def _run_one(con: duckdb.DuckDBPyConnection, sql: str, limits: Limits) -> tuple:
    import duckdb

    interrupt = threading.Timer(limits.timeout_s, con.interrupt)
    # If DuckDB does not honour the interrupt, the child ends itself, even when the
    # parent is gone and cannot kill it.
    watchdog = threading.Timer(limits.timeout_s + limits.kill_grace_s, os._exit, args=(_WATCHDOG_EXIT,))
    for timer in (interrupt, watchdog):
        timer.daemon = True
        timer.start()
    started = time.perf_counter()
    try:
        cursor = con.execute(sql)
        columns = [str(column[0]) for column in cursor.description]
        types = [str(column[1]) for column in cursor.description]
        rows = cursor.fetchmany(limits.max_rows + 1)
        truncated = len(rows) > limits.max_rows
        rows = plain_rows(types, rows[: limits.max_rows])
    except duckdb.InterruptException:
        return (
            "fail",
            "timeout",
            f"the query did not finish within the {limits.timeout_s:g} s time limit and was stopped; {_TIMEOUT_HINT}",
        )
    except (duckdb.OutOfMemoryException, MemoryError) as error:
        return (
            "fail",
            "memory",
            f"the query ran out of memory (limit "
            f"{limits.memory_limit_mb} MB): {first_lines(error, 1)}; {_MEMORY_HINT}",
        )
    except Exception as error:  # noqa: BLE001 - DuckDB errors and value conversion errors
        return ("fail", "runtime", first_lines(error))
    finally:
        interrupt.cancel()
        watchdog.cancel()
    elapsed_ms = (time.perf_counter() - started) * 1000
    return ("ok", columns, types, rows, truncated, elapsed_ms)


def _payload_cap(limits: Limits) -> int:
    return limits.max_result_mb * 1024 * 1024


def _pickle_capped(message: tuple, cap: int) -> bytes:
    """Pickle a message; a result too large for the pipe becomes a failure instead."""
    try:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except (MemoryError, RecursionError):
        payload = b""
    if payload and len(payload) <= cap:
        return payload
    size = f"{len(payload) / 2**20:,.0f} MB" if payload else "too large to measure"
    failure = (
        "fail",
        "memory",
        f"the result is too large to return ({size}; the limit is {cap // 2**20} MB); "
        "select fewer rows or shorter values",
    )
    return pickle.dumps(failure, protocol=pickle.HIGHEST_PROTOCOL)


def first_lines(error: BaseException | str, count: int = 2) -> str:
    """The learner-relevant head of a DuckDB message: no 'LINE 1: ...' caret block.

    >>> first_lines('Binder Error: column "x" not found\\nCandidate: "y"\\n\\nLINE 1: SELECT x')
    'Binder Error: column "x" not found Candidate: "y"'
    """
    lines = []
    for line in str(error).splitlines():
        if line.startswith("LINE ") or (not line.strip() and lines):
            break
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines[:count]) or type(error).__name__


def sql_string(text: str) -> str:
    """A SQL string literal.

    >>> sql_string("it's")
    "'it''s'"
    """
    return "'" + text.replace("'", "''") + "'"
