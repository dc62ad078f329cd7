"""Service figures of a unit and its members for a period (服务率, hours, points, satisfaction). Read-only.

Written once here, for the unit's page, its export and whoever else shows them:

- **Records** are the confirmed service records logged by the unit's members while they worked for it
  (``ServiceRecord.unit``), that started within the period.
- **Served** = the unit's in-service members with at least one such record. **Service rate** = served ÷
  in-service members now (rosters keep no history); no in-service members: the rate is None (the pages
  say "no in-service members"), never a division by zero.
- **Hours** are the records' minutes ÷ 60. **Points** are the ledger entries of kinds service, bonus and
  reversal booked for the unit's service on days of the period (``PointEntry.served_on``), so a
  correction lowers the period it corrects; they are read through the ledger the points app plugs in
  (service/ledger.py), since points sits above service.
- **Rating** is the average score of the beneficiaries' ratings of those records; a project's rating is
  the average of its residents' ratings.

Each function runs a fixed number of aggregate queries whatever the number of members; the member rows
are one query with a subquery per measure (no join fan-out, no query per member), so they add up to the
unit's totals: every member with a record or points of the unit in the period has a row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, F, FloatField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from checkin.reconciliation import Period
from people.models import Member
from service.ledger import ledger
from service.models import Project, Rating, ServiceRecord

PERIOD_CHOICES = [
    ("month", _("This month")),
    ("quarter", _("This quarter")),
    ("year", _("This year")),
]


def period_of(value: str | None) -> Period:
    """This month, quarter or year (this month for anything else)."""
    return Period.of(value if value in ("month", "quarter", "year") else "month")


def unit_records(unit, period: Period) -> QuerySet:
    """The unit's members' confirmed service in the period."""
    return ServiceRecord.objects.confirmed().filter(unit=unit).in_period(*period.bounds())


def unit_points(unit, period: Period) -> QuerySet:
    """The points the unit's members earned for service on days of the period (corrections included)."""
    return (
        ledger().earned_by_service().filter(unit=unit, served_on__gte=period.start, served_on__lte=period.end)
    )


@dataclass(frozen=True)
class ProjectFigure:
    project: Project
    ratings: int
    rating: float | None


@dataclass(frozen=True)
class UnitFigures:
    unit: object
    period: Period
    in_service: int
    served: int
    records: int
    minutes: int
    points: int
    ratings: int
    rating: float | None
    projects: list[ProjectFigure]

    @property
    def rate(self) -> float | None:
        """Served ÷ in-service members, as a percentage; None without in-service members."""
        if not self.in_service:
            return None
        return round(100 * self.served / self.in_service, 1)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def unit_figures(unit, period: Period, *, user=None) -> UnitFigures:
    """The unit's figures for the period, in four queries. With ``user``, only projects they may see
    are listed (the page links to them)."""
    in_service = Member.objects.filter(unit=unit, in_service=True).count()
    totals = unit_records(unit, period).aggregate(
        records=Count("id"),
        minutes=Coalesce(Sum("minutes"), 0),
        served=Count("member", distinct=True, filter=Q(member__unit=unit, member__in_service=True)),
        ratings=Count("rating"),
        rating=Avg("rating__score"),
    )
    points = unit_points(unit, period).aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    projects = Project.objects.filter(participants__unit=unit)
    if user is not None:
        projects = projects.filter(pk__in=Project.objects.visible_to(user).values("pk"))
    projects = (
        projects.select_related("community")
        .annotate(n_ratings=Count("ratings"), avg_rating=Avg("ratings__score"))
        .order_by("-created_at", "-id")
    )
    return UnitFigures(
        unit=unit,
        period=period,
        in_service=in_service,
        served=totals["served"],
        records=totals["records"],
        minutes=totals["minutes"],
        points=points,
        ratings=totals["ratings"],
        rating=_round(totals["rating"]),
        projects=[ProjectFigure(p, p.n_ratings, _round(p.avg_rating)) for p in projects[:100]],
    )


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _per_member(queryset: QuerySet, value) -> Subquery:
    """One aggregate of ``queryset`` (already restricted to the unit and period) for the outer member."""
    return Subquery(
        queryset.filter(member=OuterRef("pk")).order_by().values("member").annotate(v=value).values("v")[:1]
    )


def member_rows(unit, period: Period, members: QuerySet | None = None) -> QuerySet:
    """The unit's in-service members, and anyone else with service or points of the unit in the period,
    each annotated with ``n_records``, ``n_minutes``, ``n_hours``, ``n_points``, ``n_ratings`` and
    ``avg_rating`` (None when unrated); the most hours first. ``members`` narrows the rows (a scope)."""
    records = unit_records(unit, period)
    points = unit_points(unit, period)
    ratings = Rating.objects.filter(record__in=records.values("pk"))
    base = Member.objects.all() if members is None else members
    rows = base.filter(
        Q(unit=unit, in_service=True)
        | Q(pk__in=records.values("member_id"))
        | Q(pk__in=points.values("member_id"))
    ).annotate(
        n_records=Coalesce(_per_member(records, Count("id")), 0),
        n_minutes=Coalesce(_per_member(records, Sum("minutes")), 0),
        n_points=Coalesce(_per_member(points, Sum("amount")), 0),
        n_ratings=Coalesce(
            Subquery(
                ratings.filter(record__member=OuterRef("pk"))
                .order_by()
                .values("record__member")
                .annotate(v=Count("id"))
                .values("v")[:1]
            ),
            0,
        ),
        avg_rating=Subquery(
            ratings.filter(record__member=OuterRef("pk"))
            .order_by()
            .values("record__member")
            .annotate(v=Avg("score"))
            .values("v")[:1],
            output_field=FloatField(),
        ),
    )
    return rows.annotate(n_hours=Cast(F("n_minutes"), FloatField()) / 60.0).order_by(
        F("n_minutes").desc(), "name_initials", "id"
    )


@dataclass(frozen=True)
class MemberFigures:
    records: int
    minutes: int
    points: int
    ratings: int
    rating: float | None

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def member_figures(member, period: Period) -> MemberFigures:
    """One member's confirmed service in the period (wherever they served), in two queries."""
    totals = (
        ServiceRecord.objects.confirmed()
        .filter(member=member)
        .in_period(*period.bounds())
        .aggregate(
            records=Count("id"),
            minutes=Coalesce(Sum("minutes"), 0),
            ratings=Count("rating"),
            rating=Avg("rating__score"),
        )
    )
    points = (
        ledger()
        .earned_by_service()
        .filter(member=member, served_on__gte=period.start, served_on__lte=period.end)
        .aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    )
    return MemberFigures(
        records=totals["records"],
        minutes=totals["minutes"],
        points=points,
        ratings=totals["ratings"],
        rating=_round(totals["rating"]),
    )


__all__ = [
    "PERIOD_CHOICES",
    "MemberFigures",
    "Period",
    "ProjectFigure",
    "UnitFigures",
    "member_figures",
    "member_rows",
    "period_of",
    "unit_figures",
    "unit_points",
    "unit_records",
]
