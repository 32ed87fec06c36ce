-- Scoring metric (QĐ 766 indicator 5.4 "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC"):
-- (dossiers resolved in the period − those resolved late − those rated "không hài lòng" (level 1)
-- − those with a feedback item (PAKN) received by the end of the period) / dossiers resolved.
WITH d AS (
    SELECT dossier_id, days_past_due
    FROM report_rows_for($dossier_files, $province, $district, $unit, $start, $end)
    WHERE resolved
),
disliked AS (
    SELECT DISTINCT dossier_id FROM ratings_for($rating_files, $province, $district, $unit, $start, $end)
    WHERE level = 1
),
complained AS (
    SELECT dossier_id FROM complaints_by_dossier($province, $end)
),
judged AS (
    SELECT
        d.days_past_due > 0 OR r.dossier_id IS NOT NULL OR c.dossier_id IS NOT NULL AS bad
    FROM d
    LEFT JOIN disliked r ON r.dossier_id = d.dossier_id
    LEFT JOIN complained c ON c.dossier_id = d.dossier_id
),
final AS (
    SELECT
        CAST(coalesce(sum(CAST(NOT bad AS INTEGER)), 0) AS BIGINT) AS numerator,
        count(*) AS denominator
    FROM judged
)
SELECT * FROM final;
