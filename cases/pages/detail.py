"""A case's page: what happened, where, who handles it, and what the viewer may do next."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from cases.models import Case
from gongjian.pages import get_visible_or_404


@login_required
def case_detail(request, public_id):
    case = get_visible_or_404(
        Case.objects.select_related("category", "street", "community"), request.user, public_id
    )
    return render(request, "cases/case_detail.html", {"case": case})


@login_required
def my_case(request, public_id):
    """The reporter's status page (the same case, the reporter's words)."""
    return case_detail(request, public_id)


urlpatterns = [
    path("cases/<uuid:public_id>/", case_detail, name="case_detail"),
    path("cases/mine/<uuid:public_id>/", my_case, name="my_case"),
]
