-- Scoring metric: one public-finance item ($item: thu_ngan_sach | chi_ngan_sach | giai_ngan_dtc),
-- actual (numerator) against plan (denominator), in triệu đồng, over the budget months of the period
-- ($fin_start, $fin_end: first days of the first and last month; see cchc.kpis.finance_months).
-- A district or province adds up its communes.
WITH m AS (
    SELECT f.plan_vnd, f.actual_vnd
    FROM raw_finances f
    JOIN raw_units u ON u.code = f.unit_code
    WHERE u.province_code = $province
      AND ($district IS NULL OR u.district_code = $district)
      AND ($unit IS NULL OR f.unit_code = $unit)
      AND f.item = $item
      AND make_date(f.year, f.month, 1) BETWEEN CAST($fin_start AS DATE) AND CAST($fin_end AS DATE)
),
final AS (
    SELECT
        CAST(coalesce(sum(m.actual_vnd), 0) AS DOUBLE) / 1e6 AS numerator,
        CAST(coalesce(sum(m.plan_vnd), 0) AS DOUBLE) / 1e6 AS denominator
    FROM m
)
SELECT * FROM final;
