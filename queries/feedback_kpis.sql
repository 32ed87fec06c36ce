-- Feedback (phản ánh, kiến nghị) received in the period for one unit, as of the end of the period:
-- answered by then (on time: by its due day, 15 working days), still open, and the 766 indicator
-- 5.2 count "on time" = answered by the due day, or still open and not yet due (the rule of
-- queries/index_feedback_on_time.sql, so pages and the index agree).
WITH f AS (
    SELECT answered, handling_status AS status FROM feedback_for($scope, $start, $end)
),
final AS (
    SELECT
        count(*) AS feedback_total,
        coalesce(count_if(answered), 0) AS feedback_handled,
        coalesce(count_if(status = 'dung_han'), 0) AS feedback_handled_on_time,
        coalesce(count_if(NOT answered), 0) AS feedback_open,
        coalesce(count_if(feedback_on_time(status)), 0) AS feedback_on_time
    FROM f
)
SELECT * FROM final;
