-- property: heavy-tailed watch time: mean far from median
-- why: an average describes few members
WITH per_session AS (
  SELECT session_id, sum(watch_seconds) AS seconds
  FROM (SELECT DISTINCT ON (event_id) * FROM events) WHERE watch_seconds IS NOT NULL GROUP BY 1)
SELECT avg(seconds), median(seconds) FROM per_session
HAVING avg(seconds) < 1.3 * median(seconds)
