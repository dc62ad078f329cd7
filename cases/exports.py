"""The case list's export (jobs.exports finds ``SPECS`` here): the rows the page shows, through
``visible_to`` and the page's CaseFilter. Who reported a case is exported only where the exporter may
see it (``cases.access.sees_reporter_q``, decided in the query), and the phone only masked, built from
its stored hint: everyone else gets empty cells."""

from __future__ import annotations

from django.db.models import CharField, F, Q, Value
from django.db.models.expressions import Case as When_
from django.db.models.expressions import When
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from accounts.models import Role
from cases.access import sees_reporter_q
from cases.filters import CaseFilter
from cases.models import Case
from gongjian.privacy import mask_from_hint
from jobs.exports import Col, ExportSpec

# Who opens the case list (and exports it): the areas, the grid workers, the handlers.
CASE_LIST_ROLES = (*R.AREA_ROLES, Role.GRID_WORKER, Role.DEPARTMENT, Role.UNIT_ADMIN, Role.INSPECTOR)


def with_reporter(queryset, user):
    """Annotate ``reporter_shown`` and ``reporter_phone_shown`` (the phone's hint): empty where the user
    may not see who reported the case."""
    seen = sees_reporter_q(user)
    return queryset.annotate(
        reporter_shown=When_(
            When(seen & ~Q(reporter_name=""), then=F("reporter_name")),
            When(seen & Q(reporter__isnull=False), then=F("reporter__full_name")),
            default=Value(""),
            output_field=CharField(),
        ),
        reporter_phone_shown=When_(
            When(seen, then=F("reporter_phone_hint")), default=Value(""), output_field=CharField()
        ),
    )


def cases_for(user):
    return with_reporter(
        Case.objects.visible_to(user).select_related("category", "street", "community", "grid"), user
    )


def masked_phone(hint) -> str:
    return mask_from_hint("phone", hint or "")


SPECS = {
    spec.name: spec
    for spec in (
        ExportSpec(
            "cases",
            _("Cases"),
            cases_for,
            CaseFilter,
            CASE_LIST_ROLES,
            (
                Col(_("Case number"), "number", 16),
                Col(_("Title"), "title", 28),
                Col(_("Category"), "category.name", 14),
                Col(_("Street"), "street.name", 12),
                Col(_("Community"), "community.name", 12),
                Col(_("Grid"), "grid.name", 14),
                Col(_("Address"), "address", 20),
                Col(_("Reported by"), "get_source_display", 10),
                Col(_("State"), "get_state_display", 14),
                Col(_("Reported at"), "reported_at", 16),
                Col(_("Due"), "due_at", 16),
                Col(_("Resolved at"), "resolved_at", 16),
                Col(_("On time"), "completed_on_time", 8),
                Col(_("Reporter's rating"), "get_rating_display", 10),
                Col(_("Reopened"), "reopen_count", 8),
                Col(_("Escalated"), "escalation_level", 8),
                Col(_("Reporter's name"), "reporter_shown", 10),
                Col(_("Reporter's phone"), "reporter_phone_shown", 14, label=masked_phone),
            ),
        ),
    )
}
