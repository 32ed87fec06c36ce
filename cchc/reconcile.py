"""Reconcile a written report with the data: the figures a report states (typed in a form, or
pasted as "label: number" lines) confirmed or contradicted by the unit's figures of the period, with
the difference in words, and the report checked against itself.

    stated, problems = parse_text(text, fields)    # Statement per recognised line; messages for the rest
    stated += [statement(key, "3.262")]            # a form's field (Vietnamese number)
    data = data_values(db, unit, period)           # the same items from the data (cchc.kpis, cchc.facts)
    results = compare(stated, data)                # Result per statement: confirmed or not, why
    issues = consistency(stated)                   # the report's own figures against each other

Labels are the metric catalogue's (cchc/metrics.toml) and the annual facts' (cchc/reference/facts.csv).
A line naming one of the data's fields
("+ Hộ tịch: 719 hồ sơ") states that field's received dossiers; the fields must add up to the total.
A rate may be written as two counts ("3210/3241"): it is then compared exactly. Numbers are read the Vietnamese way
(3.262; 99,97 %) and also with a decimal point where that cannot be a thousands separator (99.04 %);
money as "12 tỷ 951 triệu đồng", "12.951 triệu đồng" or a bare number of triệu đồng. Pasted text is
bounded (MAX_CHARS, MAX_LINES, MAX_LINE) and read once, line by line, with regular expressions that
do not backtrack. Every message is plain text: whoever shows it escapes it (cchc.fmt.md) or shows it
as text. No Streamlit here.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from . import facts, fmt, metrics
from .db import Database
from .kpis import Unit
from .periods import Period

MAX_CHARS = 20_000
MAX_LINES = 300
MAX_LINE = 300
SHOWN = 60  # characters of a refused line quoted back

COUNT, RATE, MONEY, PEOPLE = "count", "rate", "money", "people"
# The share of resolved dossiers whose procedure is offered online (the catalogue's
# online_capable_rate): the "dịch vụ công trực tuyến mức độ 3 và 4" figure reports give (the seed:
# 3.258/3.258 = 100 %).
ONLINE_CAPABLE = "online_capable_rate"
# A field's received dossiers ("Hộ tịch: 719 hồ sơ"): item keys "field:<name>", for the fields the
# data have in the period (field_item).
FIELD = "field:"


@dataclass(frozen=True)
class Item:
    key: str
    kind: str  # count | rate | money | people
    section: str
    aliases: tuple[str, ...]  # how reports name it (matched without accents, case or punctuation)

    @property
    def label(self) -> str:
        if self.key.startswith(FIELD):
            return f"{metrics.label('received_total')}, lĩnh vực {self.aliases[0]}"
        if self.kind == PEOPLE:
            name = facts.indicators()[self.key].name.removeprefix("Trong đó: ")
            return name[0].upper() + name[1:]
        cat = metrics.catalogue()
        if self.key in cat:
            return cat.label(self.key)
        return cat.count_label(self.key)

    @property
    def unit(self) -> str:
        """The catalogue's unit for a KPI of it (hồ sơ, phiếu, phản ánh); a count that is no KPI is
        counted in its section's unit."""
        if self.kind == COUNT and self.key in metrics.catalogue():
            return metrics.get(self.key).unit
        if self.kind == COUNT and self.section == SATISFACTION:
            return metrics.get("ratings_total").unit
        return {COUNT: "hồ sơ", RATE: "%", MONEY: "triệu đồng", PEOPLE: "người"}[self.kind]


DOSSIERS, DIGITAL, SATISFACTION, BUDGET, STAFF = ("Hồ sơ TTHC", "Số hóa, trực tuyến", "Hài lòng, phản ánh",
                                                  "Tài chính công", "Biên chế")
