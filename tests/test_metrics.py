"""The metric catalogue (cchc/metrics.toml, cchc/metrics.py): validated at load, documented in
docs/kpis.md (generated, up to date), the only source of the KPI names the screens and the CLI show,
and every KPI in it checked against a figure worked out by hand on a hand-built dataset."""
from __future__ import annotations

import copy
import io
import json
import tomllib
from contextlib import redirect_stdout
from datetime import datetime

import pytest

from cchc import cli, kpis, metrics, periods, schema
from cchc.views import hai_long as satisfaction
from cchc.views import tai_chinh as finance
from cchc.views import tong_quan as overview
from cchc.db import Database

from fixtures import dossier, write_dataset

CAT = metrics.catalogue()
RAW = tomllib.loads(metrics.PATH.read_text(encoding="utf-8"))


# --- the file is validated ------------------------------------------------------------------------
def _parse(mutate) -> metrics.Catalogue:
    data = copy.deepcopy(RAW)
    mutate(data)
    return metrics.parse(data)


def test_catalogue_loads_and_covers_what_the_screens_list():
    assert len(CAT.metrics) == len({m.key for m in CAT.metrics})
    for name in metrics.LISTS:
        assert set(getattr(CAT, name)) <= {m.key for m in CAT.metrics}, name
    # the overview's cards and ranking choices are the catalogue's, in its order
    assert [c.key for c in overview.CARDS] == list(CAT.cards)
    assert list(overview.RANK_METRICS) == list(CAT.ranking)
    assert all(c.label == metrics.label(c.key) for c in overview.CARDS)
    # the trend's series, the Tài chính page's items and the Hài lòng page's cards too
    assert [m.key for m in overview.TREND_SERIES] == list(CAT.trend)
    assert list(finance.KPIS) == [metrics.get(k).finance_item for k in CAT.finance]
    assert set(finance.ITEMS) == set(schema.FINANCE_ITEMS), "every finance item has its KPI in `finance`"
    assert {m.key for m in CAT.metrics if m.finance_item} == set(CAT.finance)


def test_unknown_key_is_an_error():
    with pytest.raises(metrics.CatalogueError, match="khóa không biết.*colour"):
        _parse(lambda d: d["kpi"][0].update(colour="red"))
    with pytest.raises(metrics.CatalogueError, match="khóa không biết"):
        _parse(lambda d: d.update(screens=[]))
    with pytest.raises(metrics.CatalogueError, match="khóa không biết"):
        _parse(lambda d: d["counts"]["resolved_total"].update(colour="red"))


@pytest.mark.parametrize("field", ["label", "short", "help", "format", "unit", "direction"])
def test_a_kpi_lacking_a_field_or_its_documentation_fails(field):
    with pytest.raises(metrics.CatalogueError, match=f"thiếu.*{field}"):
        _parse(lambda d: d["kpi"][0].pop(field))
    with pytest.raises(metrics.CatalogueError, match=f"thiếu.*{field}"):
        _parse(lambda d: d["kpi"][0].update({field: "  "}))


def test_unknown_count_keys_are_errors():
    on_time = next(i for i, m in enumerate(RAW["kpi"]) if m["key"] == "on_time_rate")
    with pytest.raises(metrics.CatalogueError, match="resolved_intime"):
        _parse(lambda d: d["kpi"][on_time].update(numerator=["resolved_intime"]))
    # a count no query gives, and a sum of one
    with pytest.raises(metrics.CatalogueError, match="không phải chỉ số đếm"):
        _parse(lambda d: d["counts"].update(dossiers_lost={"label": "x"}))
    with pytest.raises(metrics.CatalogueError, match="không phải chỉ số đếm"):
        _parse(lambda d: d["counts"].update(lost={"label": "x", "sum": ["resolved_total", "nothing"]}))
    # a rate needs both sides, a count one formula
    with pytest.raises(metrics.CatalogueError, match="cả numerator và denominator"):
        _parse(lambda d: d["kpi"][on_time].pop("denominator"))
    with pytest.raises(metrics.CatalogueError, match="count"):
        _parse(lambda d: d["kpi"][0].update(numerator=["resolved_total"], denominator=["received_total"]))
    with pytest.raises(metrics.CatalogueError, match="không có trong danh mục"):
        _parse(lambda d: d.update(cards=["on_time_rate", "nothing_rate"]))
    with pytest.raises(metrics.CatalogueError, match="không phải cột của Biểu 06"):
        _parse(lambda d: d.update(bieu06_rates=["on_time_rate", "digitised_input_rate"]))
    with pytest.raises(metrics.CatalogueError, match="direction"):
        _parse(lambda d: d["kpi"][0].update(direction="up"))
    # a difference needs what it is taken from, and known counts
    with pytest.raises(metrics.CatalogueError, match="minus cần có sum"):
        _parse(lambda d: d["counts"].update(lost={"label": "x", "minus": ["resolved_total"]}))
    with pytest.raises(metrics.CatalogueError, match="không phải chỉ số đếm"):
        _parse(lambda d: d["counts"].update(lost={"label": "x", "sum": ["resolved_total"], "minus": ["nothing"]}))


