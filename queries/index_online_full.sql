-- Scoring metric (QĐ 766, group "Dịch vụ công trực tuyến", 12 points: hồ sơ DVCTT toàn trình trên
-- tổng hồ sơ của TTHC đủ điều kiện toàn trình): of the dossiers received in the period for
-- procedures offered fully online (online_level = 'toan_trinh'), how many were submitted online.
-- Numerator and denominator: queries/views/45_index_metrics.sql (metric_online_full_*).
WITH d AS (
    SELECT d.channel
    FROM report_rows_for($dossier_files, $scope, $start, $end) d
    JOIN raw_procedures p ON p.code = d.procedure_code
    WHERE metric_online_full_den(d.is_new, p.online_level)
),
final AS (
    SELECT
        coalesce(count_if(metric_online_full_num(d.channel)), 0) AS numerator,
        count(*) AS denominator
    FROM d
)
SELECT * FROM final;
