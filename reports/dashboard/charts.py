"""Plotly figures for the dashboard, built from plain values (no database, no models).

Every builder takes lists, dicts and Decimals and returns a figure whose
titles, axis labels, legends and hover text are Chinese and carry the unit.
`figure_dict` gives the JSON-ready dict embedded in the page, where plotly.js
(served from our own static files) draws it.

The builders write plotly's figure dict directly: building plotly.graph_objects
and serialising them took about 50 ms per chart (validation of every
property), more than all of the dashboard's queries together (issue 9). The
dicts are what plotly's own serialisation of the same figures produced.
"""

import json
from decimal import Decimal

from django.utils.translation import gettext as _

from metrics.formatting import with_unit

# What plotly writes for layout.template "none".
NO_TEMPLATE = {"data": {"scatter": [{"type": "scatter"}]}}

FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", sans-serif'
INK = "#1f2933"
GRID = "#e3e7eb"
THIS_YEAR = "#a61b1b"
LAST_YEAR = "#9aa5b1"
MONTHS = [f"{m}月" for m in range(1, 13)]


def number_format(decimals, *, percentage=False):
    """The d3 format plotly uses for a value: thousands separators, the indicator's decimals."""
    if percentage:
        return ".2f"
    if decimals:
        return f",.{decimals}~f"
    return ",.0f"


def _float(value):
    return None if value is None else float(value)


def _layout(title, *, height):
    """The layout every dashboard chart shares: Chinese font, readable sizes, no zooming."""
    return {
        # The title at the very top, the legend just above the plot: neither can cover the other
        # (static/js/dashboard.js makes room for both on a narrow chart).
        "title": {
            "text": title,
            "font": {"size": 17, "color": INK},
            "x": 0.01,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 10},
        },
        "font": {"family": FONT, "size": 14, "color": INK},
        "height": height,
        "margin": {"l": 12, "r": 16, "t": 72, "b": 40, "pad": 4},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "separators": ".,",
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom", "font": {"size": 14}},
        "hoverlabel": {"font": {"family": FONT, "size": 15}},
        "hovermode": "closest",
        "dragmode": False,
        "bargap": 0.25,
        "template": NO_TEMPLATE,
    }


def _linked(links):
    """The hover's last line when a click leads somewhere."""
    return "<br>" + _("点击查看明细表") if links else ""


def _say_no_data(layout):
    """An empty chart says so, instead of showing bare made-up axes."""
    layout["annotations"] = [
        {
            "text": _("本期无数据"),
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "showarrow": False,
            "font": {"size": 16, "color": LAST_YEAR},
        }
    ]
    for axis in ("xaxis", "yaxis"):
        layout[axis] = {**layout.get(axis, {}), "visible": False}


def trend_figure(*, title, unit, decimals=0, percentage=False, year, this_year, last_year, bars=True, month_links=None):
    """This year's months against last year's, January to December.

    `this_year` and `last_year` map a month number (1–12) to a value; an absent
    month or a None value is a gap, never zero. Flows read best as bars, stocks
    and percentages as lines (`bars=False`). `month_links` maps (year, month) to the
    page a click on that bar or point opens (the page's script follows `customdata`).
    """
    fmt = number_format(decimals, percentage=percentage)
    traces = []
    for label, series, colour, series_year in (
        (_("%(year)d年") % {"year": year - 1}, last_year, LAST_YEAR, year - 1),
        (_("%(year)d年") % {"year": year}, this_year, THIS_YEAR, year),
    ):
        y = [_float(series.get(m)) for m in range(1, 13)]
        common = {
            "name": label,
            "x": MONTHS,
            "y": y,
            "hovertemplate": f"{label}%{{x}}：%{{y:{fmt}}}{unit}{_linked(month_links)}<extra></extra>",
        }
        if month_links:
            # Only months with a value: a gap has no bar or point to click.
            common["customdata"] = [
                month_links.get((series_year, m)) if value is not None else None for m, value in enumerate(y, start=1)
            ]
        if bars:
            traces.append({"type": "bar", "marker": {"color": colour}, **common})
        else:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "line": {"color": colour, "width": 3},
                    "marker": {"size": 7},
                    "connectgaps": False,
                    **common,
                }
            )
    layout = _layout(with_unit(title, unit), height=340)
    layout["xaxis"] = {
        "type": "category",
        "fixedrange": True,
        "showgrid": False,
        "linecolor": GRID,
        "tickfont": {"size": 13},
    }
    layout["yaxis"] = {
        "tickformat": fmt,
        "fixedrange": True,
        "gridcolor": GRID,
        "zeroline": True,
        "zerolinecolor": GRID,
        "rangemode": "tozero",
        "automargin": True,
    }
    if percentage:
        layout["yaxis"]["range"] = [0, 100]
    if all(y is None for trace in traces for y in trace["y"]):
        _say_no_data(layout)
    return {"data": traces, "layout": layout}


def breakdown_figure(*, title, unit, decimals=0, percentage=False, rows, current_label, previous_label):
    """Departments' values for the period next to last year's, largest first, as horizontal bars.

    `rows` are (department name, current value, previous value); a None is a missing bar. A row may
    carry two more items, the pages a click on its current and previous bar opens (`customdata`).
    """
    fmt = number_format(decimals, percentage=percentage)
    ordered = sorted(rows, key=lambda r: (r[1] is None, -(r[1] or Decimal(0))))
    # plotly draws the first category at the bottom; reverse so the largest is on top.
    ordered.reverse()
    names = [r[0] for r in ordered]
    linked = any(len(r) > 3 for r in ordered)
    traces = [
        {
            "type": "bar",
            "name": label,
            "orientation": "h",
            "y": names,
            "x": [_float(r[index]) for r in ordered],
            "marker": {"color": colour},
            "hovertemplate": f"%{{y}}<br>{label}：%{{x:{fmt}}}{unit}{_linked(linked)}<extra></extra>",
        }
        for label, index, colour in ((previous_label, 2, LAST_YEAR), (current_label, 1, THIS_YEAR))
    ]
    if linked:
        for trace, index in zip(traces, (4, 3), strict=True):
            trace["customdata"] = [r[index] if len(r) > index else None for r in ordered]
    # A county's dozen units get roomy bars; a city's fifty get thinner ones, so the chart stays readable.
    row = max(22, min(46, 600 / max(len(names), 1)))
    height = max(260, round(120 + row * len(names)))
    layout = _layout(with_unit(title, unit), height=height)
    # Few departments: thinner bars, so that one department does not fill the chart.
    layout["barmode"] = "group"
    layout["legend"] = {**layout["legend"], "traceorder": "reversed"}
    layout["bargap"] = 0.25 if len(names) > 2 else 0.5
    layout["yaxis"] = {"type": "category", "fixedrange": True, "automargin": True, "tickfont": {"size": 14}}
    layout["xaxis"] = {
        "tickformat": fmt,
        "fixedrange": True,
        "gridcolor": GRID,
        "rangemode": "tozero",
        "automargin": True,
        "nticks": 6,
    }
    if all(r[1] is None and r[2] is None for r in ordered):
        _say_no_data(layout)
    return {"data": traces, "layout": layout}


def figure_dict(figure):
    """The figure as a JSON-ready dict (plain lists, no typed arrays) for json_script."""
    return json.loads(json.dumps(figure))
