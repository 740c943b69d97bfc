-- property: the event window crosses a DST change in the US, the EU and Sydney
-- why: a DST day has 23 or 25 hours; fixed offsets give wrong local days
WITH bounds AS (SELECT min(event_ts_utc) AS lo, max(event_ts_utc) AS hi FROM events),
zones(zone) AS (VALUES ('America/New_York'), ('Europe/Berlin'), ('Australia/Sydney'))
SELECT zone FROM zones, bounds
WHERE timezone(zone, lo::TIMESTAMPTZ) - lo = timezone(zone, hi::TIMESTAMPTZ) - hi
