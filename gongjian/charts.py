"""What a chart shows, built on the server and drawn in the browser by static/js/charts.js through
templates/parts/chart.html (``{% include "parts/chart.html" with chart=chart %}``).

A chart is plain JSON (passed with ``json_script``): a title, the category labels and one or more
series of figures. Bars run sideways by default, one labelled row per category, so that names stay
readable on a 360 px phone. A chart never replaces the figures' table or list: it repeats them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

Figure = int | float | Decimal | None


def _text(value: str | Promise) -> str:
    return str(value)


def _number(value: Figure) -> int | float | None:
    """A figure as JSON carries it: a Decimal (a rate from the database) would become a string."""
    return float(value) if isinstance(value, Decimal) else value


def _chart(
    kind: str,
    title: str | Promise,
    labels: Sequence[str | Promise],
    series: Sequence[tuple[str | Promise, Sequence[Figure]]],
    *,
    percent: bool,
    horizontal: bool,
) -> dict[str, Any]:
    for name, data in series:
        if len(data) != len(labels):
            raise ValueError(f"series {name!s} has {len(data)} figures for {len(labels)} labels")
    return {
        "kind": kind,
        "title": _text(title),
        "labels": [_text(label) for label in labels],
        "series": [{"name": _text(name), "data": [_number(v) for v in data]} for name, data in series],
        "percent": percent,
        "horizontal": horizontal,
    }


def bar_chart(
    title: str | Promise,
    labels: Sequence[str | Promise],
    series: Sequence[tuple[str | Promise, Sequence[Figure]]],
    *,
    percent: bool = False,
    horizontal: bool = True,
) -> dict[str, Any]:
    """Bars per label, one bar for each ``(name, figures)`` series; ``percent``: figures are 0–100."""
    return _chart("bar", title, labels, series, percent=percent, horizontal=horizontal)


def line_chart(
    title: str | Promise,
    labels: Sequence[str | Promise],
    series: Sequence[tuple[str | Promise, Sequence[Figure]]],
    *,
    percent: bool = False,
) -> dict[str, Any]:
    """A line per series over ordered labels (months, for instance); None leaves a gap."""
    return _chart("line", title, labels, series, percent=percent, horizontal=False)