def test_screen_lists_are_checked():
    # the trend draws only what the monthly trend counts (no supplements, no ratings by month)
    with pytest.raises(metrics.CatalogueError, match="trend: 'supplement_rate'.*resolved_with_supplement"):
        _parse(lambda d: d.update(trend=["received_new", "supplement_rate"]))
    with pytest.raises(metrics.CatalogueError, match="trend: 'satisfaction_rate'"):
        _parse(lambda d: d.update(trend=["satisfaction_rate"]))
    _parse(lambda d: d.update(trend=["online_rate", "digitised_result_rate"]))  # their counts are in it
    with pytest.raises(metrics.CatalogueError, match="finance: 'on_time_rate' không có finance_item"):
        _parse(lambda d: d.update(finance=["revenue_rate", "on_time_rate"]))
    with pytest.raises(metrics.CatalogueError, match="không có trong danh mục"):
        _parse(lambda d: d.update(satisfaction_cards=["nothing"]))


def test_every_kpi_is_documented_in_docs_kpis_md():
    text = (metrics.PATH.parent.parent / "docs" / "kpis.md").read_text(encoding="utf-8")
    for m in CAT.metrics:
        assert m.help and m.formula_text, m.key
        assert f"`{m.key}`" in text and m.label in text, f"{m.key} is not documented in docs/kpis.md"


def test_docs_kpis_md_is_up_to_date():
    path = metrics.PATH.parent.parent / "docs" / "kpis.md"
    assert metrics.doc_text(path) == path.read_text(encoding="utf-8"), (
        "docs/kpis.md is out of date with cchc/metrics.toml: run python -m cchc kpi-doc")


def test_kpi_doc_keeps_the_prose(tmp_path):
    p = tmp_path / "kpis.md"
    p.write_text(f"# KPIs\n\nHand-written.\n\n{metrics.DOC_BEGIN}\nold\n{metrics.DOC_END}\n\n## After\n\nMore prose.\n",
                 encoding="utf-8")
    assert cli.main(["kpi-doc", "--out", str(p)]) == 0
    text = p.read_text(encoding="utf-8")
    assert text.startswith("# KPIs\n\nHand-written.\n\n") and text.endswith("\n\n## After\n\nMore prose.\n")
    assert "old" not in text and "| `on_time_rate` |" in text


def test_targets_are_the_catalogues():
    targets = overview.load_targets()
    assert {m.key for m in CAT.metrics if m.target} == set(targets)


def test_formula_texts():
    assert metrics.get("on_time_rate").formula_text == "((8) + (9)) / (7)"
    assert metrics.get("online_rate").formula_text == "(4) / ((4) + (5))"
    assert metrics.get("overdue").formula_text == "(10) + (13)"
    assert metrics.get("satisfaction_766_rate").formula_text == "((7) − Số hồ sơ không hài lòng (766)) / (7)"
    assert metrics.get("revenue_rate").formula_text == "Thu ngân sách thực hiện / Dự toán thu ngân sách"


def test_a_difference_of_counts():
    m = metrics.get("satisfaction_766_rate")
    assert m.value({"resolved_total": 10, "not_satisfied": 4}) == pytest.approx(0.6)
    assert m.value({"resolved_total": 0, "not_satisfied": 0}) is None
    assert m.value({"resolved_total": 10}) is None  # a part missing: no figure, not 10 / 10
    import polars as pl
    df = pl.DataFrame({"resolved_total": [10, 0], "not_satisfied": [4, 0]})
    assert df.select(r=m.expr(df.columns))["r"].to_list() == [pytest.approx(0.6), None]


def test_the_two_on_time_rates_have_different_names_and_say_why():
    from cchc import scoring
    form = metrics.get("on_time_rate")
    ind = next(d for _, d in scoring.load_index("766").indicators() if d.code == "2.1")
    assert form.label != ind.name and form.short != ind.name
    assert "2.1" in form.help and "đang giải quyết" in form.help
    assert "Biểu 06" in ind.note and "đã giải quyết" in ind.note


