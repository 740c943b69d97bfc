-- property: NULLs that matter: profile_id before profile selection, title_id on non-play events,
-- unknown genre, open subscriptions, unknown acquisition channel
-- why: NOT IN, COUNT(col) and NULL groups silently drop rows
SELECT 'no events without a profile' AS problem FROM events HAVING count(*) FILTER (WHERE profile_id IS NULL) = 0
UNION ALL SELECT 'no events without a title' FROM events HAVING count(*) FILTER (WHERE title_id IS NULL) = 0
UNION ALL SELECT 'no title with unknown genre' FROM titles HAVING count(*) FILTER (WHERE genre IS NULL) = 0
UNION ALL SELECT 'no played title with unknown genre' FROM events e JOIN titles t USING (title_id)
  HAVING count(*) FILTER (WHERE t.genre IS NULL) = 0
UNION ALL SELECT 'no open subscription' FROM subscriptions HAVING count(*) FILTER (WHERE ended_ts_utc IS NULL) = 0
UNION ALL SELECT 'no unknown acquisition channel' FROM accounts HAVING count(*) FILTER (WHERE acquisition_channel IS NULL) = 0
UNION ALL SELECT 'watch_seconds on a non-watch event' FROM events
  HAVING count(*) FILTER (WHERE watch_seconds IS NOT NULL AND event_type NOT IN ('heartbeat', 'play_stop')) > 0
