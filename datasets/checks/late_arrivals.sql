-- property: late arrivals: offline viewing synced hours or days later
-- why: a metric read at 09:00 differs from the final one
SELECT avg((received_ts_utc >= event_ts_utc + INTERVAL 6 HOUR)::INT) AS late_6h,
       max(received_ts_utc - event_ts_utc) AS max_delay
FROM events
HAVING avg((received_ts_utc >= event_ts_utc + INTERVAL 6 HOUR)::INT) < 0.005
    OR max(received_ts_utc - event_ts_utc) < INTERVAL 1 DAY
    OR bool_or(received_ts_utc < event_ts_utc)
