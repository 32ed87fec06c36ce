-- Scoring metric: rating forms (phiếu đánh giá) filled in the period that say "hài lòng" or
-- "rất hài lòng" (level 3 or 4), out of all forms filled in the period.
WITH r AS (
    SELECT * FROM ratings_for($rating_files, $scope, $start, $end)
),
final AS (
    SELECT
        coalesce(count_if(r.satisfied), 0) AS numerator,
        count(*) AS denominator
    FROM r
)
SELECT * FROM final;
