-- property: autoplay_previews treatment cancels more in days 21-28 after signup (guardrail)
-- why: engagement can rise while week-4 retention falls
WITH arm AS (
  SELECT account_id, arg_min(variant, assigned_ts_utc) AS variant
  FROM experiment_assignments WHERE experiment_id = 'autoplay_previews' GROUP BY 1),
ended AS (
  SELECT a.variant, avg((s.ended_ts_utc >= c.signup_ts_utc + INTERVAL 21 DAY
                        AND s.ended_ts_utc < c.signup_ts_utc + INTERVAL 28 DAY)::INT) AS cancel_d21_28
  FROM arm a JOIN accounts c USING (account_id)
  JOIN subscriptions s ON s.account_id = a.account_id AND s.started_ts_utc = c.signup_ts_utc
  GROUP BY 1)
SELECT * FROM ended WHERE variant = 'treatment'
  AND cancel_d21_28 < 2 * (SELECT cancel_d21_28 FROM ended WHERE variant = 'control')
