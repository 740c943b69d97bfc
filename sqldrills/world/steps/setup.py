"""The first steps: empty tables, the random-draw macros, the pools of human-looking
strings Faker supplies, and the catalogue of titles."""

from __future__ import annotations

import random

from sqldrills.world.schema import TABLES, create_table_sql
from sqldrills.world.steps.context import ACCOUNT_ID_OFFSET, Build
from sqldrills.world.steps.sql import pick

# Sizes of the Faker pools the accounts and profiles draw their strings from.
NAME_POOL = 400
DOMAIN_POOL = 12


def create_tables(b: Build) -> None:
    """Reads nothing; writes every public table, empty."""
    for table in TABLES:
        b.sql(create_table_sql(table))


def macros(b: Build) -> None:
    """Reads nothing; writes the temp macros every later step draws with."""
    s = b.seed
    # A uniform number in [0, 1) from the seed and a row's identity (2^64 hash values).
    b.sql(
        f"CREATE OR REPLACE TEMP MACRO u(salt, a, b := 0, c := 0) AS "
        f"hash({s}, salt, a, b, c) / 18446744073709551616.0"
    )
    b.sql(
        "CREATE OR REPLACE TEMP MACRO gauss(salt, a, b := 0, c := 0) AS "
        "sqrt(-2 * ln(1 - u(salt || ':r', a, b, c))) * cos(2 * pi() * u(salt || ':t', a, b, c))"
    )
    b.sql(
        "CREATE OR REPLACE TEMP MACRO secs(x) AS to_microseconds(CAST(x AS BIGINT) * 1000000)"
    )
    b.sql(
        f"CREATE OR REPLACE TEMP MACRO hexid(prefix, salt, a, b := 0) AS "
        f"prefix || hex(hash({s}, salt, a, b))"
    )
    dev = b.r["devices"]
    b.sql(
        "CREATE OR REPLACE TEMP MACRO device_type_of(acct, j) AS "
        + pick("u('device_type', acct, j)", dev["types"])
    )
    # Account attributes as pure functions of the account id, so the per-chunk queries
    # need not read string columns back from the `acct` temp table.
    zones = {z: w for z, (w, _c) in b.r["time_zones"].items()}
    b.sql("CREATE OR REPLACE TEMP MACRO home_tz_of(acct) AS "
          + pick(f"u('tz', acct - {ACCOUNT_ID_OFFSET})", zones))
    act = b.r["activity"]
    b.sql(
        "CREATE OR REPLACE TEMP MACRO activity_kind_of(acct) AS "
        f"CASE WHEN u('kind', acct - {ACCOUNT_ID_OFFSET}) < {act['no_event_share']} THEN 'no_events' "
        f"WHEN u('kind', acct - {ACCOUNT_ID_OFFSET}) < {act['no_event_share'] + act['never_play_share']} "
        "THEN 'never_play' ELSE 'normal' END"
    )
    # Devices after the first one are added within two weeks of signup.
    b.sql(
        "CREATE OR REPLACE TEMP MACRO device_added_days(acct, j) AS "
        "CASE WHEN j = 0 THEN 0 ELSE 1 + floor(u('device_added', acct, j) * 14) END"
    )


def name_pools(b: Build) -> None:
    """Reads nothing; writes temp.first_names, temp.last_names and temp.domains (Faker's)."""
    from faker import Faker  # imported here: it costs 0.3 s, and grading never needs it

    # Only the providers used: loading all of them costs 0.15 s, the strings are the same.
    fake = Faker(["en_US", "en_GB", "de_DE", "ja_JP", "en_IN", "pt_BR"],
                 providers=["faker.providers.person", "faker.providers.internet"])
    fake.seed_instance(b.seed)
    pools = {
        "first_names": [fake.first_name() for _ in range(NAME_POOL)],
        "last_names": [fake.last_name() for _ in range(NAME_POOL)],
        "domains": [fake.free_email_domain() for _ in range(DOMAIN_POOL)],
    }
    for table, names in pools.items():
        b.con.execute(
            f"CREATE TEMP TABLE {table} AS SELECT unnest($1) AS name, "
            "unnest(range(len($1))) AS idx",
            [names],
        )


def titles(b: Build) -> None:
    """Reads nothing; writes titles (the last one is the recipe's premiere)."""
    from faker import Faker

    rng = random.Random(b.seed)
    en = Faker("en_US", providers=["faker.providers.company", "faker.providers.lorem"])
    en.seed_instance(b.seed)
    genres = ["drama", "comedy", "thriller", "documentary", "animation", "sci-fi",
              "romance", "horror", "crime", "family"]
    shows = [en.catch_phrase().split()[-1].title() + " " + en.word().title()
             for _ in range(max(3, b.n_titles // 12))]
    start = b.r["window"]["start"][:10]
    columns = ("title", "title_type", "genre", "runtime_min", "days", "orig")
    rows: dict[str, list] = {k: [] for k in columns}
    for i in range(b.n_titles - 1):
        if rng.random() < 0.35:
            words = en.words(nb=rng.randint(1, 3))
            title = ("The " if rng.random() < 0.4 else "") + " ".join(words).title()
            kind, runtime = "movie", rng.randint(80, 155)
        else:
            show = shows[i % len(shows)]
            title = f"{show}: S{rng.randint(1, 4)}E{rng.randint(1, 12)}"
            kind, runtime = "episode", rng.randint(20, 62)
        rows["title"].append(title)
        rows["title_type"].append(kind)
        rows["genre"].append(None if rng.random() < 0.07 else rng.choice(genres))
        rows["runtime_min"].append(runtime)
        rows["days"].append(rng.randint(1, 3000))  # released before the window
        rows["orig"].append(rng.random() < 0.3)
    b.con.execute(
        f"""INSERT INTO titles
        SELECT row_number() OVER () AS title_id, * FROM (
          SELECT unnest($1), unnest($2), unnest($3), unnest($4)::INTEGER,
                 DATE '{start}' - unnest($5)::INTEGER, unnest($6))""",
        [rows[k] for k in columns],
    )
    p = b.r["premiere"]
    b.con.execute(
        "INSERT INTO titles VALUES (?, ?, 'movie', 'thriller', 118, ?::DATE, true)",
        [b.n_titles, p["title"], p["release_ts"][:10]],
    )
