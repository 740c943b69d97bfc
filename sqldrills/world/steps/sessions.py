"""Sessions of the accounts in ``Build.accounts``: when, where, on which device, watched
how; then the premiere's burst and the boundary bait, added as sessions of their own.

Every step here writes temp.sess, one row per session; ``events`` turns them into events.
"""

from __future__ import annotations

from sqldrills.world.steps.context import IDS_PER_ACCOUNT, Build
from sqldrills.world.steps.sql import literal, lookup, pick, timestamp

# A session's key (sk) within its account: SESSION_KEY_STRIDE * subscription number + its
# number in that subscription, which is below MAX_SESSIONS_PER_PERIOD. The keys from
# PREMIERE_SESSION up are the sessions planted on purpose, one each per account.
SESSION_KEY_STRIDE = 100_000
MAX_SESSIONS_PER_PERIOD = 20_000
PREMIERE_SESSION = 900_000
AS_OF_BAIT_SESSION = 900_001
LATE_HIT_SESSION = 900_002
CUT_BAIT_SESSIONS = 900_100  # + 2 * days before as_of, + 1 for the one 10 minutes early
LAST_INSTANT_SESSIONS = 900_500  # + days before as_of
ASSIGNMENT_WATCH_SESSIONS = 900_600  # + the experiment's number in the recipe
DST_TRAVEL_SESSIONS = 901_000  # + days from the window's start to the day of the change

# How a session orders its browsing and its plays (sess.order_bait), bait for funnels that
# must count a play only after the first browse: browse first, then play (the rule); the
# first play before any browse ("continue watching"); that, with the second play starting
# at the very instant of the first browse; the last browse after the last play.
BROWSE_FIRST, RESUME, RESUME_INSTANT, TAIL_BROWSE = 0, 1, 2, 3

# device_type, device_id, j, profile_id, n_plays of a planted session: one play, on the
# account's first device and profile; with client_tz before them, at home.
_PLANTED_DEVICE = ("device_type_of(s.account_id, 0), hexid('d-', 'device', s.account_id, 0), 0, "
                   f"s.account_id * {IDS_PER_ACCOUNT}, 1")
_PLANTED = f"home_tz_of(s.account_id), {_PLANTED_DEVICE}"
# first_title, n_browse, has_search, offline, offline_delay_s, offline_delay_cap_s,
# order_bait of a boundary bait session: any title, no browsing, online.
_BAIT_REST = f"NULL, 0, false, false, 0, 0, {BROWSE_FIRST}"
# Planted sessions that need a device one carries about (abroad, offline downloads) are
# given to the members whose first device is a phone or a tablet.
_PORTABLE = "device_type_of(s.account_id, 0) IN ('mobile', 'tablet')"


def _in_chunk(b: Build, column: str) -> str:
    return f"{column} >= {b.first_id} AND {column} < {b.end_id}"


