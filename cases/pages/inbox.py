"""The department inbox (报到): the dispatches to the user's departments and units awaiting acceptance
(with the time left to accept), being handled (due, late), returned and done recently; a quick accept
and a return with its reason right on each card, each its own POST calling ``cases.actions`` through
``run_action``. Dispatches are read through ``CaseDispatch.objects.for_user`` (another unit's: 404)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from cases import actions, desks
from cases.access import handler_unit_ids
from cases.models import CaseDispatch, DispatchState
from gongjian.pages import lookup_or_404, paginate, run_action

INBOX_ROLES = (Role.DEPARTMENT, Role.UNIT_ADMIN)
PER_PAGE = 20
RECENT_SHOWN = 10


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why return it"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "maxlength": 200}),
    )


def _inbox(request: HttpRequest, *, failed: CaseDispatch | None = None, form: ReturnForm | None = None):
    user = request.user
    now = timezone.now()
    mine = desks.inbox_dispatches(user)
    recent = now - desks.RECENT
    awaiting = paginate(
        request,
        mine.filter(state=DispatchState.AWAITING).order_by("accept_by", "id"),
        param="a",
        per_page=PER_PAGE,
    )
    handling = paginate(
        request,
        mine.filter(state=DispatchState.ACCEPTED).order_by("due_at", "id"),
        param="h",
        per_page=PER_PAGE,
    )
    returned = list(
        mine.filter(state=DispatchState.RETURNED, returned_at__gte=recent).order_by("-returned_at", "-id")[
            :RECENT_SHOWN
        ]
    )
    done = list(
        mine.filter(state=DispatchState.DONE, done_at__gte=recent).order_by("-done_at", "-id")[:RECENT_SHOWN]
    )
    return render(
        request,
        "cases/inbox.html",
        {
            "counts": desks.handler_counts(user, now),
            "awaiting": awaiting,
            "handling": handling,
            "returned": returned,
            "done": done,
            "now": now,
            "several_units": len(handler_unit_ids(user)) > 1,
            "failed": failed.pk if failed is not None else None,
            "return_form": form,
        },
        status=400 if failed is not None else 200,
    )


@require_GET
@role_required(*INBOX_ROLES)
def inbox(request: HttpRequest) -> HttpResponse:
    return _inbox(request)


def _dispatch(request: HttpRequest, public_id) -> CaseDispatch:
    return lookup_or_404(
        CaseDispatch.objects.for_user(request.user).select_related("case", "unit"), public_id
    )


@require_POST
@role_required(*INBOX_ROLES)
def accept(request: HttpRequest, public_id) -> HttpResponse:
    dispatch = _dispatch(request, public_id)
    accepted = _run(
        request,
        actions.accept_dispatch,
        dispatch=dispatch,
        success=_("Accepted: the case is yours to handle."),
    )
    return redirect(f"{_back()}#{'handling' if accepted else 'awaiting'}")


@require_POST
@role_required(*INBOX_ROLES)
def return_case(request: HttpRequest, public_id) -> HttpResponse:
    dispatch = _dispatch(request, public_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _inbox(request, failed=dispatch, form=form)
    done = _run(
        request,
        actions.return_dispatch,
        dispatch=dispatch,
        reason=form.cleaned_data["reason"],
        form=form,
        field="reason",
        success=_("Returned to the street with your reason."),
    )
    if not done:
        return _inbox(request, failed=dispatch, form=form)
    return redirect(f"{_back()}#returned")


def _run(request, action, **arguments) -> bool:
    return run_action(request, action, **arguments).ok


def _back() -> str:
    return reverse("cases:inbox")


urlpatterns = [
    path("cases/inbox/", inbox, name="inbox"),
    path("cases/inbox/<uuid:public_id>/accept/", accept, name="inbox_accept"),
    path("cases/inbox/<uuid:public_id>/return/", return_case, name="inbox_return"),
]
