"""Check-in reminders, as plain functions the periodic tasks (checkin.tasks) and the tests call.

Both go through notifications.actions.notify: an in-app notification, delivered through the outside
channels in the background. Dedupe keys keep a reminder to one per person: a member is not reminded
again while the last reminder is unread; a community user gets at most one backlog reminder a day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import cast

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Role, RoleGrant
from checkin.models import CheckIn
from notifications.actions import notify
from people.models import Member

UNREPORTED_KEY = "checkin.unreported"


def unreported_members():
    """In-service members with an active account and no active check-in."""
    return (
        Member.objects.in_service()
        .filter(unit__isnull=False, user__isnull=False, user__is_active=True)
        .filter(~Exists(CheckIn.objects.active().filter(member_id=OuterRef("pk"))))
        .select_related("user")
    )


def remind_unreported_members() -> int:
    """Remind each in-service member who has not checked in; returns how many were notified."""
    with translation.override(settings.LANGUAGE_CODE):
        return notify(
            recipients=(member.user for member in unreported_members().iterator(chunk_size=2000)),
            kind="checkin.reminder",
            title=_("You have not reported to your community yet: check in online"),
            body=_("In-service members report to the community where they live. It takes two minutes."),
            url=reverse("checkin:my_checkin"),
            dedupe_key=UNREPORTED_KEY,
        )


def overdue_by_community(*, days: int | None = None) -> dict[int, int]:
    """Community id → number of certified check-ins waiting for confirmation longer than ``days``."""
    days = settings.CHECKIN_PENDING_REMINDER_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    return dict(
        CheckIn.objects.pending_confirmation()
        .filter(certified_at__lt=cutoff)
        .order_by()
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )


def remind_pending_confirmations(*, today: date | None = None, days: int | None = None) -> int:
    """Tell each community user how many confirmations have waited too long (one message a day)."""
    today = today or timezone.localdate()
    days = settings.CHECKIN_PENDING_REMINDER_DAYS if days is None else days
    overdue = overdue_by_community(days=days)
    if not overdue:
        return 0
    per_user: dict[int, int] = defaultdict(int)
    users = {}
    grants = RoleGrant.objects.filter(
        role=Role.COMMUNITY, area_id__in=overdue, user__is_active=True
    ).select_related("user")
    for grant in grants:  # each has an area: area_id__in above
        per_user[grant.user_id] += overdue[cast(int, grant.area_id)]
        users[grant.user_id] = grant.user
    by_count: dict[int, list] = defaultdict(list)
    for user_id, count in per_user.items():
        by_count[count].append(users[user_id])
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for count, recipients in sorted(by_count.items()):
            sent += notify(
                recipients=recipients,
                kind="checkin.pending_reminder",
                title=ngettext(
                    "%(n)d check-in has waited more than %(days)d days for your confirmation",
                    "%(n)d check-ins have waited more than %(days)d days for your confirmation",
                    count,
                )
                % {"n": count, "days": days},
                url=reverse("checkin:community_page"),
                dedupe_key=f"checkin.pending.{today.isoformat()}",
            )
    return sent
