"""Service-loop reminders, as plain functions the periodic tasks (service.tasks) and the tests call.

- Offers past their reply time: the community that dispatched is told once per offer, so it can
  withdraw and dispatch again; the assignee is reminded once.
- Needs past their due time: the community is told once per need per day.
- Service records waiting for confirmation more than two days: the community gets one count a day.
Dedupe keys keep each to one unread notification per person.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access import assignee_users, community_staff
from notifications.actions import notify
from service.models import Assignment, Need, ServiceRecord

PENDING_RECORD_DAYS = 2


def remind_overdue_replies(now=None) -> int:
    """Offers not answered by their reply time: tell the community and nudge the assignee."""
    now = now or timezone.now()
    sent = 0
    offers = Assignment.objects.awaiting_reply_too_long(now).select_related(
        "need__community", "member__user", "team", "unit", "assigned_by"
    )
    with translation.override(settings.LANGUAGE_CODE):
        for offer in offers.iterator(chunk_size=500):
            need = offer.need
            url = reverse("service:need_detail", args=[need.public_id])
            key = f"service.reply_overdue:{offer.public_id}"
            sent += notify(
                recipients=[offer.assigned_by] if offer.assigned_by_id else community_staff(need.community),
                kind="service.reply_overdue",
                title=_("No reply from %(who)s on: %(title)s") % {"who": offer.assignee, "title": need.title},
                body=_("Withdraw the offer and dispatch the need to somebody else, or remind them."),
                url=url,
                dedupe_key=key,
            )
            sent += notify(
                recipients=assignee_users(offer),
                kind="service.reply_overdue",
                title=_("%(community)s is waiting for your reply: %(title)s")
                % {"community": need.community.name, "title": need.title},
                url=url,
                dedupe_key=key,
            )
    return sent


def remind_overdue_needs(now=None) -> int:
    """Needs past their due time that nobody has served: tell the community, once a day per need."""
    now = now or timezone.now()
    sent = 0
    day = timezone.localdate(now).isoformat()
    with translation.override(settings.LANGUAGE_CODE):
        for need in Need.objects.overdue(now).select_related("community").iterator(chunk_size=500):
            sent += notify(
                recipients=community_staff(need.community),
                kind="service.need_overdue",
                title=_("Overdue: %(title)s (needed by %(due)s)")
                % {"title": need.title, "due": timezone.localtime(need.due_at).strftime("%Y-%m-%d %H:%M")},
                url=reverse("service:need_detail", args=[need.public_id]),
                dedupe_key=f"service.need_overdue:{need.public_id}:{day}",
            )
    return sent


def remind_pending_records(now=None) -> int:
    """Communities with service records waiting for confirmation more than two days get one count a day."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=PENDING_RECORD_DAYS)
    day = timezone.localdate(now).isoformat()
    waiting = (
        ServiceRecord.objects.pending()
        .filter(created_at__lt=cutoff)
        .order_by()
        .values("community_id")
        .annotate(n=Count("id"))
    )
    from places.models import Area

    sent = 0
    counts = {row["community_id"]: row["n"] for row in waiting}
    with translation.override(settings.LANGUAGE_CODE):
        for community in Area.objects.filter(pk__in=counts):
            n = counts[community.pk]
            sent += notify(
                recipients=community_staff(community),
                kind="service.records_pending",
                title=ngettext(
                    "%(n)d service record has waited more than two days for confirmation",
                    "%(n)d service records have waited more than two days for confirmation",
                    n,
                )
                % {"n": n},
                url=reverse("service:record_list") + "?state=pending",
                dedupe_key=f"service.records_pending:{day}",
            )
    return sent
