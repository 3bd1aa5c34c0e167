"""common.charts: well-formed SVG, escaped labels, accessible titles, proportional bars, ticks."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from common import charts

NS = {"svg": "http://www.w3.org/2000/svg"}
D = Decimal


def money(value: Decimal) -> str:
    return f"{value:,.0f} ₫"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def bars_of(root: ET.Element) -> list[ET.Element]:
    return root.findall("svg:g[@class='chart-bars']/svg:rect", NS)


def num(element: ET.Element, name: str) -> Decimal:
    return Decimal(element.get(name))


def stacked(**changes) -> str:
    arguments = {
        "title": "Net revenue per day",
        "description": "Stacked bars per channel",
        "categories": ["Mon", "Tue", "Wed"],
        "series": [
            charts.Series("Website", [D(100), D(50), D(0)]),
            charts.Series("Shopee", [D(100), D(25), D(0)], colour="#123456"),
        ],
        "format_value": money,
        "total_label": "Total",
        "chart_id": "sales",
    }
    arguments.update(changes)
    return charts.stacked_bar_chart(**arguments)


def test_nice_ticks():
    assert charts.nice_ticks(D(0), D(1588500)) == [0, 500000, 1000000, 1500000, 2000000]
    assert charts.nice_ticks(D(0), D(200)) == [0, 50, 100, 150, 200]
    assert charts.nice_ticks(D(0), D(7)) == [0, 2, 4, 6, 8]
    assert charts.nice_ticks(D(0), D("0.9")) == [0, D("0.2"), D("0.4"), D("0.6"), D("0.8"), 1]
    assert charts.nice_ticks(D(-30), D(100)) == [-50, 0, 50, 100]
    assert charts.nice_ticks(D(0), D(0)) == [0]
    assert charts.nice_ticks(D(0), D(12)) == [0, D("2.5"), 5, D("7.5"), 10, D("12.5")]


def test_stacked_chart_is_well_formed_and_accessible():
    markup = stacked()
    root = parse(markup)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "sales-title sales-desc"
    assert root.find("svg:title", NS).text == "Net revenue per day"
    assert root.find("svg:title", NS).get("id") == "sales-title"
    assert root.find("svg:desc", NS).text == "Stacked bars per channel"
    titles = [rect.find("svg:title", NS).text for rect in bars_of(root)]
    assert titles == [
        "Mon · Website: 100 ₫",
        "Mon · Shopee: 100 ₫",
        "Tue · Website: 50 ₫",
        "Tue · Shopee: 25 ₫",
    ]
    points = root.findall("svg:g[@class='chart-line']/svg:circle", NS)
    assert [p.find("svg:title", NS).text for p in points] == [
        "Mon · Total: 200 ₫",
        "Tue · Total: 75 ₫",
        "Wed · Total: 0 ₫",
    ]
    legend = [t.text for t in root.findall("svg:g[@class='chart-legend']/svg:text", NS)]
    assert legend == ["Website", "Shopee", "Total"]
    axis = [t.text for t in root.findall("svg:g[@class='chart-axis']/svg:text", NS)]
    assert axis == ["0 ₫", "50 ₫", "100 ₫", "150 ₫", "200 ₫"]
    assert "<script" not in markup


def test_stacked_bars_are_proportional_and_stack():
    root = parse(stacked())
    mon_web, mon_shopee, tue_web, tue_shopee = bars_of(root)
    assert [r.get("fill") for r in (mon_web, mon_shopee)] == [charts.PALETTE[0], "#123456"]
    # Heights in proportion to the values (coordinates carry two decimals).
    unit = num(mon_web, "height") / 100
    for rect, value in ((mon_shopee, 100), (tue_web, 50), (tue_shopee, 25)):
        assert abs(num(rect, "height") - unit * value) <= D("0.01")
    # The second segment sits on the first.
    assert abs(num(mon_shopee, "y") + num(mon_shopee, "height") - num(mon_web, "y")) <= D("0.01")
    # The axis top is 200 (the highest stack), so the Monday stack fills the plot height.
    grid = root.findall("svg:g[@class='chart-axis']/svg:line", NS)
    plot_height = num(grid[0], "y1") - num(grid[-1], "y1")
    assert abs(num(mon_web, "height") * 2 - plot_height) <= D("0.02")
    # Wednesday is zero: no rectangle at all.
    assert len(bars_of(root)) == 4


def test_labels_are_escaped():
    markup = stacked(
        title='Sales <script>alert("x")</script> & more',
        categories=["<b>Mon</b>", "Tue", "Wed"],
        series=[charts.Series("<script>evil()</script>", [D(1), D(2), D(3)])],
        chart_id='x" onload="alert(1)',
    )
    assert "<script>" not in markup
    assert "&lt;script&gt;evil()&lt;/script&gt;" in markup
    assert 'onload="alert(1)"' not in markup
    root = parse(markup)  # still well-formed
    assert root.find("svg:title", NS).text == 'Sales <script>alert("x")</script> & more'
    assert (
        bars_of(root)[0].find("svg:title", NS).text == "<b>Mon</b> · <script>evil()</script>: 1 ₫"
    )


def test_every_category_label_or_one_in_n():
    days = [f"D{i}" for i in range(30)]
    root = parse(
        charts.stacked_bar_chart(
            title="t",
            categories=days,
            series=[charts.Series("s", [D(i) for i in range(30)])],
            format_value=money,
            max_labels=10,
        )
    )
    labels = [t.text for t in root.findall("svg:g[@class='chart-bars']/svg:text", NS)]
    assert labels == [f"D{i}" for i in range(0, 30, 3)]


def test_empty_chart_is_still_valid():
    root = parse(
        charts.stacked_bar_chart(title="Nothing", categories=[], series=[], format_value=money)
    )
    assert bars_of(root) == []
    root = parse(charts.horizontal_bar_chart(title="Nothing", bars=[], format_value=money))
    assert bars_of(root) == []


def test_series_length_must_match_categories():
    with pytest.raises(ValueError, match="one value per category"):
        charts.stacked_bar_chart(
            title="t",
            categories=["a", "b"],
            series=[charts.Series("s", [D(1)])],
            format_value=money,
        )


def test_horizontal_bars_proportional_with_labels_and_values():
    markup = charts.horizontal_bar_chart(
        title="Top 3 by units sold",
        bars=[
            charts.Bar("SKU-1 · Áo <script>", D(40)),
            charts.Bar("SKU-2 · Quần", D(20)),
            charts.Bar("SKU-3 · Khăn", D(10)),
        ],
        format_value=lambda v: f"{v} units",
        format_tick=lambda v: f"{v}",
        chart_id="top",
    )
    root = parse(markup)
    assert root.find("svg:title", NS).text == "Top 3 by units sold"
    assert root.get("aria-labelledby") == "top-title"
    rects = bars_of(root)
    assert [r.find("svg:title", NS).text for r in rects] == [
        "SKU-1 · Áo <script>: 40 units",
        "SKU-2 · Quần: 20 units",
        "SKU-3 · Khăn: 10 units",
    ]
    widths = [num(r, "width") for r in rects]
    assert abs(widths[0] - 2 * widths[1]) <= D("0.02")
    assert abs(widths[0] - 4 * widths[2]) <= D("0.02")
    assert len({r.get("x") for r in rects}) == 1  # all start at zero
    assert "&lt;script&gt;" in markup
    assert "<script>" not in markup
    texts = [t.text for t in root.findall("svg:g[@class='chart-bars']/svg:text", NS)]
    assert texts == [
        "SKU-1 · Áo <script>",
        "40 units",
        "SKU-2 · Quần",
        "20 units",
        "SKU-3 · Khăn",
        "10 units",
    ]
    ticks = [t.text for t in root.findall("svg:g[@class='chart-axis']/svg:text", NS)]
    assert ticks == ["0", "10", "20", "30", "40"]


def test_horizontal_negative_bars_go_left_of_zero():
    root = parse(
        charts.horizontal_bar_chart(
            title="Profit",
            bars=[charts.Bar("gain", D(100)), charts.Bar("loss", D(-50))],
            format_value=money,
        )
    )
    gain, loss = bars_of(root)
    zero = num(gain, "x")
    assert abs(num(loss, "x") + num(loss, "width") - zero) <= D("0.01")
    assert abs(num(gain, "width") - 2 * num(loss, "width")) <= D("0.02")


def test_long_labels_are_shortened_but_titles_keep_them():
    name = "Một cái tên sản phẩm rất rất dài " * 4
    root = parse(
        charts.horizontal_bar_chart(
            title="t", bars=[charts.Bar(name, D(5))], format_value=money, label_width=120
        )
    )
    label = root.find("svg:g[@class='chart-bars']/svg:text", NS).text
    assert label.endswith("…")
    assert len(label) < len(name)
    assert bars_of(root)[0].find("svg:title", NS).text == f"{name}: 5 ₫"
