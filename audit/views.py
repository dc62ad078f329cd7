"""The audit log pages: read-only, for platform administrators only."""

from __future__ import annotations

import json

import django_tables2 as tables
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_tables2 import RequestConfig

from accounts.decorators import role_required
from accounts.models import Role
from audit.filters import AuditEventFilter
from audit.labels import action_label
from audit.models import AuditEvent, Outcome
from gongjian.pages import CappedPaginator, get_visible_or_404

PER_PAGE = 50
OUTCOME_BADGE: dict[str, str] = {
    Outcome.SUCCESS: "text-bg-success",
    Outcome.FAILURE: "text-bg-warning",
    Outcome.DENIED: "text-bg-danger",
}
SECONDARY = {"th": {"class": "gj-hide-sm"}, "td": {"class": "gj-hide-sm"}}


class AuditEventTable(tables.Table):
    at = tables.Column(
        verbose_name=_("When"),
        linkify=lambda record: reverse("audit:event_detail", args=[record.public_id]),
        attrs={"td": {"class": "text-nowrap"}},
    )
    actor_label = tables.Column(verbose_name=_("Who"), default="—")
    action = tables.Column(verbose_name=_("What"), attrs={"td": {"class": "small"}})
    target_label = tables.Column(verbose_name=_("Target"), default="—", attrs=SECONDARY, orderable=False)
    ip_address = tables.Column(verbose_name=_("From"), default="—", attrs=SECONDARY)
    outcome = tables.Column(verbose_name=_("Outcome"))

    class Meta:
        model = AuditEvent
        fields = ("at", "actor_label", "action", "target_label", "ip_address", "outcome")
        attrs = {"class": "table table-sm table-hover align-middle mb-2 bg-white"}
        empty_text = _("No audit events match.")

    def render_at(self, value):
        """Local time, Y-m-d H:i; the year is dropped on narrow phones."""
        local = timezone.localtime(value)
        return format_html(
            '<span class="gj-hide-sm">{}</span>{}', date_format(local, "Y-"), date_format(local, "m-d H:i")
        )

    def render_action(self, value: str):
        """The action in words (audit/labels.py), its code under it; dotted codes may wrap after each dot
        on narrow screens."""
        return format_html(
            '{}<div class="small text-muted font-monospace">{}</div>',
            action_label(value),
            format_html_join(mark_safe(".<wbr>"), "{}", ((part,) for part in value.split("."))),
        )

    def render_outcome(self, record: AuditEvent):
        return format_html(
            '<span class="badge {}">{}</span>',
            OUTCOME_BADGE.get(record.outcome, "text-bg-secondary"),
            record.get_outcome_display(),
        )


@role_required(Role.PLATFORM_ADMIN)
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = AuditEventFilter(request.GET, queryset=AuditEvent.objects.visible_to(request.user))
    table = AuditEventTable(filterset.qs)
    RequestConfig(request, paginate={"paginator_class": CappedPaginator, "per_page": PER_PAGE}).configure(
        table
    )
    return render(
        request,
        "audit/event_list.html",
        {
            "table": table,
            "total": table.paginator.count,
            "form": filterset.form,
            "searching": any(request.GET.get(name) for name in filterset.form.fields),
        },
    )


@role_required(Role.PLATFORM_ADMIN)
def event_detail(request: HttpRequest, public_id) -> HttpResponse:
    event = get_visible_or_404(AuditEvent, request.user, public_id)
    return render(
        request,
        "audit/event_detail.html",
        {
            "event": event,
            "action_label": action_label(event.action),
            "outcome_badge": OUTCOME_BADGE.get(event.outcome, "text-bg-secondary"),
            "detail_json": json.dumps(event.detail, ensure_ascii=False, indent=2, sort_keys=True),
            "breadcrumbs": [
                {"label": _("Audit log"), "url": reverse("audit:event_list")},
                {"label": action_label(event.action), "url": ""},
            ],
        },
    )
