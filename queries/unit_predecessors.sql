-- The old units of level $level whose history the new unit $code carries (successor_code): a new
-- commune's old communes, a new province's old provinces.
SELECT code, name, level, province_code, district_code, divided_into
FROM raw_units
WHERE map = 'old' AND level = $level AND successor_code = $code
ORDER BY code;
