"""The case list (filtered, paged, exported), the community's and street's dispatch board (new, due
soon, overdue, returned, by handler) and the stuck list (督办). Every read starts from
``Case.objects.visible_to(user)``; the reporter is shown only where ``cases.access.sees_reporter_q``
says so, the phone masked."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from cases import desks
from cases.exports import CASE_LIST_ROLES, cases_for
from cases.filters import CaseFilter
from cases.models import Case
from gongjian.pages import paginate
from service.desk import filters_active, style_filter_form

BOARD_ROLES = R.AREA_ROLES
# The list's roles, and the reporters who follow their own cases on it (visible_to: only theirs).
CASE_READ_ROLES = (*CASE_LIST_ROLES, Role.RESIDENT, Role.MEMBER)
CARDS_SHOWN = 8
PER_PAGE = 25


def _list_rows(queryset):
    return desks.with_dispatches(queryset)


@require_GET
@role_required(*CASE_READ_ROLES)
def case_list(request: HttpRequest) -> HttpResponse:
    """Every case the viewer may see (a reporter: their own), filtered; the figures' links land here."""
    user = request.user
    filterset = CaseFilter(request.GET, queryset=cases_for(user), request=request)
    style_filter_form(filterset.form)
    # a field that does not validate is left out of the filtering and says what is wrong beside it
    pager = paginate(request, _list_rows(filterset.qs), per_page=PER_PAGE)
    return render(
        request,
        "cases/case_list.html",
        {
            "pager": pager,
            "form": filterset.form,
            "searching": filters_active(request, filterset.form),
            "export": "cases" if scope_for(user).has(*CASE_LIST_ROLES) else "",
            "now": timezone.now(),
        },
    )


def _sections():
    listed = reverse("cases:case_list")
    return (
        ("new", _("New: to triage or dispatch"), "primary", f"{listed}?state=triage"),
        ("due_soon", _("Due soon"), "warning", f"{listed}?state=open"),
        ("overdue", _("Overdue"), "danger", f"{listed}?overdue=true"),
        ("returned", _("Returned by the handler"), "info", f"{listed}?state=triage"),
    )


@require_GET
@role_required(*BOARD_ROLES)
def board(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    counts = desks.board_counts(user, now)
    sections = desks.board_sections(user, now, CARDS_SHOWN)
    return render(
        request,
        "cases/board.html",
        {
            "counts": counts,
            "sections": [
                {
                    "key": key,
                    "label": label,
                    "colour": colour,
                    "cards": sections[key],
                    "count": counts[key],
                    "more_url": more,
                }
                for key, label, colour, more in _sections()
            ],
            "handlers": desks.by_handler(user, now),
            "now": now,
        },
    )


@require_GET
@role_required(*BOARD_ROLES)
def stuck(request: HttpRequest) -> HttpResponse:
    """督办: overdue, escalated and still open, or left unanswered past the time to accept."""
    now = timezone.now()
    rows = Case.objects.visible_to(request.user).stuck(now).order_by("due_at", "id")
    pager = paginate(request, _list_rows(rows), per_page=PER_PAGE)
    return render(request, "cases/board_stuck.html", {"pager": pager, "now": now})


urlpatterns = [
    path("cases/", case_list, name="case_list"),
    path("cases/board/", board, name="board"),
    path("cases/stuck/", stuck, name="stuck"),
]
