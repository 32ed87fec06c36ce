-- Feedback (phản ánh, kiến nghị) received in the period for one unit, as of the end of the period:
-- answered by then (on time: by its due day, 15 working days), still open, and the 766 indicator
-- 5.2 count "on time" = answered by the due day, or still open and not yet due (the rule of
-- queries/index_feedback_on_time.sql, so pages and the index agree).
WITH f AS (
    SELECT * FROM stg_feedback
    WHERE province_code = $province
      AND ($district IS NULL OR district_code = $district)
      AND ($unit IS NULL OR unit_code = $unit)
      AND received_date BETWEEN $start AND $end
),
flags AS (
    SELECT
        handled_date IS NOT NULL AND handled_date <= $end AS answered,
        handled_date IS NOT NULL AND handled_date <= $end AND handled_date <= due_date AS answered_on_time,
        (handled_date IS NULL OR handled_date > $end) AND due_date >= $end AS open_not_due
    FROM f
),
final AS (
    SELECT
        count(*) AS feedback_total,
        CAST(coalesce(sum(CAST(answered AS INTEGER)), 0) AS BIGINT) AS feedback_handled,
        CAST(coalesce(sum(CAST(answered_on_time AS INTEGER)), 0) AS BIGINT) AS feedback_handled_on_time,
        CAST(coalesce(sum(CAST(NOT answered AS INTEGER)), 0) AS BIGINT) AS feedback_open,
        CAST(coalesce(sum(CAST(answered_on_time OR open_not_due AS INTEGER)), 0) AS BIGINT) AS feedback_on_time
    FROM flags
)
SELECT * FROM final;