def sessions(b: Build) -> None:
    """Reads temp.subs, temp.acct, temp.effects; writes temp.sess (replacing it)."""
    r = b.r
    act, dev, bnd, dl = r["activity"], r["devices"], r["boundaries"], r["delivery"]
    zones = {z: w for z, (w, _c) in r["time_zones"].items()}
    nov = r["experiments"]["onboarding_tour"]
    nov_max = 1 + nov["novelty_lift"]
    dev_mult = lookup("device_type_of(a.account_id, 0)", dev["activity_by_type"], 1.0)
    test_mult = r["accounts"]["test_activity_multiplier"]
    p0, p1, p2, _p3 = act["plays_per_session"]
    k_days = bnd["signup_days"]
    k_pick = f"[{', '.join(map(str, k_days))}][1 + floor(u('kday', account_id, sk) * {len(k_days)})::INTEGER]"
    cut1 = bnd["utc_midnight_share"]
    cut2 = cut1 + bnd["local_midnight_share"]
    cut3 = cut2 + bnd["signup_days_share"]
    order1 = act["resume_share"]
    order2 = order1 + act["instant_play_share"]
    order3 = order2 + act["tail_browse_share"]
    b.sql(f"""
    CREATE OR REPLACE TEMP TABLE sess AS
    WITH periods AS (
      SELECT s.account_id, s.sub_no, s.start_ts,
        coalesce(s.end_ts, {b.as_of}) AS end_ts,
        a.signup_ts_utc, home_tz_of(a.account_id) AS home_tz, a.n_devices, a.n_profiles,
        activity_kind_of(a.account_id) AS activity_kind,
        e.novelty_from,
        CASE WHEN e.novelty_from IS NULL THEN 1 ELSE {nov_max} END AS thin_max,
        {act['sessions_per_day']} * a.intensity_base * {dev_mult} * e.lift
          * CASE WHEN a.is_test THEN {test_mult} ELSE 1 END AS rate
      FROM subs s JOIN acct a USING (account_id) JOIN effects e USING (account_id)
      WHERE {_in_chunk(b, 's.account_id')}
        AND activity_kind_of(a.account_id) <> 'no_events'
    ), drawn AS (
      SELECT *, sub_no * {SESSION_KEY_STRIDE} + k AS sk,
        start_ts + secs(floor(u('day', account_id, sub_no * {SESSION_KEY_STRIDE} + k)
            * date_diff('second', start_ts, end_ts))) AS t_day
      FROM (SELECT *, unnest(range(least({MAX_SESSIONS_PER_PERIOD}, floor(
          rate * thin_max * date_diff('second', start_ts, end_ts) / 86400.0
          + u('nsess', account_id, sub_no))::BIGINT))) AS k FROM periods)
    ), kept AS (
      -- Novelty: extra sessions early after assignment, thinned as the effect fades.
      SELECT * FROM drawn
      WHERE novelty_from IS NULL OR u('thin', account_id, sk) <
        (1 + {nov['novelty_lift']} * exp(-greatest(0, date_diff('second', novelty_from, t_day))
             / 86400.0 / {nov['novelty_days']})) / {nov_max}
    ), on_device AS (
      SELECT *,
        floor(pow(u('dev_pick', account_id, sk), 2) * n_devices)::INTEGER AS j_pick
      FROM kept
    ), device AS (
      SELECT *,
        CASE WHEN t_day >= signup_ts_utc + INTERVAL 1 DAY * device_added_days(account_id, j_pick)
             THEN j_pick ELSE 0 END AS j
      FROM on_device
    ), zoned AS (
      SELECT *, device_type_of(account_id, j) AS device_type,
        -- a travelling phone or tablet: ten days abroad at some point after signup
        device_type_of(account_id, j) IN ('mobile', 'tablet')
          AND u('traveller', account_id, j) < {dev['travel_share']}
          AND t_day >= signup_ts_utc + secs(floor(u('trip', account_id, j)
                 * date_diff('second', signup_ts_utc, {b.as_of})))
          AND t_day < signup_ts_utc + secs(floor(u('trip', account_id, j)
                 * date_diff('second', signup_ts_utc, {b.as_of})))
               + INTERVAL {dev['trip_days']} DAY AS abroad
      FROM device
    ), tz AS (
      SELECT *,
        CASE WHEN abroad THEN {pick("u('trip_tz', account_id, j)", zones)}
             ELSE home_tz END AS client_tz,
        u('bait', account_id, sk) AS u_bait,
        u('tod', account_id, sk) AS u_tod
      FROM zoned
    ), local AS (
      SELECT *,
        date_trunc('day', timezone(client_tz, t_day::TIMESTAMPTZ)) + secs(
          CASE WHEN u_tod < {act['midnight_share']}
               THEN 23 * 3600 + floor(u('tod_s', account_id, sk) * 9000)
               WHEN u_tod < {act['midnight_share']} + 0.55
               THEN 17 * 3600 + floor(u('tod_s', account_id, sk) * 21600)
               ELSE 7 * 3600 + floor(u('tod_s', account_id, sk) * 36000) END) AS local_ts
      FROM tz
    ), placed AS (
      SELECT *,
        CASE
          WHEN u_bait < {cut1} THEN date_trunc('day', timezone(client_tz, local_ts)::TIMESTAMP)
          WHEN u_bait < {cut2} THEN timezone(client_tz, date_trunc('day', local_ts))::TIMESTAMP
          WHEN u_bait < {cut3} THEN signup_ts_utc + INTERVAL 1 DAY * {k_pick}
          ELSE timezone(client_tz, local_ts)::TIMESTAMP END AS t0,
        u_bait < {cut3} AS bait
      FROM local
    )
    SELECT account_id, sk, t0, bait, client_tz, device_type,
      hexid('d-', 'device', account_id, j) AS device_id, j,
      account_id * {IDS_PER_ACCOUNT} + floor(u('profile', account_id, sk) * n_profiles)::BIGINT
        AS profile_id,
      CASE WHEN activity_kind = 'never_play' THEN 0
           WHEN bait THEN 1 + floor(u('nplays', account_id, sk) * 2)::INTEGER
           ELSE (CASE WHEN u('nplays', account_id, sk) < {p0} THEN 0
                      WHEN u('nplays', account_id, sk) < {p0 + p1} THEN 1
                      WHEN u('nplays', account_id, sk) < {p0 + p1 + p2} THEN 2
                      ELSE 3 END) END AS n_plays,
      NULL::BIGINT AS first_title,
      CASE WHEN bait THEN 0 ELSE floor(u('nbrowse', account_id, sk) * 4)::INTEGER END
        AS n_browse,
      NOT bait AND u('search', account_id, sk) < {act['search_rate']} AS has_search,
      device_type IN ('mobile', 'tablet')
        AND u('offline', account_id, sk) < {dl['offline_session_share']} AS offline,
      floor(3600 * exp(ln({dl['offline_delay_median_hours']})
            + 0.9 * gauss('offline_delay', account_id, sk))) AS offline_delay_s,
      {dl['offline_delay_max_hours']} * 3600 AS offline_delay_cap_s,
      CASE WHEN bait OR activity_kind = 'never_play' OR n_browse = 0 THEN {BROWSE_FIRST}
           WHEN u('order_bait', account_id, sk) < {order1} THEN {RESUME}
           WHEN u('order_bait', account_id, sk) < {order2} THEN {RESUME_INSTANT}
           WHEN u('order_bait', account_id, sk) < {order3} THEN {TAIL_BROWSE}
           ELSE {BROWSE_FIRST} END AS order_bait
    FROM placed
    WHERE t0 >= start_ts AND t0 < end_ts
    """)


