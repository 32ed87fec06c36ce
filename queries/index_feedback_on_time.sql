-- Scoring metric (QĐ 766 indicator 5.2 "Tiến độ xử lý phản ánh, kiến nghị"): of the feedback items
-- (PAKN) received in the period, how many were handled by their due day (15 working days), or are
-- still open at the end of the period and not yet due.
WITH f AS (
    SELECT handling_status FROM feedback_for($scope, $start, $end)
),
final AS (
    SELECT
        coalesce(count_if(metric_feedback_on_time_num(handling_status)), 0) AS numerator,
        count(*) AS denominator
    FROM f
)
SELECT * FROM final;