ITEMS: list[Item] = [
    Item("received_total", COUNT, DOSSIERS, ("(3)", "tiếp nhận", "hồ sơ tiếp nhận", "tổng số hồ sơ tiếp nhận",
                                             "nhận giải quyết", "số hồ sơ nhận giải quyết", "tổng số hồ sơ")),
    Item("received_new", COUNT, DOSSIERS, ("(4)+(5)", "mới tiếp nhận", "hồ sơ mới tiếp nhận", "tiếp nhận mới",
                                           "mới tiếp nhận trong kỳ")),
    Item("carried_over", COUNT, DOSSIERS, ("(6)", "từ kỳ trước", "kỳ trước chuyển sang", "tồn kỳ trước",
                                           "từ kỳ trước chuyển sang")),
    Item("resolved_total", COUNT, DOSSIERS, ("(7)", "giải quyết", "đã giải quyết", "hồ sơ đã giải quyết",
                                             "số hồ sơ đã giải quyết", "đã giải quyết xong")),
    Item("resolved_early", COUNT, DOSSIERS, ("(8)", "trước hạn", "giải quyết trước hạn")),
    Item("resolved_on_time", COUNT, DOSSIERS, ("(9)", "đúng hạn", "giải quyết đúng hạn")),
    Item("resolved_in_time", COUNT, DOSSIERS, ("(8)+(9)", "trước hạn, đúng hạn", "trước hạn và đúng hạn",
                                               "đúng hạn và trước hạn", "đúng và trước hạn", "trước và đúng hạn",
                                               "đúng, trước hạn", "đúng hạn, trước hạn")),
    Item("resolved_late", COUNT, DOSSIERS, ("(10)", "quá hạn", "trễ hẹn", "trễ hạn", "giải quyết quá hạn",
                                            "hồ sơ trễ hẹn", "hồ sơ quá hạn")),
    Item("on_time_rate", RATE, DOSSIERS, ("đúng hạn", "trước hạn, đúng hạn", "đúng và trước hạn",
                                          "tỷ lệ đúng hạn", "tỷ lệ giải quyết đúng hạn", "tỷ lệ trước hạn, đúng hạn",
                                          "tỷ lệ giải quyết trước hạn, đúng hạn", "tỷ lệ đúng và trước hạn",
                                          "tỷ lệ giải quyết đúng và trước hạn")),
    Item("pending_total", COUNT, DOSSIERS, ("(11)", "đang giải quyết", "hồ sơ đang giải quyết",
                                            "đang trong thời gian giải quyết", "đang xử lý", "chưa giải quyết")),
    Item("digitised_input", COUNT, DIGITAL, ("số hóa thành phần hồ sơ", "số hóa hồ sơ", "số hóa khi tiếp nhận",
                                             "hồ sơ được số hóa", "số hóa hồ sơ khi tiếp nhận")),
    Item("digitised_input_rate", RATE, DIGITAL, ("số hóa thành phần hồ sơ", "số hóa hồ sơ", "số hóa khi tiếp nhận",
                                                 "tỷ lệ số hóa thành phần hồ sơ", "tỷ lệ số hóa hồ sơ",
                                                 "số hóa hồ sơ khi tiếp nhận")),
    Item("digitised_result", COUNT, DIGITAL, ("số hóa kết quả", "kết quả số hóa", "kết quả điện tử",
                                              "số hóa kết quả giải quyết")),
    Item("digitised_result_rate", RATE, DIGITAL, ("số hóa kết quả", "tỷ lệ số hóa kết quả", "kết quả điện tử",
                                                  "số hóa kết quả giải quyết", "tỷ lệ số hóa kết quả giải quyết")),
    Item("received_online", COUNT, DIGITAL, ("(4)", "trực tuyến", "tiếp nhận trực tuyến", "nộp trực tuyến",
                                             "mới tiếp nhận trực tuyến", "hồ sơ trực tuyến")),
    Item("online_rate", RATE, DIGITAL, ("trực tuyến", "tiếp nhận trực tuyến", "nộp trực tuyến",
                                        "tỷ lệ tiếp nhận trực tuyến", "tỷ lệ trực tuyến", "tỷ lệ nộp trực tuyến")),
    Item(ONLINE_CAPABLE, RATE, DIGITAL, ("dịch vụ công trực tuyến", "dvc trực tuyến", "dvctt", "mức độ 3 và 4",
                                         "mức độ 3, 4", "dịch vụ công trực tuyến mức độ 3 và 4",
                                         "dịch vụ công trực tuyến mức độ 3, 4")),
    Item("ratings_total", COUNT, SATISFACTION, ("phiếu", "phiếu đánh giá", "số phiếu", "số phiếu đánh giá",
                                                "phiếu lấy ý kiến")),
    Item("ratings_satisfied", COUNT, SATISFACTION, ("phiếu hài lòng", "phiếu đánh giá tốt", "phiếu đánh giá hài lòng",
                                                    "phiếu đánh giá mức độ tốt", "đánh giá mức độ tốt", "mức độ tốt",
                                                    "hài lòng")),
    Item("satisfaction_rate", RATE, SATISFACTION, ("hài lòng", "tỷ lệ hài lòng", "mức độ hài lòng",
                                                   "tỷ lệ phiếu hài lòng")),
    Item("feedback_total", COUNT, SATISFACTION, ("phản ánh", "kiến nghị", "phản ánh, kiến nghị",
                                                 "phản ánh kiến nghị", "số phản ánh, kiến nghị")),
    Item("revenue_actual", MONEY, BUDGET, ("thu ngân sách", "thu ngân sách thực hiện", "thu ngân sách đạt",
                                           "thực hiện thu ngân sách")),
    Item("revenue_plan", MONEY, BUDGET, ("dự toán thu", "dự toán thu ngân sách", "kế hoạch thu",
                                         "kế hoạch thu ngân sách")),
    Item("revenue_rate", RATE, BUDGET, ("thu ngân sách", "tỷ lệ thu ngân sách", "thu ngân sách so với dự toán",
                                        "thu ngân sách đạt")),
    Item("expenditure_actual", MONEY, BUDGET, ("chi ngân sách", "chi ngân sách thực hiện", "chi ngân sách đạt",
                                               "thực hiện chi ngân sách")),
    Item("expenditure_plan", MONEY, BUDGET, ("dự toán chi", "dự toán chi ngân sách", "kế hoạch chi",
                                             "kế hoạch chi ngân sách")),
    Item("expenditure_rate", RATE, BUDGET, ("chi ngân sách", "tỷ lệ chi ngân sách", "chi ngân sách so với dự toán",
                                            "chi ngân sách đạt")),
    Item("disbursement_actual", MONEY, BUDGET, ("giải ngân", "đã giải ngân", "vốn đầu tư công đã giải ngân",
                                                "giải ngân vốn đầu tư công", "vốn đã giải ngân")),
    Item("disbursement_plan", MONEY, BUDGET, ("kế hoạch giải ngân", "kế hoạch vốn đầu tư công",
                                              "kế hoạch giải ngân vốn đầu tư công", "kế hoạch vốn",
                                              "vốn đầu tư công được giao", "kế hoạch đầu tư công")),
    Item("disbursement_rate", RATE, BUDGET, ("giải ngân", "tỷ lệ giải ngân", "giải ngân vốn đầu tư công",
                                             "tỷ lệ giải ngân vốn đầu tư công")),
    Item("staff_quota", PEOPLE, STAFF, ("được giao", "biên chế", "biên chế được giao", "số lượng được giao",
                                        "số lượng người làm việc được giao", "cán bộ công chức được giao")),
    Item("staff_present", PEOPLE, STAFF, ("hiện có", "số lượng hiện có", "số lượng người làm việc hiện có",
                                          "cán bộ công chức hiện có", "số người hiện có")),
    Item("staff_officials", PEOPLE, STAFF, ("cán bộ", "số cán bộ", "trong đó cán bộ")),
    Item("staff_civil_servants", PEOPLE, STAFF, ("công chức", "số công chức", "trong đó công chức")),
    Item("staff_vacancies", PEOPLE, STAFF, ("thiếu", "còn thiếu", "số lượng thiếu", "số lượng người làm việc thiếu",
                                            "cán bộ công chức còn thiếu", "số người còn thiếu")),
]
BY_KEY = {i.key: i for i in ITEMS}


