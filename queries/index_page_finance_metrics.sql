-- The public-finance scoring metric finance_rate (actual / plan in triệu đồng, per item), as
-- queries/index_finance_rate.sql computes it, for several periods at once and optionally per child
-- unit, for the index page's score trend and ranking. The budget months of bucket i run from
-- $fin_starts[i + 1] to $fin_ends[i + 1] (first days of months; cchc.kpis.finance_months);
-- $child = 'commune' | 'district' | NULL. One row per bucket, child and item (items without rows
-- are absent: actual and plan 0, no data).
WITH buckets AS (
    SELECT CAST(i AS INTEGER) AS bucket,
           CAST($fin_starts[i + 1] AS DATE) AS f_start,
           CAST($fin_ends[i + 1] AS DATE) AS f_end
    FROM range(len($fin_starts)) t(i)
),
m AS (
    SELECT b.bucket,
           CASE
               WHEN $child IS NOT NULL THEN child_of($scope, $child, u.district_code, f.unit_code, budget_month_day(f.year, f.month))
           END AS child_code,
           f.item, f.plan_vnd, f.actual_vnd
    FROM raw_finances f
    JOIN raw_units u ON u.code = f.unit_code AND u.map = map_on(budget_month_day(f.year, f.month), struct_extract($scope, 'change'))
    JOIN buckets b ON budget_month_in(f.year, f.month, b.f_start, b.f_end)
    WHERE in_scope($scope, u.province_code, u.district_code, f.unit_code, budget_month_day(f.year, f.month))
),
final AS (
    SELECT bucket, child_code, item,
           CAST(coalesce(sum(actual_vnd), 0) AS DOUBLE) / 1e6 AS numerator,
           CAST(coalesce(sum(plan_vnd), 0) AS DOUBLE) / 1e6 AS denominator
    FROM m
    GROUP BY ALL
)
SELECT * FROM final ORDER BY bucket, child_code, item;
