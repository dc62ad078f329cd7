"""The whistle's figures for a period (cases.measures): per department, member unit, street, community,
grid or category — received, accepted on time, completed on time, satisfaction, reopened — each count a
link to its cases (the case list's drill-down, which starts from the viewer's own cases), and a chart of
on-time completion by department. A handful of grouped queries whatever the number of rows."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from cases import measures
from cases.filters import MonthField
from gongjian.charts import bar_chart

CHART_BARS = 15


def _month(value: str | None) -> date | None:
    """The month asked for, or None (this month) for a missing or bad one."""
    try:
        return MonthField(required=False).clean(value or "")
    except ValidationError:
        return None


def _link(base: str, key: str, query: dict, param: str | None, of) -> str:
    if not base:
        return ""
    extra = {**query, "figure": key}
    if param and of is not None:
        extra[param] = of.code if param == "category" else of.public_id
    return f"{base}?{urlencode(extra)}"


def _shown(row: measures.Row, query: dict, param: str | None, base: str) -> dict:
    return {
        "of": row.of,
        "counts": {key: (row.counts[key], _link(base, key, query, param, row.of)) for key in measures.COUNTS},
        "rates": {name: row.ratio(name) for name, *_ in measures.RATES},
    }


@require_GET
@role_required(*measures.FIGURE_ROLES)
def figures(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("period") if request.GET.get("period") in ("month", "quarter", "year") else "month"
    on = _month(request.GET.get("on"))
    by = request.GET.get("by") if request.GET.get("by") in measures.DIMENSIONS else "department"
    period = measures.period_of(kind, on)
    now = timezone.now()
    found = measures.figures(request.user, by, period, now=now)
    query = {"period": kind, "on": f"{period.start:%Y-%m}"}
    param = "unit" if by in measures.UNIT_DIMENSIONS else by
    base = reverse("cases:case_list")
    rows = [_shown(row, query, param, base) for row in found.rows]
    departments = (
        found if by == "department" else measures.figures(request.user, "department", period, now=now)
    )
    charted = [r for r in departments.rows if r.counts[measures.DUE]][:CHART_BARS]
    chart = (
        bar_chart(
            _("Completed on time by department (%)"),
            [str(r.of) for r in charted],
            [(_("Completed on time"), [r.on_time_rate.rate for r in charted])],
            percent=True,
        )
        if charted
        else None
    )
    return render(
        request,
        "cases/figures.html",
        {
            "period": period,
            "kind": kind,
            "on": f"{period.start:%Y-%m}",
            "by": by,
            "dimensions": measures.DIMENSIONS,
            "periods": measures.PERIOD_CHOICES,
            "rows": rows,
            # a unit's counts are its dispatches': their sum opens onto no one list of cases
            "total": _shown(found.total, query, None, "" if by in measures.UNIT_DIMENSIONS else base),
            "labels": measures.LABELS,
            "chart": chart,
        },
    )


urlpatterns = [path("cases/figures/", figures, name="figures")]
