"""Accounts and what hangs off them from signup: profiles and devices."""

from __future__ import annotations

from sqldrills.world.steps.context import ACCOUNT_ID_OFFSET, IDS_PER_ACCOUNT, Build
from sqldrills.world.steps.setup import DOMAIN_POOL, NAME_POOL
from sqldrills.world.steps.sql import lookup, pick


def account_draws(b: Build) -> None:
    """Reads nothing; writes temp.acct, one row of drawn attributes per account.

    The accounts table itself is written last (``accounts``): it shows the current plan,
    known only once the subscriptions are drawn.
    """
    acc, dev, act = b.r["accounts"], b.r["devices"], b.r["activity"]
    b.sql(f"""
    CREATE TEMP TABLE acct AS
    WITH base AS (
      SELECT {ACCOUNT_ID_OFFSET} + i AS account_id,
        {b.start} + secs(floor(u('signup', i) *
            date_diff('second', {b.start}, {b.as_of}))) AS signup_ts_utc,
        home_tz_of({ACCOUNT_ID_OFFSET} + i) AS home_tz,
        u('test', i) < {acc['test_share']} AS is_test,
        u('kind', i) AS u_kind,
        least({dev['max']}, 1 + floor(-ln(1 - u('ndev', i)) * {dev['mean_extra']}))::INTEGER
          AS n_devices_base,
        1 + floor(pow(u('nprof', i), 1.6) * {acc['max_profiles']})::INTEGER AS n_profiles,
        exp({act['intensity_sigma']} * gauss('intensity', i)) AS intensity_base,
        i
      FROM range({b.n_accounts}) t(i)
    )
    SELECT *,
      n_devices_base + CASE WHEN is_test THEN {acc['test_extra_devices']} ELSE 0 END
        AS n_devices,
      device_type_of(account_id, 0) AS primary_device_type,
      activity_kind_of(account_id) AS activity_kind
    FROM base
    """)


def profiles(b: Build) -> None:
    """Reads temp.acct, temp.first_names; writes profiles."""
    acc = b.r["accounts"]
    b.sql(f"""
    INSERT INTO profiles
    SELECT a.account_id * {IDS_PER_ACCOUNT} + j AS profile_id, a.account_id,
      CASE WHEN j > 0 AND u('kids', a.account_id, j) < {acc['kids_profile_rate']}
           THEN 'Kids' ELSE f.name END AS profile_name,
      j > 0 AND u('kids', a.account_id, j) < {acc['kids_profile_rate']} AS is_kids,
      least({b.as_of}, a.signup_ts_utc + secs(CASE WHEN j = 0 THEN 0 ELSE
          floor(u('prof_created', a.account_id, j) * 3 * 86400) END)) AS created_ts_utc
    FROM (SELECT *, unnest(range(n_profiles)) AS j FROM acct) a
    JOIN first_names f ON f.idx = floor(u('prof_name', a.account_id, j) * {NAME_POOL})
    """)


def devices(b: Build) -> None:
    """Reads temp.acct; writes devices."""
    b.sql(f"""
    INSERT INTO devices
    SELECT hexid('d-', 'device', account_id, j) AS device_id, account_id,
      device_type_of(account_id, j) AS device_type,
      least({b.as_of}, signup_ts_utc + INTERVAL 1 DAY * device_added_days(account_id, j)
        + secs(floor(u('device_seen', account_id, j) * 3600))) AS first_seen_ts_utc
    FROM (SELECT *, unnest(range(n_devices)) AS j FROM acct)
    """)


def accounts(b: Build) -> None:
    """Reads temp.acct, temp.subs, temp.first_names, temp.last_names, temp.domains;
    writes accounts, whose plan is the latest subscription's."""
    acc = b.r["accounts"]
    countries = {z: c for z, (_w, c) in b.r["time_zones"].items()}
    b.sql(f"""
    INSERT INTO accounts
    SELECT a.account_id, a.signup_ts_utc,
      {lookup('a.home_tz', countries, 'US')} AS country,
      a.home_tz, p.plan, a.is_test,
      lower(replace(f.name || '.' || l.name, ' ', '')) || (a.account_id % 997)::VARCHAR
        || '@' || CASE WHEN a.is_test THEN 'qa.example.com' ELSE d.name END AS email,
      CASE WHEN u('chan_null', a.i) < {acc['acquisition_channel_null_rate']} THEN NULL
           ELSE {pick("u('chan', a.i)", acc['channels'])} END AS acquisition_channel
    FROM acct a
    JOIN (SELECT account_id, arg_max(plan, sub_no) AS plan FROM subs GROUP BY 1) p
      USING (account_id)
    JOIN first_names f ON f.idx = floor(u('first', a.i) * {NAME_POOL})
    JOIN last_names l ON l.idx = floor(u('last', a.i) * {NAME_POOL})
    JOIN domains d ON d.idx = floor(u('domain', a.i) * {DOMAIN_POOL})
    """)
