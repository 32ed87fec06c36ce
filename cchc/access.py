"""Who may do what, where: roles, scopes of units, and the identity a read or a write is made under.

Roles are cumulative: each may do what the one before it may.

    viewer        reads the figures of the units in its scope
    officer       + enters the self-assessment facts of its units
    data_manager  + loads one-stop exports, uploads published results, undoes loads, reads the audit
                    trail of its scope
    admin         + manages accounts, reads the whole audit trail

A scope is the whole country (``*``), one or more provinces (``tinh:31``, ``tinh:cu-30``) or a list of
communes (``10633``, ``cu-10621``), in the keys of cchc.units (a bare code names the new unit when one
has it, ``cu-`` the old one). What a scope covers follows today's map and its history
(docs/access.md):
- a new province covers itself, its communes, and every unit of the old provinces merged into it
  (their history is its history);
- an old province covers itself and its old districts and communes (the old map only: after
  30/06/2025 they are the new province's);
- a commune covers itself and, for a new commune, its predecessors (old communes whose history it
  carries).

The check is made in cchc (``Identity.require`` / ``Identity.covers``) where data are read and written,
not only by the pages hiding widgets.
"""
from __future__ import annotations

import getpass
import re
from dataclasses import dataclass, field

from . import units

ROLES = ("viewer", "officer", "data_manager", "admin")
ROLE_LABELS = {"viewer": "Người xem", "officer": "Cán bộ nhập số liệu", "data_manager": "Quản lý dữ liệu",
               "admin": "Quản trị hệ thống"}
# action -> the least role that may do it
ACTIONS = {
    "read": "viewer",
    "enter_facts": "officer",
    "load": "data_manager",
    "undo_load": "data_manager",
    "upload_results": "data_manager",
    "read_audit": "data_manager",
    "manage_accounts": "admin",
}
ACTION_LABELS = {"read": "xem số liệu", "enter_facts": "nhập số liệu tự đánh giá", "load": "nạp dữ liệu",
                 "undo_load": "hoàn tác lần nạp", "upload_results": "tải lên kết quả công bố",
                 "read_audit": "xem nhật ký thay đổi", "manage_accounts": "quản lý tài khoản"}
COUNTRY = "*"
PROVINCE_PREFIX = "tinh:"
MAX_SCOPE_ITEMS = 500
_KEY = re.compile(r"^(cu-)?\d{2,5}$")


class AccessError(PermissionError):
    """A refusal, in Vietnamese, safe to show."""


@dataclass(frozen=True)
class Scope:
    """The units an account may see: ``country``, ``provinces`` (keys) or ``communes`` (keys)."""
    kind: str
    keys: tuple[str, ...] = ()

    @classmethod
    def parse(cls, items: list[str] | tuple[str, ...] | str) -> "Scope":
        """From the stored or typed form: ``*``; ``tinh:31 tinh:cu-30``; ``10633 cu-10621`` (spaces or
        commas). Mixed provinces and communes are refused."""
        if isinstance(items, str):
            items = [t for t in re.split(r"[\s,;]+", items) if t]
        items = [str(t).strip().lower() for t in items if str(t).strip()]
        if not items:
            raise AccessError("Phạm vi trống: ghi * (cả nước), tinh:<mã tỉnh> hoặc danh sách mã xã.")
        if len(items) > MAX_SCOPE_ITEMS:
            raise AccessError(f"Phạm vi có quá nhiều đơn vị ({len(items)}; tối đa {MAX_SCOPE_ITEMS}).")
        if items == [COUNTRY]:
            return cls("country")
        provinces = [t[len(PROVINCE_PREFIX):] for t in items if t.startswith(PROVINCE_PREFIX)]
        if provinces and len(provinces) != len(items):
            raise AccessError("Phạm vi chỉ gồm tỉnh (tinh:<mã>) hoặc chỉ gồm xã, không trộn lẫn; * là cả nước.")
        keys = provinces or items
        for k in keys:
            if not _KEY.match(k):
                raise AccessError(f"Mã đơn vị trong phạm vi không hợp lệ: {k[:40]!r}.")
        return cls("provinces" if provinces else "communes", tuple(sorted(set(keys))))

    def items(self) -> list[str]:
        """The stored form (parse reads it back)."""
        if self.kind == "country":
            return [COUNTRY]
        return [PROVINCE_PREFIX + k if self.kind == "provinces" else k for k in self.keys]

    def check(self, db) -> None:
        """Every key names a unit of the right level (AccessError otherwise)."""
        level = "province" if self.kind == "provinces" else "commune"
        for k in self.keys:
            try:
                u = units.resolve(db, k)
            except units.UnitError as e:
                raise AccessError(str(e)) from None
            if u.level != level:
                raise AccessError(f"{u.name} (mã {k}) không phải là "
                                  f"{'tỉnh, thành phố' if level == 'province' else 'xã, phường'}.")

    def label(self, db=None) -> str:
        if self.kind == "country":
            return "Cả nước"
        names = []
        for k in self.keys:
            try:
                names.append(units.resolve(db, k).name if db is not None else k)
            except units.UnitError:
                names.append(k)
        return ", ".join(names)

    def covers(self, db, unit: units.Unit) -> bool:
        """Whether ``unit`` (its figures, at every level below it) lies inside this scope."""
        if self.kind == "country":
            return True
        mine = [u for u in (_resolve(db, k) for k in self.keys) if u is not None]
        if self.kind == "provinces":
            return any(_province_covers(db, p, unit) for p in mine)
        return unit.level == "commune" and any(_commune_covers(db, c, unit) for c in mine)


