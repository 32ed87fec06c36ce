-- Scoring metric (QĐ 766 indicator 5.3 "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị"):
-- (feedback received in the period − those the citizen marked unsatisfied − those late) / feedback
-- received in the period. Late: handled after the due day, or still open past it at the end of the
-- period; reactions after the end of the period are not counted.
WITH judged AS (
    SELECT metric_feedback_satisfied_num(handling_status, handled_date, citizen_satisfied, $end) AS satisfied
    FROM feedback_for($scope, $start, $end)
),
final AS (
    SELECT
        coalesce(count_if(satisfied), 0) AS numerator,
        count(*) AS denominator
    FROM judged
)
SELECT * FROM final;