def field_item(name: str) -> Item:
    """The item of a field's received dossiers (Biểu 06 (3) of one field)."""
    return Item(FIELD + name, COUNT, DOSSIERS, (name,))


def item_of(key: str) -> Item:
    return field_item(key[len(FIELD):]) if key.startswith(FIELD) else BY_KEY[key]


# --- reading text ----------------------------------------------------------------------------------
def normalise(text: str) -> str:
    """Lower case, no accents (đ → d), punctuation other than ( ) + as spaces, single spaces."""
    t = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = re.sub(r"[^a-z0-9()+]+", " ", t)
    t = re.sub(r"\s*\+\s*", "+", t)
    return " ".join(t.split())


# Words every label may carry ("tổng số hồ sơ", "số lượng"): left out when labels are matched, so the
# words that tell the items apart decide ("số hồ sơ đã giải quyết đúng và trước hạn" is in time).
FILLER = {"so", "ho", "luong", "tong", "cac", "la", "trong do"}


def _key_words(text: str) -> str:
    return " ".join(w for w in normalise(text).split() if w not in FILLER)


_ALIASES = {i.key: sorted({_key_words(a) for a in (*i.aliases, i.label)}, key=len, reverse=True) for i in ITEMS}


def match(label: str, percent: bool | None = None) -> Item | None:
    """The item a report's label names: the one with the longest alias found in it (as whole words);
    with percent True only rates, False only the others (a '%' after the number says which); None
    when nothing matches."""
    lab = f" {_key_words(label)} "
    best: tuple[int, Item] | None = None
    for item in ITEMS:
        if percent is not None and (item.kind == RATE) != percent:
            continue
        for a in _ALIASES[item.key]:
            if a and f" {a} " in lab:
                if best is None or len(a) > best[0]:
                    best = (len(a), item)
                break  # aliases are longest first
    return best[1] if best else None