# --- every KPI worked out by hand -----------------------------------------------------------------
# Xã Quốc Tuấn (10621), calendar March 2023 (01/03–31/03). Deadlines at 17:00 on the due day.
DOSSIERS = [
    # carried over (received in February), finished on its due day -> (6), (7), (9)
    dossier("A", "2023-02-27 09:00", "2023-03-02 17:00", "2023-03-02 10:00"),
    # new, online, finished the day before its due day -> (4), (7), (8); reused data; a fee paid online;
    # asked once for supplements
    dossier("C", "2023-03-01 08:00", "2023-03-06 17:00", "2023-03-03 15:00", channel="truc_tuyen", reused_data=True,
            fee_vnd=20000, paid_online=True, supplement_count=1),
    # new at the desk, finished a day late -> (5), (7), (10); inputs not digitised; a fee paid at the desk
    dossier("D", "2023-03-06 08:00", "2023-03-09 17:00", "2023-03-10 08:30", digitised_input=False, fee_vnd=20000),
    # new on the last day, pending, due after the end -> (5), (11), (12); inputs not digitised
    dossier("E", "2023-03-31 16:00", "2023-04-05 17:00", None, digitised_input=False),
    # carried over from 2021, pending, due long past -> (6), (11), (13)
    dossier("F", "2021-11-02 09:00", "2021-11-05 17:00", None),
    # same-day procedure, by post, finished the same day -> (5), (7), (9); fee 2.000 đ at the desk; asked
    # twice for supplements; paper result only
    dossier("H", "2023-03-15 09:00", "2023-03-15 17:00", "2023-03-15 09:30", proc="P2", field="Chứng thực",
            channel="buu_chinh", fee_vnd=2000, supplement_count=2, e_result=False),
    # another commune of the district, and a dossier received after the period: not counted
    dossier("I", "2023-03-10 09:00", "2023-03-15 17:00", "2023-03-14 09:00", unit="10606"),
    dossier("J", "2023-04-01 09:00", "2023-04-05 17:00", "2023-04-03 09:00"),
]


def _rating(id: str, day: str, level: int, unit: str = "10621") -> dict:
    d = datetime.fromisoformat(day)
    return dict(rating_id=id, dossier_id="A", unit_code=unit, district_code="291", procedure_code="P1",
                field="Hộ tịch", rated_at=d, level=level, channel="truc_tuyen", year=d.year, province_code="30")


RATINGS = [
    # March, Quốc Tuấn: levels 4, 3, 4 satisfied (level >= 3), 2 and 1 not -> 3 of 5
    _rating("R1", "2023-03-02 11:00", 4), _rating("R2", "2023-03-03 16:00", 3), _rating("R3", "2023-03-10 09:00", 2),
    _rating("R4", "2023-03-15 10:00", 1), _rating("R5", "2023-03-20 10:00", 4),
    # April, and another commune: not counted
    _rating("R6", "2023-04-03 10:00", 4), _rating("R7", "2023-03-14 10:00", 4, unit="10606"),
]


def _fb(id: str, received: str, due: str, handled: str | None) -> dict:
    ts = lambda s: None if s is None else datetime.fromisoformat(s)  # noqa: E731
    return dict(feedback_id=id, unit_code="10621", district_code="291", province_code="30", dossier_id=None,
                field="Hộ tịch", kind="giai_quyet", channel="cong_dvc", received_at=ts(received), due_at=ts(due),
                handled_at=ts(handled), outcome="giai_trinh" if handled else None, citizen_satisfied=None)


FEEDBACK = [
    _fb("K1", "2023-03-01 09:00", "2023-03-22 17:00", "2023-03-10 10:00"),  # answered by its due day -> on time
    _fb("K2", "2023-03-02 09:00", "2023-03-23 17:00", "2023-03-28 10:00"),  # answered after it -> late
    _fb("K3", "2023-03-20 09:00", "2023-04-10 17:00", None),                # open, due 10/04 -> within, on time
]


def _fin(month: int, item: str, plan: int, actual: int) -> dict:
    return dict(unit_code="10621", year=2023, month=month, item=item, plan_vnd=plan, actual_vnd=actual)


