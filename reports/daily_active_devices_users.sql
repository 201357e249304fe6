-- title: Daily active devices and users
-- description: Distinct devices and distinct users that sent at least one event on the event date; events without a device or user id do not count. One scan of the dt partition (device_id and user_id columns), turned into one row per entity.
-- summary: How many different devices and signed-in users used the product each day.
-- grain: one row per dt and entity (devices | users)
-- chart: line
-- x: dt
-- y: active
-- series: entity
-- source: events
SELECT d.dt, m.entity, CASE m.entity WHEN 'devices' THEN d.active_devices ELSE d.active_users END AS active
FROM (
  SELECT dt, count(DISTINCT device_id) AS active_devices, count(DISTINCT user_id) AS active_users
  FROM events
  WHERE dt = {{dt}}
  GROUP BY dt
) AS d
CROSS JOIN (VALUES ('devices'), ('users')) AS m (entity)
ORDER BY m.entity
