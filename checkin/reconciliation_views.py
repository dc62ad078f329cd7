"""Reconciliation pages (信息比对): a unit's roster against check-ins, an area's check-ins and rates,
and their Excel exports (masked numbers, formula-escaped cells, audited as export.reconciliation).

The numbers come from checkin.reconciliation; these views look the unit or area up through
``visible_to`` (outside the scope: 404), read the period and filters, and render."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role, RoleGrant
from accounts.scope import scope_for
from audit.actions import record_event
from checkin import chase
from checkin import reconciliation as rec
from gongjian.charts import bar_chart, line_chart
from gongjian.pages import AuthedRequest, get_visible_or_404, lookup_or_404, paginate
from jobs.workbooks import XLSX_CONTENT_TYPE, write_table
from orgs.models import Unit
from people.models import Member
from places.models import Area, AreaLevel

ROSTER_PER_PAGE = 100
CHASE_PER_PAGE = 50
CHASE_EXPORT = "checkin_unreported"  # checkin/exports.py


class PeriodForm(forms.Form):
    """The period selector: this month / quarter / year, or a custom span."""

    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        required=False,
        choices=[
            ("month", gettext_lazy("This month")),
            ("quarter", gettext_lazy("This quarter")),
            ("year", gettext_lazy("This year")),
            ("custom", gettext_lazy("Custom")),
        ],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    start = forms.DateField(
        label=gettext_lazy("Start date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )
    end = forms.DateField(
        label=gettext_lazy("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("period") == "custom" and not (data.get("start") and data.get("end")):
            raise forms.ValidationError(gettext_lazy("Give both dates of a custom period."))
        return data


def _period(request: HttpRequest) -> tuple[rec.Period, PeriodForm]:
    """The period the page asks for; this month when it asks for nothing valid."""
    form = PeriodForm(request.GET or None)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        return rec.Period.of(data["period"] or "month", start=data["start"], end=data["end"]), form
    return rec.Period.of("month"), form


def _reconciliation_crumb() -> dict:
    return {"label": _("Reconciliation"), "url": reverse("checkin:reconciliation")}


# --- overview: send each role to its own page ------------------------------------------------------


@role_required(*R.RECONCILIATION_ROLES)
def overview(request: AuthedRequest) -> HttpResponse:
    """Unit admins and inspectors go to their unit, area roles to their top area, the platform
    administrator to the city; holders of several go through a short chooser."""
    scope = scope_for(request.user)
    if scope.everything:
        city = Area.objects.filter(level=AreaLevel.CITY).order_by("path").first()
        city = city or Area.objects.filter(parent__isnull=True).order_by("path").first()
        if city is None:
            raise PermissionDenied
        return redirect("checkin:area_reconciliation", city.public_id)
    grants = RoleGrant.objects.filter(user=request.user)
    areas = list(
        Area.objects.filter(
            path__in=scope.area_paths, pk__in=grants.filter(role__in=R.AREA_ROLES).values("area")
        )
    )
    units = list(
        Unit.objects.filter(pk__in=grants.filter(role__in=(Role.UNIT_ADMIN, Role.INSPECTOR)).values("unit"))
    )
    targets = [
        *(
            {"label": a.name, "url": reverse("checkin:area_reconciliation", args=[a.public_id])}
            for a in areas
        ),
        *(
            {"label": u.name, "url": reverse("checkin:unit_reconciliation", args=[u.public_id])}
            for u in units
        ),
    ]
    if not targets:
        raise PermissionDenied
    if len(targets) == 1:
        return redirect(targets[0]["url"])
    return render(
        request,
        "checkin/reconciliation/choose.html",
        {"targets": targets, "breadcrumbs": [{"label": _("Reconciliation"), "url": ""}]},
    )


# --- a unit ----------------------------------------------------------------------------------------


@role_required(*R.RECONCILIATION_ROLES)
def unit_reconciliation(request: HttpRequest, public_id) -> HttpResponse:
    """The unit's in-service roster against its check-ins, the rate for a period, and the export."""
    unit = get_visible_or_404(Unit, request.user, public_id)
    period, form = _period(request)
    status = request.GET.get("status", "")
    status = status if status in rec.STATUSES else ""
    rows = rec.unit_roster(unit)
    shown = [row for row in rows if not status or row.status == status]
    if request.GET.get("export") == "xlsx":
        return _export_unit(request, unit, shown, status)
    summary = rec.summarize(rows)
    query = request.GET.copy()
    for key in ("status", "page", "export"):
        query.pop(key, None)
    return render(
        request,
        "checkin/reconciliation/unit.html",
        {
            "unit": unit,
            "summary": summary,
            "rate": rec.rates(units=[unit], start=period.start, end=period.end),
            "period": period,
            "form": form,
            "status": status,
            "filters": [
                {"value": "", "label": _("All"), "count": summary["members"]},
                *({"value": s, "label": rec.STATUS_LABELS[s], "count": summary[s]} for s in rec.STATUSES),
            ],
            "page": paginate(request, shown, per_page=ROSTER_PER_PAGE)["page"],
            "keep": query.urlencode(),
            "export_query": _with(request, export="xlsx"),
            "breadcrumbs": [_reconciliation_crumb(), {"label": unit.name, "url": ""}],
        },
    )