FINANCES = [  # calendar March 2023 covers budget month 3 only; month 4 is not counted
    _fin(3, "thu_ngan_sach", 1_000, 800), _fin(3, "chi_ngan_sach", 500, 600), _fin(3, "giai_ngan_dtc", 400, 100),
    _fin(4, "thu_ngan_sach", 9_000, 9_000),
]

# By hand from the rows above (no product code):
#   counted: A, C, D, E, F, H (I is another commune, J after the period)
#   (3) = 6; new = C, D, E, H = 4; (4) online = C = 1; (5) = D, E, H = 3; (6) carried = A, F = 2
#   (7) resolved = A, C, D, H = 4; (8) early = C; (9) on the due day = A, H = 2; (10) late = D = 1
#   (11) pending = E, F = 2; (12) within = E = 1; (13) overdue = F = 1; overdue (10)+(13) = 2
#   on time ((8)+(9))/(7) = 3/4; online (4)/new = 1/4
#   digitised input: new with every input digitised = C, H (D, E not) = 2 of 4
#   digitised result: resolved with an e-result = A, C, D (H paper only) = 3 of 4
#   reused data: new reusing data = C = 1 of 4
#   paid online: new charging a fee = C, D, H = 3, paid online C = 1 -> 1/3
#   supplement: resolved after a request for supplements (supplement_count > 0) = C (1), H (2) = 2 of 4
#   online capable: resolved of a procedure offered online = A, C, D (P1, toàn trình; H is P2, không) = 3 of 4
#   ratings: 5 in March, satisfied R1, R2, R5 = 3 -> 3/5
#   766 indicator 5.4: resolved A, C, D, H = 4; not satisfied: D (finished a day late), A (R4, level 1 on
#   15/03, names dossier A; every rating names A); no feedback names a dossier -> 2; (4 − 2) / 4
#   feedback: K1, K2, K3 = 3; on time (answered by the due day or open within it) K1, K3 = 2 -> 2/3
#   finance, budget month 3: revenue 800/1.000; expenditure 600/500; disbursement 100/400
BY_HAND = {
    "received_total": 6, "received_online": 1, "received_offline": 3, "carried_over": 2, "received_new": 4,
    "resolved_total": 4, "resolved_early": 1, "resolved_on_time": 2, "resolved_late": 1,
    "pending_total": 2, "pending_within": 1, "pending_overdue": 1, "overdue": 2,
    "on_time_rate": 3 / 4, "online_rate": 1 / 4, "digitised_input_rate": 2 / 4, "digitised_result_rate": 3 / 4,
    "reused_data_rate": 1 / 4, "paid_online_rate": 1 / 3, "supplement_rate": 2 / 4,
    "online_capable_rate": 3 / 4,
    "ratings_total": 5, "satisfaction_rate": 3 / 5, "satisfaction_766_rate": 2 / 4, "not_satisfied_766": 2,
    "feedback_total": 3, "feedback_on_time_rate": 2 / 3,
    "revenue_rate": 800 / 1000, "expenditure_rate": 600 / 500, "disbursement_rate": 100 / 400,
}


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    root = write_dataset(tmp_path_factory.mktemp("metrics"), dossiers=DOSSIERS, ratings=RATINGS, feedback=FEEDBACK,
                         finances=FINANCES)
    d = Database(root)
    yield d
    d.close()


def test_every_catalogue_kpi_has_a_figure_worked_out_by_hand():
    missing = [m.key for m in CAT.metrics if m.key not in BY_HAND]
    assert not missing, f"KPIs of cchc/metrics.toml without a hand-worked figure in tests/test_metrics.py: {missing}"
    assert set(BY_HAND) <= {m.key for m in CAT.metrics}


def _figures(fx) -> dict:
    """Every catalogue KPI as a screen gets it: the overview's (cchc.kpis) and, for those it lacks (the 766
    satisfaction), the Hài lòng page's cards; a KPI both give must agree."""
    unit, p = kpis.resolve_unit(fx, "10621"), periods.calendar_month(2023, 3)
    got = metrics.values(kpis.kpis(fx, unit, p))
    cards = {c.key: c.value for c in satisfaction.cards(satisfaction.overview(fx, unit, p),
                                                        satisfaction.feedback(fx, unit, p))}
    for k, v in cards.items():
        if got.get(k) is not None:
            assert v == pytest.approx(got[k]), f"{k}: Hài lòng {v} ≠ Tổng quan {got[k]}"
    return {**cards, **{k: v for k, v in got.items() if v is not None}}


@pytest.mark.parametrize("key", [m.key for m in CAT.metrics])
def test_kpi_by_hand(fx, key):
    assert _figures(fx)[key] == pytest.approx(BY_HAND[key]), key