class NumberError(ValueError):
    """A figure that cannot be read; the message is Vietnamese."""


_NUMBER = re.compile(r"(?<![\w.,])[-−]?[0-9][0-9.,]{0,30}(?!\w)")  # a whole number token (not "1e309")
_PERCENT = re.compile(r"(?<![\w.,])([0-9][0-9.,]{0,30})\s{0,3}%")  # the number a '%' follows
_FRACTION = re.compile(r"(?<![\w.,])([0-9][0-9.,]{0,20})\s{0,3}/\s{0,3}([0-9][0-9.,]{0,20})(?![\w/])")  # 3210/3241
_MONEY_PART = re.compile(r"([0-9][0-9.,]{0,20})\s*(tỷ|ty|triệu|trieu|nghìn|nghin|ngàn|ngan|đồng|dong)?", re.IGNORECASE)
_SCALE = {"tỷ": 1e9, "ty": 1e9, "triệu": 1e6, "trieu": 1e6, "nghìn": 1e3, "nghin": 1e3, "ngàn": 1e3, "ngan": 1e3,
          "đồng": 1.0, "dong": 1.0}


def read_number(s: str, decimal_point: bool = False) -> tuple[float, int]:
    """A Vietnamese number: (value, decimals written). '3.262' → 3262; '99,97' → 99.97; '1.234,5' →
    1234.5; '99.04' → 99.04 (a single point not followed by exactly three digits is a decimal
    point; with decimal_point, e.g. for a rate, any single point is)."""
    s = s.strip().replace("−", "-").rstrip(".,")
    neg = s.startswith("-")
    s = s.lstrip("-")
    if not s or not re.fullmatch(r"[0-9][0-9.,]*", s):
        raise NumberError(f"“{s[:SHOWN]}” không phải là số")
    if "." in s and "," in s:
        dec, thou = (",", ".") if s.rfind(",") > s.rfind(".") else (".", ",")
        whole, _, frac = s.rpartition(dec)
        if thou in frac or not re.fullmatch(r"[0-9]{1,3}(\%s[0-9]{3})*" % thou, whole):
            raise NumberError(f"“{s[:SHOWN]}” không phải là số viết đúng cách")
        intpart = whole.replace(thou, "")
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        parts = s.split(sep)
        grouped = len(parts) > 2 or (len(parts[1]) == 3 and not (sep == "," or decimal_point))
        if grouped:
            if not all(len(p) == 3 for p in parts[1:]) or not 1 <= len(parts[0]) <= 3:
                raise NumberError(f"“{s[:SHOWN]}” không phải là số viết đúng cách")
            intpart, frac = "".join(parts), ""
        else:
            intpart, frac = parts
    else:
        intpart, frac = s, ""
    if not intpart or len(intpart) > 15 or not intpart.isdigit() or (frac and not frac.isdigit()):
        raise NumberError(f"“{s[:SHOWN]}” không phải là số viết đúng cách")
    v = float(f"{intpart}.{frac}" if frac else intpart)
    return (-v if neg else v), len(frac)


@dataclass(frozen=True)
class Statement:
    key: str
    value: float  # counts and people as numbers; a rate in percent (99.97); money in đồng
    tolerance: float  # how far the data may be and still be what was written (half its last digit)
    written: str  # as the report wrote it (shown back)
    source: str  # "dòng 3" or "ô nhập"
    fraction: tuple[float, float] | None = None  # a rate written as counts: 3210/3241

    @property
    def item(self) -> Item:
        return item_of(self.key)


