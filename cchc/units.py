"""Administrative units of both maps, and the scope of rows a unit's figures are made of.

Until 30/06/2025 Vietnam had 63 provinces, their districts and communes (map OLD); from 01/07/2025
it has 34 provinces and 3.321 communes and no district level (map NEW; Nghị quyết 202/2025/QH15).
Both are in the units table (cchc/reference/units.csv, built by cchc/reference/build_units.py;
docs/units.md). A unit is (map, code): a new commune often keeps a predecessor's code (new 10633 Xã
Trần Phú ≠ old 10633 Xã Trần Phú), so nothing here or in the queries takes a code alone.

    u = resolve(db, "10633")            # the new Xã Trần Phú (a code of both maps: the new unit)
    u = resolve(db, "cu-10633")         # the old Xã Trần Phú (cũ)
    u = resolve(db, "10621")            # the old Xã Quốc Tuấn (a code of the old map only)
    db.run("dossier_kpis", **u.scope, start=…, end=…)

Rows belong to the map in force on their day (a dossier's receipt, a rating's day, a month, the 31/12
of a fact's year). A new unit's figures are its own rows from 01/07/2025 and, before that, the rows
of its predecessors (old units whose history is attributed to it: successor_code), for any period,
so a year that spans the change adds both up. An old unit's figures are its own rows of the old map;
a period after its end has none (`ended_before`), and a period that spans its end is cut at it.

Keys (URL ?unit=, CLI --unit): a new unit's code; an old unit's code when no new unit reuses it
(10621, 291, 30), else "cu-" + code (cu-10633, cu-31).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

OLD, NEW = "old", "new"
MAP_CHANGE = date(2025, 7, 1)   # first day of the new map (NQ 202/2025/QH15, NQ 1656…1680/NQ-UBTVQH15)
OLD_END = MAP_CHANGE - timedelta(days=1)
OLD_PREFIX = "cu-"
MAP_NAMES = {OLD: "trước 01/07/2025 (63 tỉnh, cấp huyện)", NEW: "từ 01/07/2025 (34 tỉnh, không cấp huyện)"}
LEVEL_NAMES = {"province": "tỉnh", "district": "huyện", "commune": "xã"}


def map_on(day: date) -> str:
    """The map in force on a day (a row belongs to the map of its day)."""
    return OLD if day < MAP_CHANGE else NEW


def map_of_year(year: int) -> str:
    """The map a year's self-reported facts belong to: the one in force on its 31/12."""
    return map_on(date(year, 12, 31))


class UnitError(ValueError):
    """Unknown or unusable unit code (message in Vietnamese)."""


@dataclass(frozen=True)
class Predecessor:
    """An old unit whose history a new unit carries."""
    code: str
    name: str
    level: str
    province: str
    district: str | None
    divided_into: tuple[str, ...] = ()   # the new communes that received part of it (divided commune)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str  # province | district | commune
    province: str
    district: str | None
    parent_name: str | None = None
    province_name: str | None = None
    map: str = OLD
    valid_from: date | None = None
    valid_to: date | None = None
    successor_code: str | None = None         # old units: the new unit its history is attributed to
    successor_name: str | None = None
    successor_province_name: str | None = None
    reused: bool = False                       # old unit whose code a new unit of the same level reuses
    predecessors: tuple[Predecessor, ...] = field(default=(), compare=False)
    partial_from: tuple[str, ...] = field(default=(), compare=False)  # divided old communes it got part of

    @property
    def key(self) -> str:
        """The text that names this unit in a URL or on the command line (resolve reads it back)."""
        return OLD_PREFIX + self.code if self.map == OLD and self.reused else self.code

    @property
    def is_old(self) -> bool:
        return self.map == OLD

    @property
    def provinces(self) -> list[str]:
        """The province partitions its rows are in (both maps)."""
        return sorted({self.province, *(p.province for p in self.predecessors)})

    @property
    def scope(self) -> dict:
        """Query parameters selecting this unit's rows: `scope` for the in_scope macro of
        queries/views/10_units.sql (lists of codes per map and the day the maps change) and `provinces`,
        the partitions to read."""
        if self.map == OLD:
            s = {"old_provinces": [self.province],
                 "old_districts": [self.district] if self.level in ("district", "commune") else None,
                 "old_units": [self.code] if self.level == "commune" else None,
                 "new_provinces": [], "new_units": None}
        elif self.level == "province":
            s = {"old_provinces": sorted({p.province for p in self.predecessors}), "old_districts": None,
                 "old_units": None, "new_provinces": [self.code], "new_units": None}
        else:
            s = {"old_provinces": sorted({p.province for p in self.predecessors}), "old_districts": None,
                 "old_units": sorted(p.code for p in self.predecessors),
                 "new_provinces": [self.province], "new_units": [self.code]}
        # the range of the commune codes narrowed to (the whole range when not narrowed): a plain
        # comparison DuckDB pushes into the Parquet scan, skipping row groups of other communes
        # (the files are sorted by unit code), where in_scope's lists are checked row by row
        codes = [*(s["old_units"] or []), *(s["new_units"] or [])]
        narrowed = s["old_units"] is not None or s["new_units"] is not None
        lo, hi = (min(codes), max(codes)) if narrowed and codes else ("", "~")
        district = (s["old_districts"] or [None])[0] if len(s["old_districts"] or []) == 1 else None
        return {"scope": {"map": self.map, "change": MAP_CHANGE, **s, "unit_lo": lo, "unit_hi": hi,
                          "district": district},
                "provinces": self.provinces}

    @property
    def cutoff_day(self) -> int:
        """The day of the month the unit's province closes its official reporting periods."""
        from . import coverage
        return coverage.cutoff_day(self.map, self.province)

    @property
    def full_name(self) -> str:
        if self.level == "commune" and self.parent_name:
            return f"{self.name}, {self.parent_name}"
        return self.name

    @property
    def divided(self) -> tuple[Predecessor, ...]:
        """Predecessors divided among several new communes: this unit's history before 01/07/2025 is
        approximate (it carries all of such a commune's history, or none of a part it received)."""
        return tuple(p for p in self.predecessors if p.divided_into)

    @property
    def approximate_note(self) -> str | None:
        """Why figures before 01/07/2025 are approximate, or None."""
        if self.map != NEW or not (self.divided or self.partial_from):
            return None
        parts = []
        if self.divided:
            parts.append(f"{', '.join(p.name for p in self.divided)} được chia cho nhiều đơn vị mới, toàn bộ số liệu "
                         f"của đơn vị cũ được tính cho {self.name}")
        if self.partial_from:
            parts.append(f"{self.name} nhận một phần của {', '.join(self.partial_from)} nhưng số liệu của các đơn vị "
                         "cũ này được tính cho đơn vị kế thừa chính")
        return "Số liệu trước 01/07/2025 là gần đúng: " + "; ".join(parts) + " (theo danh mục sắp xếp đơn vị hành chính)."

    def ended_before(self, day: date) -> bool:
        """True when the unit no longer existed on `day` (an old unit after 30/06/2025)."""
        return self.valid_to is not None and day > self.valid_to

    def label(self) -> str:
        """Its name, saying which map it belongs to when it is an old unit:
        "Xã Quốc Tuấn (cũ, nay thuộc Xã Trần Phú, Thành phố Hải Phòng)"."""
        if self.map == NEW:
            return self.full_name
        if self.successor_name:
            where = self.successor_name
            if self.level == "commune" and self.successor_province_name:
                where += f", {self.successor_province_name}"
            return f"{self.full_name} (cũ, nay thuộc {where})"
        return f"{self.full_name} (cũ, đến 30/06/2025)"

    def gone_message(self) -> str:
        """What an old unit over a period after its end says."""
        succ = f"; nay thuộc {self.successor_name} (mã {self.successor_code})" if self.successor_code else ""
        return (f"{self.name} không còn tồn tại sau {self.valid_to:%d/%m/%Y} (sắp xếp đơn vị hành chính "
                f"01/07/2025){succ}.")