def _resolve(db, key: str) -> units.Unit | None:
    """The unit a scope names; None when the data folder does not know it (it then covers nothing)."""
    try:
        return units.resolve(db, key)
    except units.UnitError:
        return None


def _old_province_successor(db, code: str) -> str | None:
    try:
        return units.get(db, units.OLD, code).successor_code
    except units.UnitError:
        return None


def _province_covers(db, p: units.Unit, u: units.Unit) -> bool:
    if p.map == u.map:
        return u.province == p.code
    if p.map == units.NEW:  # an old unit is its new province's history (provinces were merged whole)
        return _old_province_successor(db, u.province) == p.code
    return False           # an old province's scope stops on 30/06/2025


def _commune_covers(db, c: units.Unit, u: units.Unit) -> bool:
    if (c.map, c.code) == (u.map, u.code):
        return True
    return c.map == units.NEW and u.map == units.OLD and any(p.code == u.code for p in c.predecessors)


@dataclass(frozen=True)
class Identity:
    """Who is acting: a signed-in account, the machine's operator (CLI), or an anonymous reader."""
    username: str
    role: str
    scope: Scope
    via: str                      # local | oidc | cli | demo | public
    display_name: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def who(self) -> str:
        """The audit trail's name for it: ``local:lan.nguyen``, ``cli:root``, ``oidc:alice@tinh.gov.vn``."""
        return f"{self.via}:{self.username}"

    @property
    def anonymous(self) -> bool:
        return self.via in ("demo", "public")

    def may(self, action: str) -> bool:
        if self.anonymous and action != "read":
            return False
        return ROLES.index(self.role) >= ROLES.index(ACTIONS[action])

    def covers(self, db, unit: units.Unit) -> bool:
        return self.scope.covers(db, unit)

    def require(self, action: str, db=None, unit: units.Unit | None = None) -> None:
        """Raise AccessError (Vietnamese) unless this identity may do ``action`` on ``unit``."""
        if not self.may(action):
            if self.anonymous:
                raise AccessError(f"Cần đăng nhập để {ACTION_LABELS[action]}.")
            raise AccessError(f"Tài khoản {self.username} ({ROLE_LABELS[self.role]}) không có quyền "
                              f"{ACTION_LABELS[action]}.")
        if unit is not None and not self.covers(db, unit):
            raise AccessError(f"{unit.name} (mã {unit.key}) nằm ngoài phạm vi của tài khoản {self.username} "
                              f"({self.scope.label(db)}).")


