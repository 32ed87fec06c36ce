-- Scoring metric (QĐ 766 indicator 5.2 "Tiến độ xử lý phản ánh, kiến nghị"): of the feedback items
-- (PAKN) received in the period, how many were handled by their due day (15 working days), or are
-- still open at the end of the period and not yet due.
WITH f AS (
    SELECT * FROM stg_feedback
    WHERE province_code = $province
      AND ($district IS NULL OR district_code = $district)
      AND ($unit IS NULL OR unit_code = $unit)
      AND received_date BETWEEN $start AND $end
),
final AS (
    SELECT
        CAST(coalesce(sum(CAST(
            (f.handled_date IS NOT NULL AND f.handled_date <= $end AND f.handled_date <= f.due_date)
            OR ((f.handled_date IS NULL OR f.handled_date > $end) AND f.due_date >= $end)
        AS INTEGER)), 0) AS BIGINT) AS numerator,
        count(*) AS denominator
    FROM f
)
SELECT * FROM final;