def test_finance_page_rates_by_hand(fx):
    s = finance.summary(fx, kpis.resolve_unit(fx, "10621"), periods.calendar_month(2023, 3))
    by_item = {it["item"]: it["rate"] for it in s["items"]}
    got = {finance.KPIS[item].key: r for item, r in by_item.items()}
    assert got == pytest.approx({k: BY_HAND[k] for k in CAT.finance})


def test_cards_take_label_help_formula_and_direction_from_the_catalogue(fx):
    unit = kpis.resolve_unit(fx, "10621")
    now = overview.flat(kpis.kpis(fx, unit, periods.calendar_month(2023, 3)))
    cards = overview.cards(now, None, {}, unit)
    assert [c.key for c in cards] == list(CAT.cards)
    for c in cards:
        m = metrics.get(c.key)
        assert (c.label, c.higher_is_better, c.kind) == (m.label, m.higher_is_better, "rate" if m.is_rate else "count")
        assert c.help.startswith(m.help_text)
        if m.is_rate:
            assert f"Công thức: {m.formula_text}." in c.help
    by_key = {c.key: c for c in cards}
    # by hand (see BY_HAND): on time 3 of 4 resolved; supplements 2 of 4, lower is better
    assert "Kỳ này: 3 / 4." in by_key["on_time_rate"].help and by_key["on_time_rate"].text == "75,00 %"
    assert "Kỳ này: 2 / 4." in by_key["supplement_rate"].help and by_key["supplement_rate"].higher_is_better is False


def test_ranking_by_hand_worst_first_by_direction(fx):
    # Nam Sách district, March 2023, its two communes (rows above):
    #   Quốc Tuấn: resolved A, C, D, H; in time C, A, H = 3/4; with supplements C, H = 2/4
    #   Thị trấn Nam Sách: resolved I (early, no supplements) = 1/1 in time, 0/1 with supplements
    district = kpis.resolve_unit(fx, "291")
    r = overview.ranking(fx, district, periods.calendar_month(2023, 3), by="on_time_rate")
    assert r.select("code", "on_time_rate", "rank").rows() == [("10621", 0.75, 2), ("10606", 1.0, 1)]
    if "supplement_rate" in CAT.ranking:  # lower is better: the highest share is the worst
        r = overview.ranking(fx, district, periods.calendar_month(2023, 3), by="supplement_rate")
        assert r.select("code", "supplement_rate", "rank").rows() == [("10621", 0.5, 2), ("10606", 0.0, 1)]
        assert overview.ranking_caption("supplement_rate", 2) == (
            "Danh sách đầy đủ (2 đơn vị), cao nhất ở trên; hạng 1 là thấp nhất.")
    assert overview.ranking_caption("on_time_rate", 2) == "Danh sách đầy đủ (2 đơn vị), thấp nhất ở trên; hạng 1 là cao nhất."


# --- no KPI name on a screen that is not the catalogue's ------------------------------------------
QT = {"unit": "10621", "from": "2022-12-10", "to": "2023-12-09"}


def test_overview_shows_only_catalogue_labels(data_env):
    from apptest_util import open_page
    at = open_page("pages/tong_quan.py", QT)
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels == [metrics.label(k) for k in CAT.cards]
    at = open_page("pages/tong_quan.py", {**QT, "unit": "291"})
    assert not at.exception
    assert [m.label for m in at.metric] == [metrics.label(k) for k in CAT.cards]
    radio = next(r for r in at.radio if r.label == "Xếp hạng theo")
    assert list(radio.options) == [metrics.label(k) for k in CAT.ranking]
    kpi_columns = [c for c, _ in overview.RANK_COLUMNS if c.endswith("_rate")]
    shown = at.dataframe[0].value.columns
    assert all(metrics.short(k) in shown for k in kpi_columns)


def test_bieu06_page_shows_only_catalogue_labels(data_env):
    from apptest_util import open_page
    at = open_page("pages/bieu_06.py", QT)
    assert not at.exception
    assert [m.label for m in at.metric] == [metrics.label(k) for k in CAT.bieu06_rates]
    columns = [c for c in at.dataframe[0].value.columns if c != "Lĩnh vực"]
    assert columns and set(columns) <= CAT.labels


