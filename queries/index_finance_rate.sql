-- Scoring metric: one public-finance item ($item: thu_ngan_sach | chi_ngan_sach | giai_ngan_dtc),
-- actual (numerator) against plan (denominator), in triệu đồng, over the budget months of the period
-- ($fin_start, $fin_end: first days of the first and last month; see cchc.kpis.finance_months).
-- A district or province adds up its communes.
WITH m AS (
    SELECT plan_vnd, actual_vnd
    FROM finances_for($scope, $fin_start, $fin_end)
    WHERE item = $item
),
final AS (
    SELECT
        CAST(coalesce(sum(m.actual_vnd), 0) AS DOUBLE) / 1e6 AS numerator,
        CAST(coalesce(sum(m.plan_vnd), 0) AS DOUBLE) / 1e6 AS denominator
    FROM m
)
SELECT * FROM final;
