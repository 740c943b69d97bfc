-- property: sessions that break the browse-then-play order: a play_start before the first browse, one at the very instant of it, a browse after the last play_start
-- why: a funnel step counts only after the previous one: answers that ignore the order, take the last browse or the first play, or count a play at the browse's instant must give other numbers
WITH per_session AS (
  SELECT session_id,
         min(event_ts_utc) FILTER (WHERE event_type = 'browse') AS first_browse,
         max(event_ts_utc) FILTER (WHERE event_type = 'browse') AS last_browse,
         min(event_ts_utc) FILTER (WHERE event_type = 'play_start') AS first_play,
         max(event_ts_utc) FILTER (WHERE event_type = 'play_start') AS last_play
  FROM events e JOIN accounts a USING (account_id)
  WHERE NOT a.is_test
  GROUP BY session_id
), kinds AS (
  SELECT count(*) FILTER (WHERE last_play < first_browse) AS played_only_before,
         count(*) FILTER (WHERE first_play < first_browse AND last_play > first_browse) AS played_before_and_after,
         count(*) FILTER (WHERE last_play = first_browse) AS played_at_the_browse,
         count(*) FILTER (WHERE last_play > first_browse AND last_play < last_browse) AS browsed_after_the_play
  FROM per_session
)
SELECT kind FROM kinds, (VALUES
  ('no session plays only before its first browse', played_only_before),
  ('no session plays before and after its first browse', played_before_and_after),
  ('no session plays at the instant of its first browse', played_at_the_browse),
  ('no session browses again after a play that follows its first browse', browsed_after_the_play)) v(kind, n)
WHERE n = 0
