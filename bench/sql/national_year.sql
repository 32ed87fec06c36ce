-- Bench only (not a product query): the national Biểu 06 counts for [$start, $end], one row per
-- province and field, over every province's dossiers. The same row selection as the
-- dossiers_for macro (one scan: years up to year($end), rows still open at $start)
-- without the province narrowing, which the product's Unit model has no scope for.
WITH s AS (
    SELECT province_code, field, channel, received_at, due_at, finished_at, digitised_input, e_result
    FROM raw_dossiers
    WHERE year <= year($end)
      AND received_at < $end + INTERVAL 1 DAY
      AND (finished_at IS NULL OR finished_at >= $start)
),
d AS (
    SELECT
        province_code, field, channel, digitised_input, e_result,
        date_diff('day', due_at, finished_at) AS days_past_due,
        received_at >= $start AS is_new,
        finished_at IS NOT NULL AND finished_at < $end + INTERVAL 1 DAY AS resolved,
        finished_at IS NULL OR finished_at >= $end + INTERVAL 1 DAY AS pending,
        (finished_at IS NULL OR finished_at >= $end + INTERVAL 1 DAY) AND due_at < $end AS pending_overdue
    FROM s
),
final AS (
    SELECT
        province_code,
        field,
        count(*) AS received_total,
        CAST(sum(CAST(is_new AND channel = 'truc_tuyen' AS INTEGER)) AS BIGINT) AS received_online,
        CAST(sum(CAST(is_new AS INTEGER)) AS BIGINT) AS received_new,
        CAST(sum(CAST(NOT is_new AS INTEGER)) AS BIGINT) AS carried_over,
        CAST(sum(CAST(resolved AS INTEGER)) AS BIGINT) AS resolved_total,
        CAST(sum(CAST(resolved AND days_past_due < 0 AS INTEGER)) AS BIGINT) AS resolved_early,
        CAST(sum(CAST(resolved AND days_past_due = 0 AS INTEGER)) AS BIGINT) AS resolved_on_time,
        CAST(sum(CAST(resolved AND days_past_due > 0 AS INTEGER)) AS BIGINT) AS resolved_late,
        CAST(sum(CAST(pending AS INTEGER)) AS BIGINT) AS pending_total,
        CAST(sum(CAST(pending_overdue AS INTEGER)) AS BIGINT) AS pending_overdue,
        CAST(sum(CAST(is_new AND digitised_input AS INTEGER)) AS BIGINT) AS digitised_input,
        CAST(sum(CAST(resolved AND e_result AS INTEGER)) AS BIGINT) AS digitised_result
    FROM d
    GROUP BY province_code, field
)
SELECT * FROM final ORDER BY province_code, field;