def test_overview_trend_shows_only_catalogue_labels(data_env):
    from apptest_util import open_page
    at = open_page("pages/tong_quan.py", QT)
    assert not at.exception
    trend = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in trend["data"]] == [metrics.label(k) for k in CAT.trend]
    assert trend["layout"]["title"]["text"].replace("<br>", " ").startswith(f"<b>{overview.trend_title()}</b>")
    rates = [k for k in CAT.trend if metrics.get(k).is_rate]
    assert trend["layout"]["yaxis2"]["title"]["text"] == metrics.short(rates[0])


def test_tai_chinh_page_shows_only_catalogue_labels(data_env):
    from apptest_util import open_page
    amounts = [CAT.count_label(metrics.get(k).numerator[0]) for k in CAT.finance]
    for unit in (QT["unit"], "291"):
        at = open_page("pages/tai_chinh.py", {**QT, "unit": unit})
        assert not at.exception
        # per item: its actual amount (the count's label), then its rate (the KPI's label, help, direction)
        assert [m.label for m in at.metric] == [x for k, a in zip(CAT.finance, amounts) for x in (a, metrics.label(k))]
        for m in at.metric[1::2]:
            kpi = next(metrics.get(k) for k in CAT.finance if metrics.label(k) == m.label)
            assert m.help.startswith(kpi.help_text)
        summary = at.dataframe[0].value
        assert set(summary["Chỉ tiêu"]) <= CAT.labels
    # the ranking: its choices and its rate columns are the catalogue's labels
    radio = next(r for r in at.radio if r.label == "Xếp theo")
    assert list(radio.options) == [finance.KPIS[i].label for i in finance.RANK_ITEMS]
    ranking = at.dataframe[-1].value
    assert [c for c in ranking.columns if c.endswith("(tỷ đồng)")] == [f"{a} (tỷ đồng)" for a in amounts]
    assert [c for c in ranking.columns if c in CAT.labels] == [metrics.label(k) for k in CAT.finance]
    assert set(ranking.columns) - CAT.labels == {"Thứ tự", "Đơn vị", *(f"{a} (tỷ đồng)" for a in amounts)}


def test_hai_long_page_shows_only_catalogue_labels(data_env):
    from apptest_util import open_page
    at = open_page("pages/hai_long.py", {**QT, "unit": "291"})
    assert not at.exception
    labels = [m.label for m in at.metric]
    expected = [metrics.label(k) for k in CAT.satisfaction_cards]
    expected.insert(expected.index(metrics.label("satisfaction_766_rate")) + 1, satisfaction.points_label())
    assert labels == expected  # the points of 5.4: the index definition's, not a KPI
    for m in at.metric:
        if m.label != satisfaction.points_label():
            kpi = next(x for x in CAT.metrics if x.label == m.label)
            assert m.help.startswith(kpi.help_text), m.label
    radio = next(r for r in at.radio if r.key == "hl_rank")
    assert list(radio.options) == [f"{metrics.label('satisfaction_rate')} (phiếu đánh giá)",
                                   metrics.label("satisfaction_766_rate")]
    # the tables' KPI columns: the catalogue's short labels (and count labels); the rest is not a KPI
    not_kpis = {"Lĩnh vực", "Mã TTHC", "Thủ tục", "Hạng (từ thấp)", "Đơn vị", schema.RATING_LEVELS[1], "Có PAKN",
                "Điểm 5.4 (/6)"}
    names = CAT.labels | {c.label for c in CAT.counts}
    for d in at.dataframe[:3]:
        cols = set(d.value.columns)
        assert cols - not_kpis <= names, cols - not_kpis - names


def test_cli_shows_only_catalogue_labels(data_env):
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["kpis", "--unit", QT["unit"], "--from", QT["from"], "--to", QT["to"]]) == 0
    text = out.getvalue()
    columns = next(line for line in text.splitlines() if line.startswith("Cột: "))[5:].split("; ")
    by_col = CAT.by_bieu06()
    assert columns == [f"{c} {by_col[c].short}" for c in sorted(by_col, key=lambda c: int(c.strip("()")))]
    lines = text.split("\n\n", 1)[1].splitlines()
    names = [line[:45].strip() for line in lines if line.strip()]
    assert names[-1].startswith("TTHC cấp xã đang thực hiện")  # a count of procedures, not a KPI of dossiers
    assert names[:-1] == [metrics.label(k) for k in CAT.cli]
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["kpis", "--unit", QT["unit"], "--from", QT["from"], "--to", QT["to"], "--json"]) == 0
    k = json.loads(out.getvalue())
    assert k["labels"] and all(k["labels"][key] == metrics.label(key) for key in k["labels"])
    assert "on_time_rate" in k["labels"]
