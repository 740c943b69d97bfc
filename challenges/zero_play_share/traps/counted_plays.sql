-- name: Counted joined rows (plays), not members
-- explanation: After the LEFT JOIN a member with five first-week plays is five rows and a member with none is one, so COUNT(*) counts plays plus zero-play members. The denominator is inflated by engaged members and the zero-play share looks several times smaller than it is.
SELECT date_trunc('month', a.signup_ts_utc)::DATE AS signup_month,
       count(*) AS members,
       count(*) FILTER (WHERE e.event_id IS NULL) AS zero_play_members,
       count(*) FILTER (WHERE e.event_id IS NULL) / count(*) AS zero_play_share
FROM accounts a
LEFT JOIN events e
  ON e.account_id = a.account_id AND e.event_type = 'play_start'
 AND e.event_ts_utc >= a.signup_ts_utc AND e.event_ts_utc < a.signup_ts_utc + INTERVAL 7 DAY
CROSS JOIN dataset_info d
WHERE NOT a.is_test AND a.signup_ts_utc + INTERVAL 7 DAY <= d.as_of_ts_utc
GROUP BY 1
ORDER BY 1
