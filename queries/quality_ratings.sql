-- Kiểm tra dữ liệu: the rating forms of one unit filled in [$start, $end] (ratings_for) whose
-- dossier code names no dossier in the unit's province files, at most $limit rows (the first by
-- day), each with the number of such forms (`total`).
WITH r AS (
    SELECT rating_id, dossier_id, unit_code, procedure_code, field, rated_at, level
    FROM ratings_for($rating_files, $scope, $start, $end)
),
orphans AS (
    SELECT r.* FROM r
    WHERE r.dossier_id IS NULL
       OR r.dossier_id NOT IN (SELECT a.dossier_id FROM raw_dossiers_in($dossier_files) a WHERE a.dossier_id IS NOT NULL)
)
SELECT count(*) OVER () AS total, o.*
FROM orphans o
ORDER BY rated_at, rating_id
LIMIT $limit;
