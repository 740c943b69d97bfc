"""Events of the sessions in temp.sess: the plays in each, then every event as the
server received it, at-least-once.

An event's number within its session (seq): 0 app_open, 1-4 browse, 5 search; play k
spans 10 + 1000 k (play_start) to 999 + 1000 k (play_stop), heartbeats in between.

A session browses (and searches) 10 s after it opens, then plays, 20 s after the browsing;
the sessions planted as funnel-order bait (``sess.order_bait``) start their first play
10 s after opening and browse once it ends, or browse one last time after the last play.
"""

from __future__ import annotations

from sqldrills.world.steps.context import Build
from sqldrills.world.steps.sessions import AS_OF_BAIT_SESSION, RESUME, RESUME_INSTANT, TAIL_BROWSE
from sqldrills.world.steps.sql import timestamp

# An event's key within its account, sk * EVENT_KEY_STRIDE + seq: seq stays below it.
EVENT_KEY_STRIDE = 100_000


def plays(b: Build) -> None:
    """Reads temp.sess; writes temp.plays (replacing it): when each play starts, how long
    it lasts and which title it shows."""
    act, bnd = b.r["activity"], b.r["boundaries"]
    med = act["watch_median_minutes"] * 60
    cap = act["watch_max_minutes"] * 60
    gap_sql = f"""CASE
        WHEN u('gap_kind', account_id, sk, k) < {bnd['exact_gap_share']}
          THEN 1799 + floor(u('gap_exact', account_id, sk, k) * 3)
        WHEN u('gap_kind', account_id, sk, k) < {bnd['exact_gap_share'] + act['long_pause_share']}
          THEN 1860 + floor(u('gap_len', account_id, sk, k) * 5400)
        ELSE 15 + floor(u('gap_len', account_id, sk, k) * 900) END"""
    dur_sql = f"""least({cap}, greatest(30, floor(exp(ln({med})
        + {act['watch_sigma']} * gauss('watch', account_id, sk, k)))))"""
    browsing = "20 + 20 * n_browse + CASE WHEN has_search THEN 40 ELSE 0 END"
    b.sql(f"""
    CREATE OR REPLACE TEMP TABLE plays AS
    WITH p AS (
      SELECT s.*, k,
        {dur_sql}::BIGINT AS dur,
        CASE WHEN k = 0 THEN 0
             -- after a first play that came before any browse: the browsing, then play 2
             -- (or play 2 at the very instant of the first browse, 10 s in)
             WHEN k = 1 AND order_bait = {RESUME} THEN {browsing}
             WHEN k = 1 AND order_bait = {RESUME_INSTANT} THEN 10
             ELSE {gap_sql} END::BIGINT AS gap,
        CASE WHEN bait THEN 0 WHEN order_bait IN ({RESUME}, {RESUME_INSTANT}) THEN 10
             ELSE {browsing} END AS lead
      FROM (SELECT *, unnest(range(n_plays)) AS k FROM sess) s
    )
    SELECT *, t0 + secs(lead + sum(dur + gap) OVER w - dur) AS play_ts,
      CASE WHEN k = 0 AND first_title IS NOT NULL THEN first_title
           ELSE 1 + floor(pow(u('title', account_id, sk, k), 2.5) * {b.n_titles - 1})::BIGINT
      END AS title_id
    FROM p
    WINDOW w AS (PARTITION BY account_id, sk ORDER BY k ROWS UNBOUNDED PRECEDING)
    """)


def session_extras(b: Build) -> None:
    """Reads temp.sess, temp.plays; writes temp.sessx (replacing it): what every event of a
    session shares, computed once per session rather than once per event, and the
    session's last moment, from which offline viewing is synced."""
    dl = b.r["delivery"]
    b.sql(f"""
    CREATE OR REPLACE TEMP TABLE sessx AS
    SELECT s.*, e.end_ts, hexid('s-', 'session', s.account_id, s.sk) AS session_id,
      u('batch', s.account_id, s.sk) < {dl['batch_session_share']} AS batch,
      u('flaky', s.account_id, s.j) < {dl['retry_burst_device_share']} AS flaky,
      -- when the browsing starts: at the open, or when a first play that came before it ends
      CASE WHEN s.order_bait IN ({RESUME}, {RESUME_INSTANT}) THEN coalesce(e.first_end, s.t0)
           ELSE s.t0 END AS browse_from
    FROM sess s
    LEFT JOIN (SELECT account_id, sk, max(play_ts + secs(dur)) AS end_ts,
                 max(play_ts + secs(dur)) FILTER (WHERE k = 0) AS first_end
               FROM plays GROUP BY ALL) e USING (account_id, sk)
    """)