def _money(text: str) -> tuple[float, float]:
    """'12 tỷ 951 triệu đồng' → (12_951_000_000, 500_000); a bare number is triệu đồng."""
    total, step, found = 0.0, None, False
    for m in _MONEY_PART.finditer(text[:MAX_LINE]):
        num, word = m.group(1), (m.group(2) or "").lower()
        scale = _SCALE.get(word, 1e6 if not found and not word else None)
        if scale is None:
            continue
        if word in ("đồng", "dong") and found:
            continue
        v, dec = read_number(num)
        total += v * scale
        step = scale / 10 ** dec if step is None else min(step, scale / 10 ** dec)
        found = True
        if not word:
            break
    if not found:
        raise NumberError("không thấy số tiền")
    return total, step / 2


def statement(key: str, text: str, source: str = "ô nhập") -> Statement:
    """A figure as typed for the item `key` (form field or the number part of a pasted line)."""
    item = item_of(key)
    text = text.strip()[:MAX_LINE]
    if item.kind == MONEY:
        value, tol = _money(text)
        return Statement(key, value, tol, text, source)
    if item.kind == RATE and not _PERCENT.search(text) and (f := _FRACTION.search(text)):
        (a, da), (b, db) = read_number(f.group(1)), read_number(f.group(2))
        if da or db or not b or a > b:
            raise NumberError(f"“{f.group(0)[:SHOWN]}” không phải là tỷ lệ giữa hai số hồ sơ")
        return Statement(key, a / b * 100, 1e-7, text, source, (a, b))
    m = _PERCENT.search(text) if item.kind == RATE else None
    m = m or _NUMBER.search(text)
    if not m:
        raise NumberError("không thấy con số")
    value, dec = read_number(m.group(m.lastindex or 0), decimal_point=item.kind == RATE)
    if item.kind != RATE and dec:
        raise NumberError("phải là số nguyên")
    if value < 0:
        raise NumberError("không thể là số âm")
    tol = 0.0 if item.kind != RATE else 0.5 / 10 ** dec
    return Statement(key, value, tol, text, source)


def match_field(label: str, fields: Iterable[str]) -> str | None:
    """The field a label names ("+ Hộ tịch", "Lĩnh vực Chứng thực"): the longest whose words it holds."""
    lab = f" {_key_words(label)} "
    found = [f for f in fields if _key_words(f) and f" {_key_words(f)} " in lab]
    return max(found, key=len) if found else None


def parse_text(text: str, fields: Iterable[str] = ()) -> tuple[list[Statement], list[str]]:
    """Pasted 'label: number' lines → statements, and a Vietnamese message for every line that is
    not one (or when the text is too long). A line naming none of ITEMS but one of `fields` (the
    data's fields) states that field's received dossiers. Bounded; each line read once."""
    fields = list(fields)
    out: list[Statement] = []
    msgs: list[str] = []
    if text is None:
        return out, msgs
    if len(text) > MAX_CHARS:
        msgs.append(f"Văn bản dài quá {fmt.number(MAX_CHARS)} ký tự: chỉ đọc {fmt.number(MAX_CHARS)} ký tự đầu.")
        text = text[:MAX_CHARS]
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        msgs.append(f"Văn bản có quá {fmt.number(MAX_LINES)} dòng: chỉ đọc {fmt.number(MAX_LINES)} dòng đầu.")
        lines = lines[:MAX_LINES]
    for n, raw in enumerate(lines, 1):
        line = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in raw).strip()
        if not line:
            continue
        shown = line if len(line) <= SHOWN else line[:SHOWN - 1] + "…"
        if len(line) > MAX_LINE:
            msgs.append(f"Dòng {n} dài quá {MAX_LINE} ký tự, bỏ qua: “{shown}”.")
            continue
        label, sep, value = line.rpartition(":") if ":" in line else line.rpartition("=")
        if not sep or not label.strip() or not value.strip():
            msgs.append(f"Dòng {n} không có dạng “tên chỉ tiêu: con số”, bỏ qua: “{shown}”.")
            continue
        label = label.strip().lstrip("+-–•* ").strip()
        item = match(label, percent="%" in value or bool(_FRACTION.search(value))) or match(label)
        if item is None and "%" not in value and (name := match_field(label, fields)):
            item = field_item(name)
        if item is None:
            msgs.append(f"Dòng {n}: không nhận ra chỉ tiêu “{label.strip()[:SHOWN]}”, bỏ qua.")
            continue
        if item.kind != RATE and "%" in value and not _NUMBER.search(_PERCENT.sub(" ", value)):
            msgs.append(f"Dòng {n} ({item.label}): chỉ tiêu này là một số, không phải tỷ lệ phần trăm, bỏ qua.")
            continue
        try:
            out.append(statement(item.key, value, f"dòng {n}"))
        except NumberError as e:
            msgs.append(f"Dòng {n} ({item.label}): {e}, bỏ qua.")
    return out, msgs


