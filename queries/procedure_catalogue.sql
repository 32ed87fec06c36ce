-- The procedure catalogue as the KPI tables show it beside their counts: name, statutory time,
-- online level of each procedure code, and whether it is offered online (online_capable). A
-- reference query (cchc.db.REFERENCE_QUERIES): read once per Database and again only when
-- procedures.parquet changes.
SELECT code AS procedure_code, name AS procedure_name, statutory_days, online_level,
       online_capable(online_level) AS online_capable
FROM raw_procedures;
