-- title: Purchases and revenue per day by currency
-- description: Purchase events and their summed amount per currency on the event date, never converted between currencies. Reads one partition (event_type = purchase, dt) and only its attributes column.
-- grain: one row per dt and currency
-- chart: bar
-- x: dt
-- y: revenue
-- series: currency
-- source: events
SELECT
  dt,
  json_extract_scalar(attributes, '$.currency') AS currency,
  count(*) AS purchases,
  round(sum(CAST(json_extract_scalar(attributes, '$.amount') AS DOUBLE)), 2) AS revenue,
  round(avg(CAST(json_extract_scalar(attributes, '$.amount') AS DOUBLE)), 2) AS average_amount
FROM events
WHERE dt = {{dt}} AND event_type = 'purchase'
GROUP BY 1, 2
ORDER BY revenue DESC, currency
