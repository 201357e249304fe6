-- title: Events by type per day
-- description: Valid events per event type on one event date (UTC). Reads the dt partition only and no data column: the row counts come from the Parquet footers.
-- summary: Everything apps and devices reported each day, by kind of activity (page views, purchases, sensor readings, …). Only events that passed every check are counted.
-- grain: one row per dt and event_type
-- chart: stacked-bar
-- x: dt
-- y: events
-- series: event_type
-- source: events
SELECT dt, event_type, count(*) AS events
FROM events
WHERE dt = {{dt}}
GROUP BY dt, event_type
ORDER BY events DESC, event_type
