"""Reads of the points pages, the exports and the API: rankings (积分排行) and who may see which.

A ranking counts the points a member *earned* in a period: confirmed service, urgent-need bonuses, and
the corrections of those (a reversed service entry lowers the ranking again). Redemptions spend a
balance but never lower a ranking, and a cancelled redemption's refund does not raise it. Hours are
the time-bank minutes of the same entries. Every ranking is one grouped query, whatever the number of
members; ranks are given in Python from the ordered rows (equal points share a rank: 1, 2, 2, 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet, Sum

from access import served_community_ids, staffed_areas
from accounts.models import Role
from accounts.roles import AREA_ROLES
from accounts.scope import scope_for
from orgs.models import Unit
from places.models import Area, AreaLevel
from places.paths import any_subtree_q
from points.models import EntryKind, PointEntry, PointEntryQuerySet

EARNED_KINDS = (EntryKind.SERVICE, EntryKind.BONUS)
# What a ranking counts: service and bonus entries, and the corrections that reverse them.
EARNING = Q(kind__in=EARNED_KINDS) | Q(kind=EntryKind.REVERSAL, reverses__kind__in=EARNED_KINDS)


@dataclass(frozen=True)
class RankRow:
    rank: int
    member_id: int
    public_id: object
    name: str
    unit: str
    points: int
    minutes: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def earning(entries: PointEntryQuerySet) -> PointEntryQuerySet:
    """The entries a ranking counts (see the module's docstring)."""
    return entries.filter(EARNING)


def earned_by_member(entries: PointEntryQuerySet, start: datetime, end: datetime) -> QuerySet:
    """One row per member with points or hours earned in [start, end), grouped by ``member_id``
    alone: ``member_id, points, time_minutes``, in no order. What the totals and a member's rank
    count, without joining every ranked member's name and unit as the shown rows must."""
    return (
        earning(entries)
        .in_period(start, end)
        .order_by()
        .values("member_id")
        .annotate(points=Sum("amount"), time_minutes=Sum("minutes"))
        .filter(~Q(points=0) | ~Q(time_minutes=0))
    )


def ranking_rows(entries: PointEntryQuerySet, start: datetime, end: datetime) -> QuerySet:
    """One row per member with points or hours earned in [start, end): a grouped query of dicts
    ``member_id, member__public_id, member__name, member__unit__name, points, time_minutes``
    (the minutes banked; ``minutes`` itself is the entries' field), best first."""
    return (
        earning(entries)
        .in_period(start, end)
        .order_by()
        .values("member_id", "member__public_id", "member__name", "member__unit__name")
        .annotate(points=Sum("amount"), time_minutes=Sum("minutes"))
        .filter(~Q(points=0) | ~Q(time_minutes=0))
        .order_by("-points", "-time_minutes", "member__name", "member_id")
    )


def unit_ranking(entries: PointEntryQuerySet, start: datetime, end: datetime, limit: int) -> list[dict]:
    """The units whose members earned the most points in [start, end) (each member's unit now, as
    the members' ranking names it), best first: one grouped query of ``name`` and ``points``."""
    return list(
        earning(entries)
        .in_period(start, end)
        .filter(member__unit__isnull=False)
        .order_by()
        .values(name=F("member__unit__name"))
        .annotate(points=Sum("amount"))
        .filter(points__gt=0)
        .order_by("-points", "name")[:limit]
    )


def ranked(rows: Iterable[dict]) -> Iterator[RankRow]:
    """Competition ranks over rows ordered best first: equal points share the rank."""
    rank, previous = 0, None
    for position, row in enumerate(rows, start=1):
        points = row["points"] or 0
        if points != previous:
            rank, previous = position, points
        yield RankRow(
            rank=rank,
            member_id=row["member_id"],
            public_id=row["member__public_id"],
            name=row["member__name"],
            unit=row["member__unit__name"] or "",
            points=points,
            minutes=row["time_minutes"] or 0,
        )


def ranking(
    entries: PointEntryQuerySet, start: datetime, end: datetime, limit: int | None = None
) -> list[RankRow]:
    """The ranking of the members whose ``entries`` (already scoped and narrowed to a community or a
    unit) fall in [start, end): one aggregate query; ``limit`` keeps the best rows."""
    rows = ranking_rows(entries, start, end)
    return list(ranked(rows if limit is None else rows[:limit]))


@dataclass(frozen=True)
class MyRank:
    community_name: str
    month_rank: int | None
    month_points: int
    year_rank: int | None
    year_points: int
    ranked_members: int  # members with points this year in the community


def my_ranks(
    *, member_id: int, community_ids: Iterable[int], month: tuple[datetime, datetime], year_start: datetime
) -> list[MyRank]:
    """The member's rank in each of their communities this month and this year, in one grouped query
    (the month lies inside the year). A rank is None when the member earned nothing there."""
    ids = list(community_ids)
    if not ids:
        return []
    month_start, month_end = month
    rows = (
        earning(PointEntry.objects.filter(community_id__in=ids))
        .filter(created_at__gte=year_start, created_at__lt=month_end)
        .order_by()
        .values("community_id", "community__name", "member_id")
        .annotate(
            year=Sum("amount"),
            month=Sum("amount", filter=Q(created_at__gte=month_start)),
        )
    )
    per_community: dict[int, list[dict]] = {}
    names: dict[int, str] = {}
    for row in rows:
        per_community.setdefault(row["community_id"], []).append(row)
        names[row["community_id"]] = row["community__name"]
    found = []
    for community_id in ids:
        members = per_community.get(community_id, [])
        mine = next((r for r in members if r["member_id"] == member_id), None)
        found.append(
            MyRank(
                community_name=names.get(community_id, ""),
                month_rank=_rank_within(members, mine, "month"),
                month_points=(mine or {}).get("month") or 0,
                year_rank=_rank_within(members, mine, "year"),
                year_points=(mine or {}).get("year") or 0,
                ranked_members=sum(1 for r in members if (r["year"] or 0) > 0),
            )
        )
    return found


def _rank_within(rows: list[dict], mine: dict | None, key: str) -> int | None:
    own = (mine or {}).get(key) or 0
    if own <= 0:
        return None
    return 1 + sum(1 for r in rows if (r[key] or 0) > own)


# --- who ranks whom --------------------------------------------------------------------------------


def rankable_entries(user) -> QuerySet:
    """The entries a user's rankings read: ``PointEntry.objects.visible_to(user)``, and for members
    also the entries booked in the communities they serve — a community's ranking board is shown to
    its members, as names, points and hours only (never the entries themselves)."""
    scope = scope_for(user)
    visible = PointEntry.objects.visible_to(user)
    if scope.everything or not scope.member_ids:
        return visible
    return visible | PointEntry.objects.filter(community_id__in=served_community_ids(scope))


def ranking_communities(user) -> QuerySet:
    """Communities a user may rank: those in their areas, and for members those they serve."""
    scope = scope_for(user)
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY)
    if scope.everything:
        return communities
    q = _area_q(scope)
    if scope.member_ids:
        q |= Q(pk__in=served_community_ids(scope))
    return communities.filter(q)


