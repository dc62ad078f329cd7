"""Jobs on the homes (gongjian.work): the user's checked rosters, to confirm or to correct; and, for
the platform administrator, background tasks that failed in the last week."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongjian.work import Item, to_do
from jobs.models import Job, JobKind, JobStatus, TaskFailure


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


@to_do
def task_failures(user: Any, scope: Any) -> list[Item]:
    if not scope.everything:
        return []
    found = TaskFailure.objects.recent().aggregate(count=Count("id"), since=Min("failed_at"))
    return [
        Item(
            "jobs.task_failures",
            _("Background tasks that failed in the last 7 days"),
            found["count"],
            reverse("jobs:task_failures"),
            since=found["since"],
            overdue=True,
        )
    ]