def _export_unit(request: HttpRequest, unit: Unit, rows: list[rec.RosterRow], status: str) -> HttpResponse:
    def line(row: rec.RosterRow) -> list:
        c = row.checkin
        return [
            row.member.name,
            row.member.masked_phone,
            row.status_label,
            c.community.name if c else "",
            c.submitted_at if c else None,
            c.certified_at if c else None,
            c.confirmed_at if c else None,
            row.days_waiting,
        ]

    headers = [
        _("Full name"),
        _("Phone"),
        _("Status"),
        _("Community"),
        _("Submitted at"),
        _("Certified at"),
        _("Confirmed at"),
        _("Days waiting"),
    ]
    return _xlsx(
        request,
        target=unit,
        title=_("Reconciliation") + f" {unit.name}",
        headers=headers,
        widths=[12, 15, 14, 18, 17, 17, 17, 10],
        rows=(line(row) for row in rows),
        detail={"scope": "unit", "status": status},
    )


# --- an area ---------------------------------------------------------------------------------------


def _areas_for(request: HttpRequest):
    """The areas whose pages the user may open (``chase.openable_areas``)."""
    return chase.openable_areas(request.user)


@role_required(*R.AREA_ROLES)
def area_reconciliation(request: HttpRequest, public_id) -> HttpResponse:
    """An area's check-ins by status, its rate and its rate month by month, whom to chase, the
    pending backlog, child areas and top units."""
    area = lookup_or_404(_areas_for(request), public_id)
    form = _period(request)[1]  # the selector as the page shows it
    if request.GET.get("export") == "xlsx":
        return _export_area(request, area)
    query = request.GET.copy()
    query["area"] = str(area.public_id)
    for key in ("page", "export"):
        query.pop(key, None)
    wanted = chase.ChaseFilter(query, queryset=_chase_members(request), request=request)
    period = wanted.chosen_period()  # one period for the rate, the list, the chart and the export
    summary = rec.area_summary(area, request.user, period=period)
    ancestors = list(_areas_for(request).filter(pk__in=area.ancestors().values("pk")).order_by("depth"))
    visible_units = set(
        Unit.objects.visible_to(request.user)
        .filter(public_id__in=[u.public_id for u in summary.top_units])
        .values_list("public_id", flat=True)
    )
    return render(
        request,
        "checkin/reconciliation/area.html",
        {
            "area": area,
            "summary": summary,
            "period": period,
            "form": form,
            "keep": request.GET.urlencode(),
            "visible_units": visible_units,
            "labels": rec.STATUS_LABELS,
            "export_query": _with(request, export="xlsx"),
            **_chase_context(request, wanted, query, summary.rate),
            "chart": _rate_chart(area, period),
            "children_chart": _children_chart(summary),
            "breadcrumbs": [
                _reconciliation_crumb(),
                *(
                    {"label": a.name, "url": reverse("checkin:area_reconciliation", args=[a.public_id])}
                    for a in ancestors
                ),
                {"label": area.name, "url": ""},
            ],
        },
    )


def _chase_members(request: HttpRequest):
    return Member.objects.visible_to(request.user).select_related("unit")


