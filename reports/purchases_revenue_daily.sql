-- title: Purchases and revenue per day by currency
-- description: Purchase events and their summed amount per currency on the event date, never converted between currencies. Reads one partition (event_type = purchase, dt) and only its amount and currency columns, which the curation job derives from attributes.
-- summary: Purchases and takings each day, per currency. Amounts are never converted between currencies.
-- grain: one row per dt and currency
-- chart: bar
-- x: dt
-- y: revenue
-- series: currency
-- source: events
SELECT
  dt,
  currency,
  count(*) AS purchases,
  round(sum(amount), 2) AS revenue,
  round(avg(amount), 2) AS average_amount
FROM events
WHERE dt = {{dt}} AND event_type = 'purchase'
GROUP BY 1, 2
ORDER BY revenue DESC, currency
