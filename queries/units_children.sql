-- The units of level $level within the scope $scope, of its map, with their parent's and
-- province's names (the children a ranking or an index page lists).
SELECT s.map, s.code, s.name, s.type, s.level, s.parent_code, s.province_code, s.district_code, s.valid_from,
       s.valid_to, s.successor_code, s.parent_name, s.province_name, s.successor_name, s.successor_province_name,
       s.reused
FROM units_of_level($level, $scope) AS u
JOIN stg_units AS s ON s.map = u.map AND s.code = u.code
ORDER BY s.code;