# --- the data's side ---------------------------------------------------------------------------------
def data_values(db: Database, unit: Unit, p: Period) -> dict[str, float | None]:
    """Every item from the data: the KPIs of the period (cchc.kpis through the catalogue; rates in
    percent, money in đồng) and the staff facts of the year the period ends in."""
    from . import kpis
    k = metrics.values(kpis.kpis(db, unit, p))
    out: dict[str, float | None] = {}
    for item in ITEMS:
        if item.kind == PEOPLE:
            continue
        if item.key in metrics.catalogue():
            v = metrics.get(item.key).value(k)
        else:  # a count of the catalogue that is no KPI of its own (e.g. resolved_in_time)
            c = next(c for c in metrics.catalogue().counts if c.key == item.key)
            v = k.get(item.key, sum(k.get(x) or 0 for x in c.sum) if c.sum else None)
        out[item.key] = None if v is None else (v * 100 if item.kind == RATE else v)
    out["_counts"] = k  # the counts behind the rates (explanations)
    for f in k.get("by_field") or []:
        out[FIELD + f["field"]] = f["received_total"]
    out["_fields"] = [f["field"] for f in k.get("by_field") or []]
    year = p.end.year
    if facts.own_year(unit, year):
        values = facts.commune_year(db, unit, year)["values"]
    else:
        values = {c: a["value"] for c, a in facts.scope_year(db, unit, year)["aggregate"].items()}
    for item in ITEMS:
        if item.kind == PEOPLE:
            out[item.key] = values.get(item.key)
    out["_facts_year"] = year
    return out


def shown_value(key: str, v: float | None) -> str:
    """A value as written on screen: 3.262; 99,97 %; 12.951 triệu đồng; 14 người."""
    item = item_of(key)
    if v is None:
        return fmt.DASH
    if item.kind == RATE:
        return fmt.percent(v / 100)
    if item.kind == MONEY:
        return fmt.million(v) if abs(v / 1e6 - round(v / 1e6)) < 1e-9 else fmt.million(v, 3)
    return f"{fmt.number(v)} {item.unit}"


def _stated_text(s: Statement) -> str:
    if s.fraction:
        return f"{fmt.number(s.fraction[0])}/{fmt.number(s.fraction[1])} ({fmt.percent(s.value / 100)})"
    if s.item.kind == RATE:
        dec = max(0, round(-math.log10(s.tolerance * 2))) if s.tolerance else 0
        return f"{fmt.number(s.value, dec)} %"
    return shown_value(s.key, s.value)


def agrees(s: Statement, data: float) -> bool:
    """The data give what the report wrote, to the precision written; 100 % and 0 % mean all and
    none, so a rate written so agrees only with exactly that."""
    if s.item.kind == RATE and s.value in (0.0, 100.0):
        return abs(data - s.value) < 1e-9
    return abs(data - s.value) <= s.tolerance + 1e-9 * max(1.0, abs(s.value))


# --- comparison ----------------------------------------------------------------------------------------
CONFIRMED, CONTRADICTED, NO_DATA = "khop", "lech", "khong_co"
VERDICT = {CONFIRMED: "Khớp", CONTRADICTED: "Không khớp", NO_DATA: "Không có số liệu"}
# A rate whose shortfall from 100 % the data name by a count: on time → resolved late.
SHORTFALL = {"on_time_rate": "resolved_late"}
FINANCE_RATES = {i.key for i in ITEMS if i.section == BUDGET and i.kind == RATE}


