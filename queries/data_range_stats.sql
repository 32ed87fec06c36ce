-- data_range.sql's two days from the statistics of the dossier files instead of their rows: the
-- smallest receipt and the largest receipt or finish of every row group, read from the files' footers
-- (at 200 M dossiers the scan of data_range.sql took 3,6–5,5 s on the first page of every process after
-- a start or a load: docs/performance-national.md). complete is false when a row group holding values
-- has no exact statistics for them (a file written without statistics): cchc.coverage then runs
-- data_range.sql.
WITH s AS (
    SELECT
        path_in_schema AS col,
        TRY_CAST(stats_min_value AS TIMESTAMP) AS lo,
        TRY_CAST(stats_max_value AS TIMESTAMP) AS hi,
        num_values > coalesce(stats_null_count, 0) AS has_values,
        coalesce(min_is_exact, FALSE) AND coalesce(max_is_exact, FALSE) AS exact
    FROM parquet_metadata($dossier_files)
    WHERE path_in_schema IN ('received_at', 'finished_at')
)
SELECT
    CAST(min(CASE WHEN col = 'received_at' THEN lo END) AS DATE) AS first_day,
    CAST(max(hi) AS DATE) AS last_day,
    coalesce(bool_and(NOT has_values OR (exact AND lo IS NOT NULL AND hi IS NOT NULL)), FALSE) AS complete
FROM s;
