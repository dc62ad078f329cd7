"""The data of a chart (gongjian/charts.py), as templates/parts/chart.html hands it to static/js/charts.js."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from gongjian.charts import bar_chart, line_chart


def test_a_bar_chart_is_plain_json_with_its_title_labels_and_series():
    chart = bar_chart(
        gettext_lazy("Points"), ["张三丰", "赵六"], [(gettext_lazy("Members"), [25, Decimal("20.5")])]
    )
    assert json.loads(json.dumps(chart)) == {
        "kind": "bar",
        "title": "Points",
        "labels": ["张三丰", "赵六"],
        "series": [{"name": "Members", "data": [25, 20.5]}],
        "percent": False,
        "horizontal": True,
    }


def test_a_line_chart_keeps_its_gaps_and_runs_upright():
    chart = line_chart("Rate", ["2026-10", "2026-11", "2026-12"], [("Rate", [None, 50, 62.5])], percent=True)
    assert chart["kind"] == "line" and not chart["horizontal"] and chart["percent"]
    assert chart["series"][0]["data"] == [None, 50, 62.5]


def test_a_series_must_have_a_figure_for_every_label():
    with pytest.raises(ValueError, match="2 figures for 3 labels"):
        bar_chart("Points", ["a", "b", "c"], [("Points", [1, 2])])


def test_the_partial_renders_a_labelled_box_and_the_data_escaped():
    chart = bar_chart("Members </script>", ["<b>x</b>", "y"], [("Members", [1, 2])])
    html = render_to_string("parts/chart.html", {"chart": chart, "chart_id": "gj-chart-test"})
    assert 'data-gj-chart="gj-chart-test"' in html and 'role="img"' in html
    assert 'aria-label="Members &lt;/script&gt;"' in html  # a text alternative before the script draws
    assert '<script id="gj-chart-test" type="application/json">' in html
    assert "<b>x</b>" not in html and "\\u003Cb\\u003Ex" in html
    assert "/static/vendor/echarts.min.js" in html  # vendored, never a CDN


def test_no_chart_renders_nothing():
    assert render_to_string("parts/chart.html", {"chart": None}).strip() == ""