def premiere_sessions(b: Build) -> None:
    """Reads temp.subs, temp.acct; adds to temp.sess the premiere's burst of viewing in its
    first 24 hours, much of it synced late."""
    prem = b.r["premiere"]
    release = timestamp(prem["release_ts"])
    b.sql(f"""
    INSERT INTO sess
    SELECT s.account_id, {PREMIERE_SESSION} AS sk,
      {release} + secs(least(86399, floor(-ln(1 - u('prem_at', s.account_id))
           * {prem['mean_delay_hours']} * 3600))) AS t0,
      false, {_PLANTED}, {b.n_titles}, 1, false,
      u('prem_offline', s.account_id) < {prem['offline_share']},
      floor(u('prem_delay', s.account_id) * {prem['offline_delay_max_hours']} * 3600),
      {prem['offline_delay_max_hours']} * 3600, {BROWSE_FIRST}
    FROM subs s JOIN acct a USING (account_id)
    WHERE {_in_chunk(b, 's.account_id')}
      AND activity_kind_of(s.account_id) = 'normal'
      AND s.start_ts <= {release} AND coalesce(s.end_ts, {b.as_of}) > {release}
      AND u('prem_viewer', s.account_id) < {prem['viewer_share']}
    """)


def late_hit_sessions(b: Build) -> None:
    """Reads temp.subs, temp.acct; adds to temp.sess the premiere day's download hit: one
    catalogue title (the last before the premiere) watched offline in the second half of
    the premiere's first 24 hours and synced a day later, so ranking that day's titles by
    the viewers known at release + 24 h misses it."""
    prem = b.r["premiere"]
    release = timestamp(prem["release_ts"])
    b.sql(f"""
    INSERT INTO sess
    SELECT s.account_id, {LATE_HIT_SESSION},
      {release} + INTERVAL 12 HOUR + secs(floor(u('hit_at', s.account_id) * 11 * 3600)),
      false, {_PLANTED}, {b.n_titles - 1}, 0, false, true,
      -- synced 12 to 24 hours after it ends: after release + 24 h, as it starts after + 12 h
      12 * 3600 + floor(u('hit_delay', s.account_id) * 12 * 3600), 24 * 3600, {BROWSE_FIRST}
    FROM subs s JOIN acct a USING (account_id)
    WHERE {_in_chunk(b, 's.account_id')}
      AND activity_kind_of(s.account_id) = 'normal' AND {_PORTABLE}
      AND s.start_ts <= {release} AND coalesce(s.end_ts, {b.as_of}) > {release} + INTERVAL 1 DAY
      AND u('hit_viewer', s.account_id) < {prem['late_hit_share']}
    """)