def operator() -> Identity:
    """The machine's operator, as the CLI acts without --as: the whole scope, recorded as the
    operating-system user."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Identity(name, "admin", Scope("country"), "cli", name)


def system(task: str) -> Identity:
    """The product itself writing on nobody's behalf (the sample generator, the bundled published
    scores imported into an empty table): recorded as ``system:<task>``."""
    return Identity(task, "admin", Scope("country"), "system", "Hệ thống")


def anonymous(mode: str) -> Identity:
    """A reader without sign-in: ``demo`` (a sample data folder) or ``public`` (configured)."""
    return Identity(mode, "viewer", Scope("country"), mode, "Khách")


# --- reads: a Database that refuses rows outside the identity's scope -----------------------------------
# Queries that read no unit's figures, or only published ones (the 766 board is public on the national
# portal): anyone who may read may run them.
OPEN_QUERIES = frozenset({"data_range", "data_range_stats", "procedure_catalogue", "procedures_in_force", "unit_lookup",
                          "unit_partial_predecessors", "unit_predecessors", "units_all", "index_page_published",
                          "index_page_successor", "index_procedures_online"})
# Build queries run only by the rollup writer, never on behalf of a reader.
BUILD_QUERIES = frozenset({"build_dossier_daily", "build_rating_daily"})


def allowed_sets(db, scope: Scope) -> dict[str, set[str]]:
    """The codes a scope may read, per map and level, as the in_scope macro's lists name them."""
    out = {"new_provinces": set(), "old_provinces": set(), "new_units": set(), "old_units": set()}
    for k in scope.keys:
        u = _resolve(db, k)
        if u is None:
            continue
        if scope.kind == "provinces":
            if u.map == units.NEW:
                out["new_provinces"].add(u.code)
                out["old_provinces"] |= {p.province for p in u.predecessors}
            else:
                out["old_provinces"].add(u.code)
        else:
            (out["new_units"] if u.map == units.NEW else out["old_units"]).add(u.code)
            out["old_units"] |= {p.code for p in u.predecessors}
    return out


def scope_allowed(db, scope: Scope, bound: dict, allowed: dict[str, set[str]] | None = None) -> bool:
    """Whether the rows a query's ``$scope`` (cchc.units.Unit.scope) selects all lie inside ``scope``
    (``allowed``: its allowed_sets, when the caller keeps them)."""
    if scope.kind == "country":
        return True
    allowed = allowed if allowed is not None else allowed_sets(db, scope)
    if scope.kind == "provinces":
        return (set(bound.get("new_provinces") or ()) <= allowed["new_provinces"]
                and set(bound.get("old_provinces") or ()) <= allowed["old_provinces"])
    new_units, old_units = bound.get("new_units"), bound.get("old_units")
    if bound.get("new_provinces") and new_units is None:   # a whole new province
        return False
    if bound.get("old_provinces") and old_units is None:   # a whole old province or district
        return False
    return set(new_units or ()) <= allowed["new_units"] and set(old_units or ()) <= allowed["old_units"]


class Guarded:
    """A Database (or the app's cached one) seen by one identity: ``run`` refuses, with AccessError,
    a query whose rows reach outside the identity's scope. This is where a scope is enforced for
    reads; the pages only decide what to ask."""

    def __init__(self, db, identity: Identity):
        self.inner, self.identity = db, identity
        self.root = getattr(db, "root", None)
        self._allowed: dict[str, set[str]] | None = None   # the scope's codes, looked up once per instance

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def run(self, name: str, **params):
        self.check(name, params)
        return self.inner.run(name, **params)

    def check(self, name: str, params: dict) -> None:
        ident = self.identity
        ident.require("read")
        if name in OPEN_QUERIES or ident.scope.kind == "country":
            return
        if name in BUILD_QUERIES:
            raise AccessError("Chỉ tiến trình tổng hợp dữ liệu được chạy truy vấn này.")
        if "scope" in params:
            if self._allowed is None:
                self._allowed = allowed_sets(self.inner, ident.scope)
            if not scope_allowed(self.inner, ident.scope, params["scope"], self._allowed):
                raise AccessError(f"Số liệu này nằm ngoài phạm vi của tài khoản {ident.username} "
                                  f"({ident.scope.label(self.inner)}).")
            return
        if "unit" in params:  # the self-assessment facts of one unit in one year (the map of that year)
            code, year = str(params["unit"]), params.get("year")
            map_ = units.map_of_year(int(year)) if year is not None else units.NEW
            try:
                u = units.get(self.inner, map_, code)
            except units.UnitError:
                return  # no such unit: the query returns nothing
            ident.require("read", self.inner, u)
            return
        raise AccessError(f"Truy vấn {name} không gắn với đơn vị nào: chỉ tài khoản phạm vi cả nước được chạy.")

    def sql(self, text: str, **params):
        if self.identity.scope.kind != "country":
            raise AccessError("Truy vấn tự do chỉ dành cho tài khoản phạm vi cả nước.")
        return self.inner.sql(text, **params)
