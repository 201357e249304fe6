-- title: New vs returning devices
-- description: Devices active on the event date, split into returning (seen on any of the 90 days before) and new (not seen in those 90 days, so a device back after a longer absence counts as new). Scan cost: the device_id column of dt plus the 90 earlier dt partitions, pruned by a dt range; it grows with the window, never with the whole history.
-- summary: Devices active each day, split into new ones and ones seen in the previous 90 days.
-- grain: one row per dt and device_status (new | returning)
-- chart: stacked-bar
-- x: dt
-- y: devices
-- series: device_status
-- source: events
SELECT today.dt, CASE WHEN seen.device_id IS NULL THEN 'new' ELSE 'returning' END AS device_status, count(*) AS devices
FROM (
  SELECT DISTINCT dt, device_id
  FROM events
  WHERE dt = {{dt}} AND device_id IS NOT NULL
) AS today
LEFT JOIN (
  SELECT DISTINCT device_id
  FROM events
  WHERE dt < {{dt}}
    AND dt >= CAST(CAST(CAST({{dt}} AS DATE) - INTERVAL '90' DAY AS DATE) AS VARCHAR)
    AND device_id IS NOT NULL
) AS seen ON seen.device_id = today.device_id
GROUP BY 1, 2
ORDER BY 2
