-- Feedback (phản ánh, kiến nghị) received in the period for one unit.
WITH f AS (
    SELECT * FROM stg_feedback
    WHERE province_code = $province
      AND ($district IS NULL OR district_code = $district)
      AND ($unit IS NULL OR unit_code = $unit)
      AND received_date BETWEEN $start AND $end
),
final AS (
    SELECT
        count(*) AS feedback_total,
        count(*) FILTER (WHERE handled_date IS NOT NULL AND handled_date <= $end) AS feedback_handled,
        count(*) FILTER (WHERE handled_on_time) AS feedback_on_time,
        count(*) FILTER (WHERE handled_date IS NULL OR handled_date > $end) AS feedback_open
    FROM f
)
SELECT * FROM final;
