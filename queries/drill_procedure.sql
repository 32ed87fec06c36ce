-- One procedure of the catalogue by code (name, field, statutory time), for the drill-down's
-- breadcrumb and the statutory-time mark, also when the procedure has no dossiers in the period.
WITH final AS (
    SELECT code, name, field, statutory_days, online_level
    FROM raw_procedures
    WHERE code = $code
)
SELECT * FROM final;
