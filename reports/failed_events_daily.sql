-- title: Failed events per day by failure type
-- description: Data quality: inputs that could not become valid events, per failure type, on the day Firehose received them (failed records carry no trusted event time). Reads the dt partitions of failed/ (gzip NDJSON, read whole).
-- summary: Events we received but could not use each day, by reason. A rise usually means an app release is sending data in the wrong shape.
-- grain: one row per dt and failure_type
-- chart: stacked-bar
-- x: dt
-- y: failed_events
-- series: failure_type
-- source: failed_events
SELECT dt, failure_type, count(*) AS failed_events
FROM failed_events
WHERE dt = {{dt}}
GROUP BY dt, failure_type
ORDER BY failed_events DESC, failure_type