def _chase_context(request: HttpRequest, wanted: chase.ChaseFilter, query, rate: rec.Rate) -> dict:
    """Whom to chase: a page of the rows, the count of each status, and the export's link (the same
    FilterSet, so the list, its counts and the sheet agree)."""
    wanted.form.is_valid()  # fills cleaned_data with the valid fields, as the FilterSet reads them
    status = wanted.form.cleaned_data.get("status") or ""
    counts = chase.status_counts(wanted.unfiltered(_chase_members(request)))
    everyone = sum(counts.values())
    pager = paginate(request, wanted.qs, per_page=CHASE_PER_PAGE)
    page = pager["page"]
    today = timezone.localdate()
    keep = request.GET.copy()
    for key in ("status", "page", "export"):
        keep.pop(key, None)
    return {
        "chase_pager": pager,
        "chase_rows": [
            (m, rec.STATUS_LABELS[m.checkin_status], chase.days_waiting(m.waiting_since, today))
            for m in page.object_list
        ],
        "chase_status": status,
        "status": status,  # kept by the period selector
        "chase_total": everyone,
        "chase_unseen": max(0, rate.members - rate.reported - everyone) if not query.get("q") else 0,
        "chase_filters": [
            {"value": "", "label": _("All"), "count": everyone},
            *(
                {"value": s, "label": rec.STATUS_LABELS[s], "count": counts[s]}
                for s in rec.STATUSES
                if counts[s] or s != rec.CONFIRMED
            ),
        ],
        "chase_keep": keep.urlencode(),
        "chase_q": query.get("q", ""),
        "chase_export": CHASE_EXPORT,
        "chase_export_query": query.urlencode(),  # the page's filters and its area
    }


def _rate_chart(area: Area, period: rec.Period) -> dict:
    """The area's rate in each of the last months up to the period's end (one query), as a line."""
    months = chase.last_months(period.end, chase.CHART_MONTHS)
    rates = chase.monthly_rates(area, months)
    span = {"start": f"{months[0].start:%Y-%m}", "end": f"{months[-1].start:%Y-%m}"}
    return line_chart(  # the months as numbers, so that six fit a phone's width; the title gives the span
        _("Check-in rate by month, %(start)s to %(end)s") % span,
        [f"{m.start:%m}" for m in months],
        [(_("Check-in rate"), [r.percent for r in rates])],
        percent=True,
    )


def _children_chart(summary) -> dict | None:
    """The rate of each child area as bars beside the table (which stays): the lagging ones stand out."""
    rows = [row for row in summary.children if row.rate.percent is not None]
    if len(rows) < 2:
        return None
    return bar_chart(
        _("Check-in rate by area"),
        [row.area.name for row in rows],
        [(_("Check-in rate"), [round(row.rate.percent, 1) for row in rows])],
        percent=True,
    )


def _export_area(request: HttpRequest, area: Area) -> HttpResponse:
    today = timezone.localdate()

    def line(c) -> list:
        status = rec.STATUS_OF_STATE[c.state]
        since = c.certified_at if status == rec.AWAITING_CONFIRMATION else c.submitted_at
        return [
            c.member.name,
            c.member.masked_phone,
            c.unit.name if c.unit else "",
            c.community.name,
            str(rec.STATUS_LABELS[status]),
            c.submitted_at,
            c.certified_at,
            c.confirmed_at,
            None if status == rec.CONFIRMED else (today - timezone.localtime(since).date()).days,
        ]

    headers = [
        _("Full name"),
        _("Phone"),
        _("Unit"),
        _("Community"),
        _("Status"),
        _("Submitted at"),
        _("Certified at"),
        _("Confirmed at"),
        _("Days waiting"),
    ]
    return _xlsx(
        request,
        target=area,
        title=_("Check-ins") + f" {area.name}",
        headers=headers,
        widths=[12, 15, 26, 16, 14, 17, 17, 17, 10],
        rows=(line(c) for c in rec.active_in_area(area, request.user).iterator(chunk_size=1000)),
        detail={"scope": "area"},
    )


# --- shared ----------------------------------------------------------------------------------------


def _with(request: HttpRequest, **params) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


def _xlsx(request: HttpRequest, *, target, title: str, headers, widths, rows, detail: dict) -> HttpResponse:
    """Write the sheet (every cell through jobs.workbooks' formula escaping), audit it, send it."""
    out = io.BytesIO()
    count = write_table(out, title=title, headers=headers, widths=widths, rows=rows)
    record_event(
        actor=request.user,
        action="export.reconciliation",
        target=target,
        request=request,
        detail={**detail, "rows": count},
    )
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    filename = f"{title}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response
