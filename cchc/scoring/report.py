"""Scores as text: the CLI's table (report_lines), a value and a rule in words, a score's coverage
(coverage_text: how many indicators of how many, on what base)."""
from __future__ import annotations


from .. import fmt

from .definition import NO_DATA, RULES, STAGES
from .engine import IndexResult, IndicatorResult


# --------------------------------------------------------------------------------------------
# Text (the CLI's table; also usable in exports)
# --------------------------------------------------------------------------------------------

def value_text(i: IndicatorResult) -> str:
    """The value as Vietnamese write it: '3.261/3.262 = 99,97 %', '78,57 %', '15 kế hoạch', '' if none."""
    if i.value is None:
        return ""
    if i.percent and i.numerator is not None and i.denominator is not None:
        return f"{fmt.number(i.numerator)}/{fmt.number(i.denominator)} = {fmt.percent(i.rate)}"
    if i.percent:
        return fmt.percent(i.rate)
    return f"{fmt.number(i.value, 0 if float(i.value).is_integer() else 2)} {i.unit}".strip()


def rule_short(i: IndicatorResult) -> str:
    """'ngưỡng 80 %', 'tỷ lệ thuận', 'theo bậc' …"""
    if i.rule == "threshold_linear" and i.threshold is not None:
        return "ngưỡng " + (fmt.percent(i.threshold / 100, 0) if i.percent else fmt.number(i.threshold))
    if i.rule == "proportional":
        return "tỷ lệ thuận"
    return RULES.get(i.rule, i.rule).lower()


def coverage_text(res: IndexResult) -> str:
    """'Tính được 8/19 chỉ tiêu (60/100 điểm tối đa có dữ liệu); tổng điểm quy đổi về thang 100 trên
    các chỉ tiêu ấy' — how much of the index a score covers and on what base it is scaled."""
    n, of = res.indicators_covered, res.indicators_total
    mx = lambda x: fmt.number(x, 0 if float(x).is_integer() else 2)  # noqa: E731
    head = f"Tính được {n}/{of} chỉ tiêu ({mx(res.available_max)}/{mx(res.max_total)} điểm tối đa có dữ liệu)"
    if n == of or not n:
        return head
    return head + f"; tổng điểm quy đổi về thang {mx(res.max_total)} trên các chỉ tiêu ấy"


def report_lines(res: IndexResult) -> list[str]:
    """The result as text: total and band, then each group and indicator (value, rule, points or
    'không đủ dữ liệu' with the reason), bonus and penalty, notes."""
    pts = lambda x: fmt.number(x, 2)  # noqa: E731
    mx = lambda x: fmt.number(x, 0 if float(x).is_integer() else 2)  # noqa: E731
    out = [f"{res.index.title} — {res.unit_name} ({res.unit_code})", f"Kỳ: {res.period.label}"]
    if res.total is None:
        out.append(f"Tổng điểm: {NO_DATA} (không chỉ tiêu nào có dữ liệu)")
    else:
        out.append(f"Tổng điểm: {pts(res.total)}/{mx(res.max_total)}" + (f" — {res.band.name}" if res.band else ""))
        extra = []
        if res.available_max < res.max_total:
            extra.append(f"điểm đạt {pts(res.raw_total)} trên {pts(res.available_max)} điểm tối đa có dữ liệu, "
                         f"quy đổi về thang {mx(res.max_total)}: {pts(res.scaled_total)}")
        if res.bonus:
            extra.append(f"điểm thưởng +{pts(res.bonus_points)}")
        if res.penalty:
            extra.append(f"điểm trừ −{pts(res.penalty_points)}")
        if extra:
            out.append("  (" + "; ".join(extra) + ")")
    out.append(f"  {coverage_text(res)}")
    comps = res.components()
    if len(comps) > 1:
        out.append("  " + "; ".join(
            f"{c['name']}: " + (f"{pts(c['score'])}/{pts(c['available_max'])}" if c["score"] is not None else NO_DATA)
            + f" (tối đa {mx(c['max'])})" for c in comps.values()))
    out.append("")

    def line(i: IndicatorResult) -> str:
        head = f"  {i.code:<5} {i.name}"
        if i.status == "no_data":
            return f"{head} — {NO_DATA} (tối đa {mx(i.max)})" + (f": {i.reason}" if i.reason else "")
        bits = [b for b in (value_text(i), rule_short(i) if i.computed is not None else "") if b]
        if i.stages:
            bits.append(", ".join(f"{STAGES[k].lower()} {pts(v)}" for k, v in i.stages.items()))
        if i.reason:
            bits.append(i.reason)
        return f"{head} — " + "; ".join(bits + [f"{pts(i.points)}/{mx(i.max)} điểm"])

    for g in res.groups:
        if g.score is None:
            out.append(f"[{g.code}] {g.name}: {NO_DATA} (tối đa {mx(g.max)})")
        else:
            part = f" (tính trên {pts(g.available_max)} điểm có dữ liệu)" if g.available_max < g.max else ""
            out.append(f"[{g.code}] {g.name}: {pts(g.score)}/{mx(g.max)}{part}")
        out += [line(i) for i in g.indicators]
    for title, items in (("Điểm thưởng", res.bonus), ("Điểm trừ", res.penalty)):
        if items:
            out.append(f"[{title}]")
            out += [line(i) for i in items]
    out += [f"Lưu ý: {n}" for n in res.notes]
    return out
