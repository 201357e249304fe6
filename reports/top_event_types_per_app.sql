-- title: Top event types per app
-- description: The five most frequent event types of each app on the event date, ranked by count (ties by name); events without app_id are grouped as unknown. Reads the app_id column of the dt partition.
-- summary: The five most common kinds of activity in each app each day. Device traffic without an app is listed as "unknown".
-- grain: one row per dt, app_id and event_type (at most five per app)
-- chart: table
-- x: app_id
-- y: events
-- series: event_type
-- source: events
SELECT dt, app_id, event_type, events, type_rank
FROM (
  SELECT
    dt,
    coalesce(app_id, 'unknown') AS app_id,
    event_type,
    count(*) AS events,
    row_number() OVER (PARTITION BY dt, coalesce(app_id, 'unknown') ORDER BY count(*) DESC, event_type) AS type_rank
  FROM events
  WHERE dt = {{dt}}
  GROUP BY 1, 2, 3
) AS ranked
WHERE type_rank <= 5
ORDER BY app_id, type_rank
