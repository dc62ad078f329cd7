"""Jobs on the homes (gongjian.work): the user's checked rosters, to confirm or to correct."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongjian.work import Item, to_do
from jobs.models import Job, JobKind, JobStatus


@to_do
def rosters_to_confirm(user: Any, scope: Any) -> list[Item]:
    found = Job.objects.filter(
        created_by=user, kind=JobKind.IMPORT_MEMBERS, status=JobStatus.PREVIEW
    ).aggregate(
        clean=Count("id", filter=Q(errors=[])),
        clean_since=Min("created_at", filter=Q(errors=[])),
        faulty=Count("id", filter=~Q(errors=[])),
        faulty_since=Min("created_at", filter=~Q(errors=[])),
    )
    url = reverse("jobs:job_list")
    return [
        Item(
            "jobs.confirm",
            _("Checked rosters waiting for your confirmation"),
            found["clean"],
            url,
            since=found["clean_since"],
        ),
        Item(
            "jobs.correct",
            _("Rosters with errors: correct and upload again"),
            found["faulty"],
            url,
            since=found["faulty_since"],
        ),
    ]