def dst_travel_sessions(b: Build) -> None:
    """Reads temp.subs, temp.acct; adds to temp.sess members abroad on the local day their
    home zone changes its clocks: one play in the home evening, on their portable first
    device, whose client_tz is the zone they are in, where it is already the next day."""
    zones = {z: w for z, (w, _c) in b.r["time_zones"].items()}
    zone_list = ", ".join(literal(z) for z in zones)
    share = b.r["boundaries"]["dst_travel_share"]
    b.sql(f"""
    INSERT INTO sess
    WITH days AS (
      SELECT zone, day::TIMESTAMP AS day,
        date_diff('day', date_trunc('day', {b.start}), day::TIMESTAMP) AS k
      FROM unnest([{zone_list}]) z(zone),
        range(date_trunc('day', {b.start}), {b.as_of}, INTERVAL 1 DAY) d(day)
    ), changes AS (  -- the local days whose length is not 24 hours
      SELECT zone, day, k FROM days
      WHERE date_diff('second', timezone(zone, day), timezone(zone, day + INTERVAL 1 DAY)) <> 86400
    ), planted AS (
      SELECT s.account_id, s.start_ts, s.end_ts, {DST_TRAVEL_SESSIONS} + c.k AS sk,
        -- 20:00 to 21:59 on the home wall clock, as an instant
        timezone(c.zone, c.day + INTERVAL 20 HOUR
          + secs(floor(u('dst_trip_at', s.account_id, c.k) * 7200)))::TIMESTAMP AS t0,
        {pick("u('dst_trip_tz', s.account_id, c.k)", zones)} AS drawn_tz, c.zone
      FROM subs s JOIN acct a USING (account_id) JOIN changes c ON c.zone = home_tz_of(s.account_id)
      WHERE {_in_chunk(b, 's.account_id')}
        AND activity_kind_of(s.account_id) = 'normal' AND {_PORTABLE}
        AND u('dst_traveller', s.account_id, c.k) < {share}
    )
    -- abroad: a drawn zone, or Asia/Tokyo (no DST: never the zone of a change) if the draw
    -- is the home zone
    SELECT account_id, sk, t0, false,
      CASE WHEN drawn_tz <> zone THEN drawn_tz ELSE 'Asia/Tokyo' END, {_PLANTED_DEVICE},
      {_BAIT_REST}
    FROM planted s
    WHERE t0 >= s.start_ts AND t0 < coalesce(s.end_ts, {b.as_of})
    """)


