-- Bench only (not a product query): the national Biểu 06 counts for [$start, $end], one row per
-- province and field, over every province's dossiers. The same row selection as the
-- dossiers_for macro (one scan: years up to year($end), rows still open at $start)
-- without the province narrowing, which the product's Unit model has no scope for; the roles and
-- statuses through the product's macros (queries/views/20_dossiers.sql).
WITH s AS (
    SELECT province_code, field, channel, received_at, due_at, finished_at, digitised_input, e_result
    FROM raw_dossiers
    WHERE year <= year($end)
      AND in_report(received_at, finished_at, $start, $end)
),
d AS (
    SELECT
        province_code, field, channel, digitised_input, e_result,
        days_past_due_of(due_at, finished_at) AS days_past_due,
        is_new_in(received_at, $start) AS is_new,
        resolved_by(finished_at, $end) AS resolved,
        pending_at(finished_at, $end) AS pending,
        overdue_at(finished_at, due_at, $end) AS pending_overdue
    FROM s
),
final AS (
    SELECT
        province_code,
        field,
        count(*) AS received_total,
        CAST(sum(CAST(is_new AND submitted_online(channel) AS INTEGER)) AS BIGINT) AS received_online,
        CAST(sum(CAST(is_new AS INTEGER)) AS BIGINT) AS received_new,
        CAST(sum(CAST(NOT is_new AS INTEGER)) AS BIGINT) AS carried_over,
        CAST(sum(CAST(resolved AS INTEGER)) AS BIGINT) AS resolved_total,
        CAST(sum(CAST(resolved AND finished_early(days_past_due) AS INTEGER)) AS BIGINT) AS resolved_early,
        CAST(sum(CAST(resolved AND finished_on_due_day(days_past_due) AS INTEGER)) AS BIGINT) AS resolved_on_time,
        CAST(sum(CAST(resolved AND finished_late(days_past_due) AS INTEGER)) AS BIGINT) AS resolved_late,
        CAST(sum(CAST(pending AS INTEGER)) AS BIGINT) AS pending_total,
        CAST(sum(CAST(pending_overdue AS INTEGER)) AS BIGINT) AS pending_overdue,
        CAST(sum(CAST(is_new AND digitised_input AS INTEGER)) AS BIGINT) AS digitised_input,
        CAST(sum(CAST(resolved AND e_result AS INTEGER)) AS BIGINT) AS digitised_result
    FROM d
    GROUP BY province_code, field
)
SELECT * FROM final ORDER BY province_code, field;
