"""The world's public schema (architecture.md §1): table and column names, types and meanings.

One source of truth for the generator (which creates the tables), ``sqldrills schema``,
the sandbox (which tables a query may read) and the tests (which compare it with
``information_schema``).

>>> [c.name for c in TABLES["dataset_info"]][:2]
['as_of_ts_utc', 'seed']
>>> "events" in TABLE_NAMES
True
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    meaning: str
    nullable: bool = False


def _cols(*specs: tuple) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


TABLES: dict[str, tuple[Column, ...]] = {
    "accounts": _cols(
        ("account_id", "BIGINT", "the paying member (primary key); the unit most questions count"),
        ("signup_ts_utc", "TIMESTAMP", "when the account was created (UTC)"),
        ("country", "VARCHAR", "ISO-2 country of the billing address"),
        ("home_tz", "VARCHAR", "IANA zone of the home; local time = timezone(home_tz, ts::TIMESTAMPTZ)"),
        ("plan", "VARCHAR", "current plan: basic / standard / premium / ads"),
        ("is_test", "BOOLEAN", "internal test or bot account: exclude from member metrics"),
        ("email", "VARCHAR", "login email"),
        ("acquisition_channel", "VARCHAR", "how the member found us; NULL when unknown", True),
    ),
    "profiles": _cols(
        ("profile_id", "BIGINT", "a viewer profile inside an account (primary key)"),
        ("account_id", "BIGINT", "owning account"),
        ("profile_name", "VARCHAR", "display name"),
        ("is_kids", "BOOLEAN", "kids profile"),
        ("created_ts_utc", "TIMESTAMP", "when the profile was created (UTC)"),
    ),
    "devices": _cols(
        ("device_id", "VARCHAR", "a physical device or browser (primary key)"),
        ("account_id", "BIGINT", "account the device is signed in to"),
        ("device_type", "VARCHAR", "tv / mobile / tablet / web / console"),
        ("first_seen_ts_utc", "TIMESTAMP", "first time the device was seen (UTC)"),
    ),
    "titles": _cols(
        ("title_id", "BIGINT", "a movie or an episode (primary key)"),
        ("title", "VARCHAR", "display title"),
        ("title_type", "VARCHAR", "movie / episode"),
        ("genre", "VARCHAR", "genre; NULL when not yet tagged", True),
        ("runtime_min", "INTEGER", "runtime in minutes"),
        ("release_date", "DATE", "date the title became available"),
        ("is_original", "BOOLEAN", "produced by the service"),
    ),
    "events": _cols(
        ("event_id", "VARCHAR", "client event id; NOT unique: re-delivered events repeat it"),
        ("account_id", "BIGINT", "account"),
        ("profile_id", "BIGINT", "profile; NULL before a profile is selected", True),
        ("device_id", "VARCHAR", "device that sent the event"),
        ("session_id", "VARCHAR", "client session"),
        ("event_type", "VARCHAR", "app_open / browse / search / play_start / heartbeat / play_stop"),
        ("title_id", "BIGINT", "title played; NULL on non-play events", True),
        ("event_ts_utc", "TIMESTAMP", "when it happened on the device (UTC)"),
        ("received_ts_utc", "TIMESTAMP", "when the warehouse received it (UTC); late for offline"),
        ("client_tz", "VARCHAR", "IANA zone of the device at the time (travel changes it)"),
        (
            "watch_seconds",
            "INTEGER",
            "seconds watched since the previous heartbeat/start; heartbeat and play_stop only",
            True,
        ),
    ),
    "subscriptions": _cols(
        ("subscription_id", "BIGINT", "one paid period of an account (primary key)"),
        ("account_id", "BIGINT", "account"),
        ("plan", "VARCHAR", "plan during this subscription"),
        ("monthly_price_usd", "DECIMAL(6,2)", "monthly price"),
        ("started_ts_utc", "TIMESTAMP", "start (UTC)"),
        ("ended_ts_utc", "TIMESTAMP", "end (UTC); NULL while still active", True),
        ("end_reason", "VARCHAR", "voluntary / payment_failed; NULL while active", True),
    ),
    "experiment_assignments": _cols(
        ("experiment_id", "VARCHAR", "experiment"),
        ("account_id", "BIGINT", "account assigned"),
        ("variant", "VARCHAR", "control / treatment"),
        ("assigned_ts_utc", "TIMESTAMP", "when the account was assigned (UTC)"),
    ),
    "dataset_info": _cols(
        ("as_of_ts_utc", "TIMESTAMP", "the world's 'now': use it instead of now()"),
        ("seed", "BIGINT", "generator seed"),
        ("scale", "VARCHAR", "tiny / small / medium / large"),
        ("recipe", "VARCHAR", "recipe name"),
        ("generator_version", "VARCHAR", "generator version"),
    ),
}

TABLE_NAMES: frozenset[str] = frozenset(TABLES)


def create_table_sql(table: str) -> str:
    """The ``CREATE TABLE`` statement for one public table.

    >>> create_table_sql("dataset_info").splitlines()[0]
    'CREATE TABLE dataset_info ('
    """
    columns = ",\n".join(f"    {c.name} {c.type}" for c in TABLES[table])
    return f"CREATE TABLE {table} (\n{columns}\n)"
