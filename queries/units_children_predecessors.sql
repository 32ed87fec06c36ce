-- The old units whose history the new children of level $level within $scope carry (their
-- successor_code), all at once: a new province's communes and their old communes.
SELECT o.successor_code, o.code, o.name, o.level, o.province_code, o.district_code, o.divided_into
FROM raw_units AS o
JOIN units_of_level($level, $scope) AS u ON u.code = o.successor_code
WHERE o.map = 'old' AND o.level = $level
ORDER BY o.successor_code, o.code;
