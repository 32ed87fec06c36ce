-- Through which channel the dossiers newly received in [$start, $end] came in (Biểu 06 columns
-- (4) and (5) split further): trực tiếp (counter), trực tuyến (online), bưu chính (post). One
-- unit; optionally one field ($field) and one procedure ($procedure), NULL = all.
WITH d AS (
    SELECT channel
    FROM report_rows_for($dossier_files, $scope, $start, $end)
    WHERE is_new
      AND ($field IS NULL OR field = $field)
      AND ($procedure IS NULL OR procedure_code = $procedure)
),
final AS (
    SELECT channel, count(*) AS received_new
    FROM d
    GROUP BY channel
)
SELECT * FROM final
ORDER BY received_new DESC, channel;