@dataclass(frozen=True)
class Result:
    statement: Statement
    data: float | None
    verdict: str
    text: str  # the difference in words

    @property
    def verdict_label(self) -> str:
        return VERDICT[self.verdict]


def _lower(s: str) -> str:
    return s[0].lower() + s[1:]


def _rate_detail(key: str, counts: dict) -> str:
    """' (3.257/3.258): 1 hồ sơ giải quyết quá hạn': the data's numerator and denominator, and the
    count that keeps a rate from 100 % where the catalogue has one (SHORTFALL)."""
    if key in metrics.catalogue() and metrics.get(key).is_rate:
        num, den = metrics.get(key).parts(counts)
    else:
        return ""
    if num is None or den is None:
        return ""
    money = key in FINANCE_RATES
    s = f" ({fmt.million(num) if money else fmt.number(num)} / {fmt.million(den) if money else fmt.number(den)})"
    short = SHORTFALL.get(key)
    if short and counts.get(short):
        s += f": {fmt.number(counts[short])} hồ sơ {_lower(metrics.label(short))}"
    return s


def _count_hint(s: Statement, data: dict) -> str:
    """When the written count is another item's figure in the data, or the gap is one: say so."""
    hints = []
    others = [i for i in ITEMS if i.kind == s.item.kind and i.key != s.key and i.section == s.item.section]
    same = [i for i in others if data.get(i.key) is not None and abs(data[i.key] - s.value) < 1e-9]
    if same:
        hints.append(f"{fmt.number(s.value)} là số {_lower(same[0].label)} trong dữ liệu")
    gap = abs((data.get(s.key) or 0) - s.value)
    equal_gap = [i for i in others if data.get(i.key) and abs(data[i.key] - gap) < 1e-9 and i not in same]
    if equal_gap and gap:
        hints.append(f"chênh lệch bằng số {_lower(equal_gap[0].label)} ({fmt.number(gap)})")
    return "; ".join(hints)


def compare(stated: Iterable[Statement], data: dict) -> list[Result]:
    out = []
    counts = data.get("_counts", {})
    for s in stated:
        v = data.get(s.key)
        written = _stated_text(s)
        if v is None:
            out.append(Result(s, None, NO_DATA, f"Báo cáo ghi {written}; dữ liệu không có số liệu này."))
            continue
        got = shown_value(s.key, v)
        if agrees(s, v):
            out.append(Result(s, v, CONFIRMED, f"Báo cáo ghi {written}, dữ liệu cho {got}: khớp."))
            continue
        text = f"Báo cáo ghi {written}, dữ liệu cho {got}"
        if s.item.kind == RATE:
            text += _rate_detail(s.key, counts)
        elif s.item.kind == MONEY:
            text += f" (chênh {fmt.million(abs(v - s.value), 3 if abs(v - s.value) % 1e6 else 0)})"
        else:
            diff = v - s.value
            text += f" (dữ liệu {'nhiều' if diff > 0 else 'ít'} hơn {fmt.number(abs(diff))})"
            hint = "" if s.key.startswith(FIELD) else _count_hint(s, data)
            if hint:
                text += f"; {hint}"
        out.append(Result(s, v, CONTRADICTED, text + "."))
    return out


# --- the report against itself ----------------------------------------------------------------------
@dataclass(frozen=True)
class Issue:
    check: str
    ok: bool
    text: str


# (whole, parts): the report's counts must add up (Biểu 06; the staff table).
SUMS = [
    ("received_total", ("received_new", "carried_over")),
    ("received_total", ("resolved_total", "pending_total")),
    ("resolved_total", ("resolved_in_time", "resolved_late")),
    ("resolved_total", ("resolved_early", "resolved_on_time", "resolved_late")),
    ("resolved_in_time", ("resolved_early", "resolved_on_time")),
    ("staff_present", ("staff_officials", "staff_civil_servants")),
    ("staff_quota", ("staff_present", "staff_vacancies")),
]
# rate = numerator / denominator among the report's own figures
RATIOS = [
    ("on_time_rate", "resolved_in_time", "resolved_total"),
    ("digitised_input_rate", "digitised_input", "received_new"),
    ("digitised_result_rate", "digitised_result", "resolved_total"),
    ("online_rate", "received_online", "received_new"),
    ("satisfaction_rate", "ratings_satisfied", "ratings_total"),
    ("revenue_rate", "revenue_actual", "revenue_plan"),
    ("expenditure_rate", "expenditure_actual", "expenditure_plan"),
    ("disbursement_rate", "disbursement_actual", "disbursement_plan"),
]


