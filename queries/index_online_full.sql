-- Scoring metric (QĐ 766, group "Dịch vụ công trực tuyến", 12 points: hồ sơ DVCTT toàn trình trên
-- tổng hồ sơ của TTHC đủ điều kiện toàn trình): of the dossiers received in the period for
-- procedures offered fully online (online_level = 'toan_trinh'), how many were submitted online.
WITH d AS (
    SELECT d.channel
    FROM report_rows_for($dossier_files, $province, $district, $unit, $start, $end) d
    JOIN raw_procedures p ON p.code = d.procedure_code
    WHERE d.is_new AND p.online_level = 'toan_trinh'
),
final AS (
    SELECT
        coalesce(count_if(d.channel = 'truc_tuyen'), 0) AS numerator,
        count(*) AS denominator
    FROM d
)
SELECT * FROM final;
