-- Scoring metric (QĐ 766 indicator 3.3, share submitted online): dossiers received online in the
-- period out of all dossiers received in the period (Biểu 06: (4) / ((4)+(5))).
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $province, $district, $unit, $start, $end) WHERE is_new
),
final AS (
    SELECT
        coalesce(count_if(d.channel = 'truc_tuyen'), 0) AS numerator,
        count(*) AS denominator
    FROM d
)
SELECT * FROM final;