def _first(stated: list[Statement]) -> dict[str, Statement]:
    out: dict[str, Statement] = {}
    for s in stated:
        out.setdefault(s.key, s)
    return out


def consistency(stated: list[Statement]) -> list[Issue]:
    """The report's figures against each other: the same item written twice with different values,
    the sums of Biểu 06 and of the staff table (quota = present + vacancies, present = cán bộ + công
    chức), and each rate against its own numerator and denominator. Only checks whose figures were
    all given are made."""
    out: list[Issue] = []
    by: dict[str, list[Statement]] = {}
    for s in stated:
        by.setdefault(s.key, []).append(s)
    for key, ss in by.items():
        values = []
        for s in ss:
            if not any(abs(s.value - v.value) <= max(s.tolerance, v.tolerance) + 1e-9 for v in values):
                values.append(s)
        if len(values) > 1:
            out.append(Issue("twice", False, f"{item_of(key).label}: báo cáo ghi hai số khác nhau "
                                              f"({' và '.join(f'{_stated_text(v)} ở {v.source}' for v in values)})."))
    f = _first(stated)
    for whole, parts in SUMS:
        if whole not in f or any(p not in f for p in parts):
            continue
        total = sum(f[p].value for p in parts)
        w = f[whole].value
        unit = BY_KEY[whole].unit
        names = " + ".join(_lower(BY_KEY[p].label) for p in parts)
        figures = " + ".join(fmt.number(f[p].value) for p in parts)
        if abs(total - w) < 1e-9:
            out.append(Issue("sum", True, f"{BY_KEY[whole].label} = {names}: {fmt.number(w)} = {figures}."))
        else:
            out.append(Issue("sum", False,
                             f"{BY_KEY[whole].label} = {names}: báo cáo ghi {fmt.number(w)} {unit} nhưng "
                             f"{figures} = {fmt.number(total)} ({'thừa' if total > w else 'thiếu'} "
                             f"{fmt.number(abs(total - w))} so với {fmt.number(w)})."))
    parts = [s for key, s in f.items() if key.startswith(FIELD)]
    if len(parts) >= 2 and "received_total" in f:
        total, w = sum(s.value for s in parts), f["received_total"].value
        names = " + ".join(fmt.number(s.value) for s in parts)
        what = f"{BY_KEY['received_total'].label} theo lĩnh vực ({', '.join(s.item.aliases[0] for s in parts)})"
        out.append(Issue("fields", abs(total - w) < 1e-9,
                         f"{what}: {names} = {fmt.number(total)}" + (
                             f", khớp với tổng {fmt.number(w)}." if abs(total - w) < 1e-9 else
                             f", báo cáo ghi tổng {fmt.number(w)} ({'thừa' if total > w else 'thiếu'} "
                             f"{fmt.number(abs(total - w))}).")))
    for rate, num, den in RATIOS:
        if rate not in f or num not in f or den not in f or not f[den].value:
            continue
        r = f[num].value / f[den].value * 100
        ok = agrees(f[rate], r)
        what = (f"{BY_KEY[rate].label}: báo cáo ghi {_stated_text(f[rate])}, các số của chính báo cáo cho "
                f"{shown_value(num, f[num].value)} / {shown_value(den, f[den].value)} = {fmt.percent(r / 100)}")
        out.append(Issue("ratio", ok, what + (": khớp." if ok else ": không khớp.")))
    return out


def summary(results: list[Result], issues: list[Issue]) -> str:
    """'18 số khớp, 2 số không khớp với dữ liệu; 2 chỗ báo cáo tự mâu thuẫn'."""
    n = {v: sum(1 for r in results if r.verdict == v) for v in VERDICT}
    s = f"{n[CONFIRMED]} số khớp, {n[CONTRADICTED]} số không khớp với dữ liệu"
    if n[NO_DATA]:
        s += f", {n[NO_DATA]} số không có trong dữ liệu"
    bad = sum(1 for i in issues if not i.ok)
    return s + (f"; {bad} chỗ báo cáo tự mâu thuẫn" if bad else "; báo cáo không tự mâu thuẫn") + "."
