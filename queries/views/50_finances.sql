-- A budget month (p_year, p_month) that overlaps [p_start, p_end] (its first day from the month of
-- p_start to p_end; the budget months of a period: cchc.kpis.finance_months).
CREATE MACRO budget_month_in(p_year, p_month, p_start, p_end) AS
    make_date(p_year, p_month, 1) BETWEEN date_trunc('month', CAST(p_start AS DATE)) AND CAST(p_end AS DATE);

-- The monthly finance rows of one unit over the months that overlap [p_start, p_end]: the province
-- p_province, narrowed to district p_district and/or commune p_unit when not NULL (finances are
-- kept per commune; the unit's district comes from the units table), with the commune's district.
CREATE MACRO finances_for(p_province, p_district, p_unit, p_start, p_end) AS TABLE
SELECT f.*, u.district_code
FROM raw_finances f
JOIN raw_units u ON u.code = f.unit_code
WHERE u.province_code = p_province
  AND in_scope(p_district, p_unit, u.district_code, f.unit_code)
  AND budget_month_in(f.year, f.month, p_start, p_end);