def _area_q(scope) -> Q:
    """The user's areas (organisation department, street, community grants) as a filter on ``path``."""
    paths = [p for role in AREA_ROLES for p in scope.paths_for(role)]
    return any_subtree_q("path", paths)


def ranking_units(user) -> QuerySet:
    """Units a user may rank: the units they administer or inspect, and units in their areas."""
    scope = scope_for(user)
    if scope.everything:
        return Unit.objects.all()
    own = scope.units_for(Role.UNIT_ADMIN) | scope.units_for(Role.INSPECTOR)
    q = Q(pk__in=own)
    if any(scope.paths_for(role) for role in AREA_ROLES):
        q |= Q(pk__in=Unit.objects.visible_to(user).values("pk"))
    return Unit.objects.filter(q)


def catalogue_areas(user) -> QuerySet:
    """The communities and streets whose points supermarket (积分超市) the user runs: those they staff."""
    return staffed_areas(user)


def rank_of(entries: PointEntryQuerySet, start: datetime, end: datetime, member_id: int) -> RankRow | None:
    """The member's row of the ranking of ``entries`` in [start, end), with its rank: for a member
    below the rows shown. Two queries: their row, and how many did better."""
    own = ranking_rows(entries, start, end).filter(member_id=member_id).first()
    if own is None:
        return None
    better = earned_by_member(entries, start, end).filter(points__gt=own["points"]).count()
    return replace(next(ranked([own])), rank=better + 1)


def ranking_totals(entries: PointEntryQuerySet, start: datetime, end: datetime) -> dict:
    """Members ranked, and the points and hours of all of them: one query over the entries grouped
    by member (no names or units joined: at city level that join read the whole member table)."""
    totals = earned_by_member(entries, start, end).aggregate(
        total_members=Count("member_id"), total_points=Sum("points"), total_minutes=Sum("time_minutes")
    )
    return {
        "members": totals["total_members"] or 0,
        "points": totals["total_points"] or 0,
        "hours": round((totals["total_minutes"] or 0) / 60, 1),
    }
