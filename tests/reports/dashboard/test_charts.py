"""Chart builders are pure: plain values in, Chinese plotly figures out (no database)."""

import json
from decimal import Decimal

from reports.dashboard.charts import MONTHS, breakdown_figure, figure_dict, number_format, trend_figure


def _trend(**kwargs):
    defaults = {
        "title": "发生电信网络诈骗案件 月度走势",
        "unit": "件",
        "year": 2023,
        "this_year": {1: Decimal(22), 2: Decimal(24), 3: Decimal(18)},
        "last_year": {m: Decimal(20 + m) for m in range(1, 13)},
    }
    return figure_dict(trend_figure(**{**defaults, **kwargs}))


def test_trend_has_twelve_chinese_months_and_both_years():
    figure = _trend()
    last, this = figure["data"]
    assert (
        last["x"]
        == this["x"]
        == MONTHS
        == ["1月", "2月", "3月", "4月", "5月", "6月"] + [f"{m}月" for m in range(7, 13)]
    )
    assert (last["name"], this["name"]) == ("2022年", "2023年")
    assert this["y"][:3] == [22.0, 24.0, 18.0]
    assert last["y"] == [float(20 + m) for m in range(1, 13)]


def test_trend_leaves_missing_months_empty_not_zero():
    this = _trend(this_year={1: Decimal(5), 3: None})["data"][1]
    assert this["y"][0] == 5.0
    assert this["y"][1] is None and this["y"][2] is None and this["y"][11] is None


def test_trend_hover_and_axis_carry_the_unit_and_the_title_is_chinese():
    figure = _trend(unit="万元", decimals=4)
    assert all("万元" in trace["hovertemplate"] for trace in figure["data"])
    assert figure["data"][1]["hovertemplate"].startswith("2023年%{x}：%{y:,.4~f}万元")
    assert figure["layout"]["title"]["text"] == "发生电信网络诈骗案件 月度走势（万元）"


def test_trend_draws_flows_as_bars_and_percentages_as_lines_on_a_0_to_100_axis():
    assert {t["type"] for t in _trend()["data"]} == {"bar"}
    figure = _trend(unit="%", decimals=2, percentage=True, bars=False)
    assert {t["type"] for t in figure["data"]} == {"scatter"}
    assert figure["layout"]["yaxis"]["range"] == [0, 100]
    assert "%{y:.2f}%" in figure["data"][0]["hovertemplate"]


def test_figures_cannot_be_zoomed_dragged_or_leave_english_labels():
    layout = _trend()["layout"]
    assert layout["dragmode"] is False
    assert layout["xaxis"]["fixedrange"] and layout["yaxis"]["fixedrange"]
    # Thousands separators, never plotly's SI "k".
    assert layout["yaxis"]["tickformat"] == ",.0f"
    assert layout["separators"] == ".,"


def test_breakdown_puts_the_largest_department_on_top_and_keeps_missing_bars_empty():
    figure = figure_dict(
        breakdown_figure(
            title="人民法庭结案 分单位",
            unit="件",
            rows=[("甲镇", Decimal(5), Decimal(4)), ("乙镇", Decimal(50), None), ("丙镇", None, Decimal(3))],
            current_label="2023年上半年",
            previous_label="上年同期",
        )
    )
    previous, current = figure["data"]
    # plotly draws the last category on top.
    assert current["y"] == ["丙镇", "甲镇", "乙镇"]
    assert current["x"] == [None, 5.0, 50.0]
    assert previous["x"] == [3.0, 4.0, None]
    assert current["name"] == "2023年上半年" and previous["name"] == "上年同期"
    assert "件" in current["hovertemplate"] and current["orientation"] == "h"


def test_breakdown_grows_with_the_number_of_departments():
    def height(n):
        rows = [(f"单位{i}", Decimal(i), Decimal(i)) for i in range(n)]
        return figure_dict(
            breakdown_figure(title="t", unit="件", rows=rows, current_label="本期", previous_label="上年同期")
        )["layout"]["height"]

    assert height(1) == height(2) == 260
    assert height(20) > height(5) > 260
    heights = [height(n) for n in range(1, 80)]
    assert heights == sorted(heights)  # never shorter for more bars
    assert height(50) == 120 + 22 * 50  # a city's fifty units: thinner bars


def test_number_format_follows_the_indicator():
    assert number_format(0) == ",.0f"
    assert number_format(4) == ",.4~f"
    assert number_format(2, percentage=True) == ".2f"


def test_figure_dict_is_plain_json_without_typed_arrays_or_external_urls():
    text = json.dumps(_trend())
    assert "bdata" not in text
    assert "http" not in text


def test_an_empty_chart_says_so():
    trend = trend_figure(title="t", unit="件", year=2023, this_year={}, last_year={})
    breakdown = breakdown_figure(title="t", unit="件", rows=[], current_label="本期", previous_label="上年同期")
    for figure in (trend, breakdown):
        layout = figure_dict(figure)["layout"]
        assert [a["text"] for a in layout["annotations"]] == ["本期无数据"]
        assert layout["xaxis"]["visible"] is False and layout["yaxis"]["visible"] is False
    full = trend_figure(title="t", unit="件", year=2023, this_year={1: Decimal(3)}, last_year={})
    assert "annotations" not in figure_dict(full)["layout"]


def test_months_and_bars_with_links_carry_them_for_a_click():
    """A click opens customdata's page: only months with a value, each bar its own."""
    links = {(2023, 1): "/jan23", (2023, 2): "/feb23", (2022, 1): "/jan22"}
    figure = figure_dict(
        trend_figure(
            title="t", unit="件", year=2023, this_year={1: Decimal(3)}, last_year={1: Decimal(2)}, month_links=links
        )
    )
    last_year, this_year = figure["data"]
    assert this_year["customdata"] == ["/jan23"] + [None] * 11  # February has no value: nothing to click
    assert last_year["customdata"] == ["/jan22"] + [None] * 11
    assert "点击查看明细表" in this_year["hovertemplate"]
    rows = [("甲镇", Decimal(5), Decimal(4), "/a-now", "/a-before"), ("乙镇", Decimal(9), None, "/b-now", "/b-before")]
    previous, current = figure_dict(
        breakdown_figure(title="t", unit="件", rows=rows, current_label="本期", previous_label="上年同期")
    )["data"]
    assert current["y"] == ["甲镇", "乙镇"] and current["customdata"] == ["/a-now", "/b-now"]
    assert previous["customdata"] == ["/a-before", "/b-before"]
    # Without links nothing is clickable and the hover does not promise it.
    plain = figure_dict(trend_figure(title="t", unit="件", year=2023, this_year={1: Decimal(3)}, last_year={}))
    assert all("customdata" not in trace and "点击" not in trace["hovertemplate"] for trace in plain["data"])
