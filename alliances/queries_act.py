"""Reads of the rotating chair, the activities and the board that pages and the API share (part act)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from access import own_member, own_resident, served_communities_q
from accounts.scope import scope_for
from alliances.models import Activity, ActivityState, Alliance, BoardPost, ChairTurn, OpenTo
from places.paths import ancestor_paths
from points.models import PointEntry


def joinable(user) -> QuerySet[Activity]:
    """Upcoming open activities a member or a resident may join: those of the alliances over the
    community they live in (a member also those of the communities they report to), as ``open_to``
    allows."""
    q = Q(pk__in=[])
    member = own_member(user)
    if member is not None and member.residence_area is not None:
        q |= Q(alliance__area_path__in=ancestor_paths(member.residence_area.path)) & ~Q(
            open_to=OpenTo.RESIDENTS
        )
    if member is not None:
        q |= served_communities_q(scope_for(user), "community_id") & ~Q(open_to=OpenTo.RESIDENTS)
    resident = own_resident(user)
    if resident is not None and resident.residence_area is not None:
        q |= Q(alliance__area_path__in=ancestor_paths(resident.residence_area.path)) & ~Q(
            open_to=OpenTo.MEMBERS
        )
    return Activity.objects.filter(state=ActivityState.OPEN, ends_at__gte=timezone.now()).filter(q)


def readable_activities(user) -> QuerySet[Activity]:
    """What the user may open: ``Activity.objects.visible_to`` and the activities they may join."""
    return Activity.objects.filter(
        Q(pk__in=Activity.objects.visible_to(user).values("pk")) | Q(pk__in=joinable(user).values("pk"))
    )


def with_counts(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """Each activity with its places taken and the people who signed in."""
    return activities.select_related("alliance", "organiser_unit", "community", "category").annotate(
        taken=Count("signups", filter=Q(signups__cancelled_at__isnull=True)),
        came=Count(
            "signups", filter=Q(signups__checked_in_at__isnull=False, signups__cancelled_at__isnull=True)
        ),
    )


def results(activity: Activity) -> dict:
    """What the activity came to: members recorded, residents served, points booked."""
    signups = activity.signups.filter(cancelled_at__isnull=True, checked_in_at__isnull=False)
    records = signups.filter(service_record__isnull=False).values("service_record_id")
    points = PointEntry.objects.filter(record_id__in=records).aggregate(total=Sum("amount"))["total"] or 0
    return {
        "records": records.count(),
        "residents": signups.filter(resident__isnull=False).count(),
        "points": points,
    }


def turns_of(alliance: Alliance, year: int) -> QuerySet[ChairTurn]:
    """The year's chair turns, month by month, with the activities they led."""
    return (
        alliance.chair_turns.filter(month__year=year)
        .select_related("unit", "scheduled_unit")
        .prefetch_related("activities")
        .order_by("month")
    )


def posts_with_reads(alliance: Alliance) -> QuerySet[BoardPost]:
    return alliance.board_posts.select_related("author", "author_unit").prefetch_related("reads")