def events(b: Build) -> None:
    """Reads temp.plays, temp.sessx; writes events. Delivery is at least once: exact
    copies arrive with a later received_ts_utc, and flaky devices re-send in bursts."""
    act, dl = b.r["activity"], b.r["delivery"]
    hb = int(act["heartbeat_seconds"])
    release = timestamp(b.r["premiere"]["release_ts"])
    shared = ("account_id, sk, device_id, j, client_tz, session_id, offline, offline_delay_s, "
              "offline_delay_cap_s, end_ts, t0, batch, flaky")
    # The premiere is watched only once it is out: before, a play shows title 1.
    title = f"CASE WHEN title_id = {b.n_titles} AND play_ts < {release} THEN 1 ELSE title_id END"
    b.sql(f"""
    INSERT INTO events
    WITH playsx AS (
      SELECT p.*, x.end_ts, x.session_id, x.batch, x.flaky
      FROM plays p JOIN sessx x USING (account_id, sk)
    ), raw AS (
      SELECT {shared}, 0 AS seq, NULL::BIGINT AS profile_id, 'app_open' AS event_type,
        NULL::BIGINT AS title_id, t0 AS event_ts, NULL::INTEGER AS watch_seconds
      FROM sessx
      UNION ALL
      SELECT {shared}, 1 + b,
        CASE WHEN u('prof_null', account_id, sk, b) < {act['profile_null_rate']}
             THEN NULL ELSE profile_id END,
        'browse', NULL,
        CASE WHEN order_bait = {TAIL_BROWSE} AND b = n_browse - 1 THEN coalesce(end_ts, t0) + secs(10)
             ELSE browse_from + secs(10 + 20 * b) END, NULL
      FROM (SELECT *, unnest(range(n_browse)) AS b FROM sessx)
      UNION ALL
      SELECT {shared}, 5, profile_id, 'search', NULL, browse_from + secs(10 + 20 * n_browse), NULL
      FROM sessx WHERE has_search
      UNION ALL
      SELECT {shared}, 10 + 1000 * k, profile_id, 'play_start', {title}, play_ts, NULL
      FROM playsx
      UNION ALL
      SELECT {shared}, 11 + 1000 * k + h, profile_id, 'heartbeat', {title},
        play_ts + secs({hb} * (h + 1)), {hb}
      FROM (SELECT *, unnest(range((dur - 1) // {hb})) AS h FROM playsx)
      UNION ALL
      SELECT {shared}, 999 + 1000 * k, profile_id, 'play_stop', {title},
        play_ts + secs(dur), (dur - {hb} * ((dur - 1) // {hb}))::INTEGER
      FROM playsx
    ), sent AS (
      SELECT *,
        hexid('e-', 'event', account_id, sk * {EVENT_KEY_STRIDE} + seq) AS event_id,
        CASE WHEN offline THEN coalesce(end_ts, t0)
               + secs(least(offline_delay_cap_s, offline_delay_s))
               + to_microseconds(seq * 1000)
             WHEN sk = {AS_OF_BAIT_SESSION} THEN event_ts
             WHEN batch THEN event_ts + secs(60 + floor(u('batch_delay', account_id, sk)
                    * {dl['batch_delay_max_seconds']}))
             ELSE event_ts + to_microseconds(floor(1000000 * exp(ln({dl['latency_median_seconds']})
               + 0.8 * gauss('latency', account_id, sk, seq)))::BIGINT)
        END AS received_ts,
        CASE WHEN flaky AND u('burst', account_id, sk, seq) < {dl['retry_burst_rate']}
             THEN 1 + floor(u('burst_n', account_id, sk, seq) * {dl['retry_burst_max_copies']})
             WHEN u('dup', account_id, sk, seq) < {dl['duplicate_rate']} THEN 1
             ELSE 0 END::INTEGER AS n_copies
      FROM raw
    ), delivered AS (
      -- copy 0 is the original; copy c > 0 is re-sent later, identical but for received_ts
      SELECT * EXCLUDE (received_ts), CASE WHEN c = 0 THEN received_ts ELSE received_ts + secs(
          5 + 1805 * (c - 1) + floor(u('resend', account_id, sk * {EVENT_KEY_STRIDE} + seq, c - 1) * 1800))
        END AS received_ts
      FROM (SELECT *, unnest(range(1 + n_copies)) AS c FROM sent)
    )
    SELECT event_id, account_id, profile_id, device_id, session_id, event_type, title_id,
      event_ts, received_ts, client_tz, watch_seconds
    FROM delivered
    WHERE event_ts <= {b.as_of} AND received_ts <= {b.as_of}
    """)