def parse_key(text: str) -> tuple[str | None, str]:
    """(map or None, code) from a key typed or linked: "cu-10633" -> (OLD, "10633"); "10633" -> (None, "10633")."""
    t = (text or "").strip()
    if t.lower().startswith(OLD_PREFIX):
        return OLD, t[len(OLD_PREFIX):]
    return None, t


def resolve(db, text: str) -> Unit:
    """The unit a key names (see the module doc); UnitError in Vietnamese otherwise."""
    map_, code = parse_key(text)
    if not code.isdigit() or len(code) not in (2, 3, 5):
        raise UnitError(f"Mã đơn vị không hợp lệ: {text!r}. Mã theo danh mục TCTK: tỉnh 2 chữ số, huyện 3, xã 5 "
                        "(ví dụ 31, 291, 10633); đơn vị cũ trùng mã với đơn vị mới: thêm «cu-» (cu-10633).")
    rows = db.run("unit_lookup", code=code).to_dicts()
    if map_:
        rows = [r for r in rows if r["map"] == map_]
    if not rows:
        raise UnitError(f"Không có đơn vị mã {text} trong dữ liệu.")
    return from_row(db, next((r for r in rows if r["map"] == NEW), rows[0]))


def get(db, map_: str, code: str) -> Unit:
    """The unit (map_, code); UnitError when there is none."""
    rows = [r for r in db.run("unit_lookup", code=code).to_dicts() if r["map"] == map_]
    if not rows:
        raise UnitError(f"Không có đơn vị mã {code} ({'cũ' if map_ == OLD else 'mới'}) trong dữ liệu.")
    return from_row(db, rows[0])


def children(db, scope: Unit, level: str) -> list[Unit]:
    """The units of level ``level`` within ``scope``, of its map (an old district's communes, an old
    province's districts or communes, a new province's communes), with their predecessors."""
    rows = db.run("units_children", **scope.scope, level=level).to_dicts()
    preds: dict[str, list[dict]] = {}
    if scope.map == NEW:
        for p in db.run("units_children_predecessors", **scope.scope, level=level).to_dicts():
            preds.setdefault(p["successor_code"], []).append(p)
    return [_unit(r, preds.get(r["code"], [])) for r in rows]


def _unit(r: dict, preds: list[dict]) -> Unit:
    return Unit(code=r["code"], name=r["name"], level=r["level"], province=r["province_code"],
                district=r["district_code"], parent_name=r.get("parent_name"), province_name=r.get("province_name"),
                map=r["map"], valid_from=r.get("valid_from"), valid_to=r.get("valid_to"),
                successor_code=r.get("successor_code"), successor_name=r.get("successor_name"),
                successor_province_name=r.get("successor_province_name"), reused=bool(r.get("reused")),
                predecessors=tuple(Predecessor(p["code"], p["name"], p["level"], p["province_code"], p["district_code"],
                                               tuple(x for x in (p["divided_into"] or "").split(";") if x))
                                   for p in preds))


def from_row(db, r: dict) -> Unit:
    """A Unit from a row of unit_lookup / units_of (with its predecessors for a new unit)."""
    if r["map"] != NEW:
        return _unit(r, [])
    preds = db.run("unit_predecessors", code=r["code"], level=r["level"]).to_dicts()
    partial = db.run("unit_partial_predecessors", code=r["code"]).to_dicts() if r["level"] == "commune" else []
    return replace(_unit(r, preds), partial_from=tuple(p["name"] for p in partial))
