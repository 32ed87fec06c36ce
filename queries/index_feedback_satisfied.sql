-- Scoring metric (QĐ 766 indicator 5.3 "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị"):
-- (feedback received in the period − those the citizen marked unsatisfied − those late) / feedback
-- received in the period. Late: handled after the due day, or still open past it at the end of the
-- period; reactions after the end of the period are not counted.
WITH f AS (
    SELECT * FROM stg_feedback
    WHERE province_code = $province
      AND ($district IS NULL OR district_code = $district)
      AND ($unit IS NULL OR unit_code = $unit)
      AND received_date BETWEEN $start AND $end
),
judged AS (
    SELECT
        (f.handled_date IS NOT NULL AND f.handled_date <= $end AND f.handled_date > f.due_date)
        OR ((f.handled_date IS NULL OR f.handled_date > $end) AND f.due_date < $end) AS late,
        coalesce(f.handled_date <= $end AND f.citizen_satisfied = false, false) AS unsatisfied
    FROM f
),
final AS (
    SELECT
        CAST(coalesce(sum(CAST(NOT (late OR unsatisfied) AS INTEGER)), 0) AS BIGINT) AS numerator,
        count(*) AS denominator
    FROM judged
)
SELECT * FROM final;