def as_of_bait_sessions(b: Build) -> None:
    """Reads temp.subs, temp.acct; adds to temp.sess boundary bait: a play_start exactly
    at as_of."""
    bnd = b.r["boundaries"]
    b.sql(f"""
    INSERT INTO sess
    SELECT s.account_id, {AS_OF_BAIT_SESSION}, {b.as_of}, true, {_PLANTED}, {_BAIT_REST}
    FROM subs s JOIN acct a USING (account_id)
    WHERE {_in_chunk(b, 's.account_id')}
      AND activity_kind_of(s.account_id) = 'normal' AND s.end_ts IS NULL
      AND u('as_of_bait', s.account_id) < {bnd['as_of_events']}
    """)


def cut_bait_sessions(b: Build) -> None:
    """Reads temp.subs, temp.acct; adds to temp.sess boundary bait on the cuts relative to
    as_of that queries make ("the last k days"): a play starting exactly at UTC midnight k
    days before as_of's date, one starting 10 minutes before it, whose heartbeats land
    exactly on that midnight, and one starting in the last second before it, a fraction of
    a second after 23:59:59, which an end written as '... 23:59:59' leaves out."""
    bnd = b.r["boundaries"]
    midnight = f"date_trunc('day', {b.as_of}) - INTERVAL 1 DAY * c.k"
    # sk, the draw deciding who gets the session, and its start before the midnight in
    # microseconds (1 to 999,999 for the one in the last second)
    cuts = " UNION ALL ".join(
        f"SELECT {k} AS k, {CUT_BAIT_SESSIONS + 2 * k} AS sk, 'cut_bait' AS salt, {2 * k} AS key"
        f" UNION ALL SELECT {k}, {CUT_BAIT_SESSIONS + 2 * k + 1}, 'cut_bait', {2 * k + 1}"
        f" UNION ALL SELECT {k}, {LAST_INSTANT_SESSIONS + k}, 'last_instant', {k}"
        for k in bnd["cut_days"])
    before_us = f"""CASE WHEN c.sk < {LAST_INSTANT_SESSIONS} THEN 600000000 * (c.key % 2)
        ELSE 1 + floor(u('last_instant_us', s.account_id, c.k) * 999999)::BIGINT END"""
    b.sql(f"""
    INSERT INTO sess
    SELECT s.account_id, c.sk, {midnight} - to_microseconds({before_us}) AS t0,
      true, {_PLANTED}, {_BAIT_REST}
    FROM subs s JOIN acct a USING (account_id) CROSS JOIN ({cuts}) c
    WHERE {_in_chunk(b, 's.account_id')}
      AND activity_kind_of(s.account_id) = 'normal'
      AND s.start_ts <= {midnight} - INTERVAL 10 MINUTE
      AND (s.end_ts IS NULL OR s.end_ts > {midnight})
      AND u(c.salt, s.account_id, c.key) < {bnd['cut_share']}
    """)


def assignment_watch_sessions(b: Build) -> None:
    """Reads temp.subs, temp.acct, temp.assignment; adds to temp.sess members already
    watching when an experiment assigns them: a play started 10 minutes before their
    (first) assignment, whose heartbeats land 5 minutes before it and exactly on it, so a
    window "from assignment" must start at it, inclusive."""
    share = b.r["boundaries"]["assignment_watch_share"]
    numbers = " UNION ALL ".join(
        f"SELECT {literal(exp_id)} AS experiment_id, {i} AS n"
        for i, exp_id in enumerate(b.r["experiments"]))
    b.sql(f"""
    INSERT INTO sess
    SELECT s.account_id, {ASSIGNMENT_WATCH_SESSIONS} + x.n,
      g.assigned_ts_utc - INTERVAL 10 MINUTE AS t0, true, {_PLANTED}, {_BAIT_REST}
    FROM assignment g JOIN ({numbers}) x USING (experiment_id)
      JOIN subs s ON s.account_id = g.account_id
        AND s.start_ts <= g.assigned_ts_utc - INTERVAL 10 MINUTE
        AND coalesce(s.end_ts, {b.as_of}) > g.assigned_ts_utc
      JOIN acct a ON a.account_id = g.account_id
    WHERE {_in_chunk(b, 'g.account_id')}
      AND activity_kind_of(g.account_id) = 'normal'
      AND u('assignment_watch', g.account_id, x.n) < {share}
    """)
