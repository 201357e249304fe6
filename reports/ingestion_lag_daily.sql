-- title: Ingestion lag percentiles
-- description: Seconds from event_time (after clock-skew correction) to Firehose arrival (received_at) for the events of the event date: p50, p90, p99 and max. Events beyond the freshness window live under late/ and are not in this table. Reads event_time and received_at of the dt partition: in curated files sorted by event time both compress to about a byte per row, less than the derived ingestion_lag_ms column (measured at 1M events: 45x vs 26x less than raw), which stays for ad-hoc queries.
-- summary: How long events took to reach us after they happened, in seconds: half arrive within p50, nine in ten within p90, and so on. Devices that were offline push this up.
-- grain: one row per dt and percentile (p50 | p90 | p99 | max)
-- chart: line
-- x: dt
-- y: lag_seconds
-- series: percentile
-- source: events
SELECT
  l.dt,
  p.percentile,
  round(CASE p.percentile WHEN 'p50' THEN l.p50 WHEN 'p90' THEN l.p90 WHEN 'p99' THEN l.p99 ELSE l.max_lag END, 3)
    AS lag_seconds
FROM (
  SELECT
    dt,
    approx_percentile(lag_seconds, 0.5) AS p50,
    approx_percentile(lag_seconds, 0.9) AS p90,
    approx_percentile(lag_seconds, 0.99) AS p99,
    max(lag_seconds) AS max_lag
  FROM (
    SELECT dt, CAST(date_diff('millisecond', event_time, received_at) AS DOUBLE) / 1000 AS lag_seconds
    FROM events
    WHERE dt = {{dt}}
  ) AS e
  GROUP BY dt
) AS l
CROSS JOIN (VALUES ('p50', 1), ('p90', 2), ('p99', 3), ('max', 4)) AS p (percentile, sort_key)
ORDER BY p.sort_key
