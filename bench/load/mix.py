"""What the load test's readers open (bench/load/locustfile.py): the mix of units, pages and periods,
and the units of a data folder. Kept apart from the locustfile so that run.py can read the data's
units without importing Locust (which monkey-patches the standard library with gevent)."""
from __future__ import annotations

# Who opens what: the weight of each kind of unit, and of each page (a deep link's path).
# The chair of a commune before a meeting opens its commune (new map); the history of an old commune,
# a province and an old district are rarer.
UNIT_MIX = {"new_commune": 60, "old_commune": 20, "province": 12, "district": 8}
PAGE_MIX = {"tong-quan": 70, "ho-so": 15, "bieu-06": 15}
# Periods (from, to) of each map: the new map starts on 01/07/2025; the sample's data end on 30/11/2026.
PERIODS = {
    "new": [("2025-07-01", "2025-12-31"), ("2026-01-01", "2026-11-30"), ("2025-07-01", "2026-06-30"),
            ("2026-07-01", "2026-11-30")],
    "old": [("2022-12-10", "2023-12-09"), ("2023-01-01", "2023-12-31"), ("2024-01-01", "2024-12-31"),
            ("2021-01-01", "2021-12-31"), ("2025-01-01", "2025-06-30")],
}


def units_of(data_dir: str | None) -> dict[str, list[list[str]]]:
    """The data's units by kind (the keys of UNIT_MIX), each as [URL key, map]."""
    from cchc.db import Database
    from cchc.ui.state import new_codes, unit_key_of

    db = Database(data_dir)
    try:
        u = db.run("units_all")
    finally:
        db.con.close()
    new = new_codes(u)
    out: dict[str, list[list[str]]] = {k: [] for k in UNIT_MIX}
    for row in u.iter_rows(named=True):
        key = unit_key_of(row, new)
        if row["level"] in ("province", "district"):
            out[row["level"]].append([key, row["map"]])
        elif row["level"] == "commune":
            out["new_commune" if row["map"] == "new" else "old_commune"].append([key, row["map"]])
    return out
