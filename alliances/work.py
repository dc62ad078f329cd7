"""Alliance work on the homes (gongjian.work):

- the lead's staff (the street's or community's staff over the alliance, its secretary and deputies):
  agreements expiring within 30 days or expired (``alliances.agreements_expiring``), overdue
  resolutions (``alliances.overdue_tasks``), held meetings without published minutes
  (``alliances.minutes_to_publish``), this month's chair not planned (``alliances.chair_to_plan``);
- a member unit's admin (or department): agreements to sign (``alliances.agreements_to_sign``), open
  tasks (``alliances.unit_tasks``, overdue first), board posts unread (``alliances.unread_posts``),
  inspection notes to answer (``alliances.notes_to_answer``), its chair month to plan
  (``alliances.unit_chair_to_plan``);
- an invitee: today's meetings to sign in to (``alliances.sign_in_today``).

One query per kind of item (none for a user with nothing to lead, speak for or attend)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from access.staff import staffed_q
from accounts.models import Role
from alliances.access import LEAD_POSTS, spoken_units
from alliances.models import (
    Agreement,
    AgreementState,
    Alliance,
    AllianceMember,
    AlliancePost,
    BoardPost,
    BoardRead,
    ChairTurn,
    InspectionNote,
    Invitation,
    Meeting,
    MeetingState,
    MinutesState,
    Resolution,
)
from gongjian.work import Item, to_do
from orgs.models import Unit

EXPIRY_DAYS = 30
STAFF_ROLES = (Role.STREET, Role.COMMUNITY)


def led_alliances(user: Any, scope: Any):
    """The alliances the user runs (``alliances.access.leads`` for all of them at once)."""
    q = Q(pk__in=AlliancePost.objects.current().filter(user=user, role__in=LEAD_POSTS).values("alliance_id"))
    if scope.roles.intersection(STAFF_ROLES):
        q |= staffed_q(user, "area_path")
    return Alliance.objects.active().filter(q)


def _url(name: str, **query: Any) -> str:
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


@to_do
def lead_work(user: Any, scope: Any) -> list[Item]:
    if scope.everything or not user.is_authenticated:
        return []
    led = list(led_alliances(user, scope).values_list("pk", "public_id"))
    if not led:
        return []
    ids = [pk for pk, _public in led]
    only = {"alliance": led[0][1]} if len(led) == 1 else {}
    today = timezone.localdate()
    month = today.replace(day=1)
    expiring = Agreement.objects.filter(alliance_id__in=ids).filter(
        Q(pk__in=Agreement.objects.expiring_within(today, EXPIRY_DAYS))
        | Q(pk__in=Agreement.objects.expired_on(today))
    )
    agreements = expiring.aggregate(
        n=Count("id"), since=Min("ends_on"), expired=Count("id", filter=Q(ends_on__lt=today))
    )
    overdue = (
        Resolution.objects.overdue(today)
        .filter(meeting__alliance_id__in=ids)
        .aggregate(n=Count("id"), since=Min("due_on"))
    )
    minutes = (
        Meeting.objects.held()
        .filter(alliance_id__in=ids)
        .exclude(minutes_state=MinutesState.PUBLISHED)
        .aggregate(n=Count("id"), since=Min("ends_at"))
    )
    unplanned = ChairTurn.objects.filter(alliance_id__in=ids, month=month, plan="").count()
    return [
        Item(
            "alliances.agreements_expiring",
            _("Agreements expiring within 30 days or expired: renew them"),
            agreements["n"],
            _url("alliances:agreement_list", **only, expiring="true"),
            overdue=bool(agreements["expired"]),
        ),
        Item(
            "alliances.overdue_tasks",
            _("Alliance tasks past their due date"),
            overdue["n"],
            _url("alliances:resolution_list", **only, overdue="true"),
            since=overdue["since"],
            overdue=True,
        ),
        Item(
            "alliances.minutes_to_publish",
            _("Held meetings whose minutes are not published"),
            minutes["n"],
            _url("alliances:meeting_list", **only, minutes="unpublished"),
            since=minutes["since"],
        ),
        Item(
            "alliances.chair_to_plan",
            _("This month's chair has no activity planned"),
            unplanned,
            reverse("alliances:workbench", kwargs={"public_id": led[0][1]})
            if len(led) == 1
            else reverse("alliances:index"),
            since=month,
        ),
    ]


def _scalar(queryset, aggregate) -> Coalesce | Subquery:
    """One figure of ``queryset`` as a scalar subquery (so that a unit's items cost one query)."""
    rows = queryset.order_by().annotate(one=Value(1)).values("one").annotate(x=aggregate).values("x")[:1]
    return Subquery(rows)


@to_do
def unit_work(user: Any, scope: Any) -> list[Item]:
    if scope.everything:
        return []
    units = spoken_units(user)
    if not units:
        return []
    today = timezone.localdate()
    month = today.replace(day=1)
    page = reverse("alliances:my_unit")
    to_sign = Agreement.objects.filter(
        unit_id__in=units, state=AgreementState.DRAFT, unit_signed_at__isnull=True
    )
    tasks = Resolution.objects.open().filter(owner_unit_id__in=units)
    member_of = AllianceMember.objects.current().filter(unit_id__in=units).values("alliance_id")
    read = BoardRead.objects.filter(post=OuterRef("pk"), unit_id__in=units)
    unread = BoardPost.objects.filter(alliance_id__in=member_of).exclude(Exists(read))
    notes = InspectionNote.objects.filter(unit_id__in=units, answered_at__isnull=True)
    chair = ChairTurn.objects.filter(
        unit_id__in=units, month__gte=month, month__lte=month + timedelta(days=31), plan=""
    )
    found = (
        Unit.objects.filter(pk__in=units)
        .order_by("pk")
        .annotate(
            signing=Coalesce(_scalar(to_sign, Count("id")), 0),
            signing_since=_scalar(to_sign, Min("created_at")),
            tasks=Coalesce(_scalar(tasks, Count("id")), 0),
            tasks_since=_scalar(tasks, Min("created_at")),
            tasks_overdue=Coalesce(_scalar(tasks.filter(due_on__lt=today), Count("id")), 0),
            unread=Coalesce(_scalar(unread, Count("id")), 0),
            unread_since=_scalar(unread, Min("published_at")),
            notes=Coalesce(_scalar(notes, Count("id")), 0),
            notes_since=_scalar(notes, Min("created_at")),
            chair=Coalesce(_scalar(chair, Count("id")), 0),
        )
        .values(
            "signing",
            "signing_since",
            "tasks",
            "tasks_since",
            "tasks_overdue",
            "unread",
            "unread_since",
            "notes",
            "notes_since",
            "chair",
        )
        .first()
    )
    if found is None:
        return []
    return [
        Item(
            "alliances.agreements_to_sign",
            _("Alliance agreements for your unit to sign"),
            found["signing"],
            f"{page}#agreements",
            since=found["signing_since"],
        ),
        Item(
            "alliances.unit_tasks",
            _("Alliance tasks your unit owns"),
            found["tasks"],
            f"{page}#tasks",
            since=found["tasks_since"],
            overdue=bool(found["tasks_overdue"]),
        ),
        Item(
            "alliances.unread_posts",
            _("Alliance board posts your unit has not read"),
            found["unread"],
            f"{page}#unread",
            since=found["unread_since"],
        ),
        Item(
            "alliances.notes_to_answer",
            _("Inspection notes to answer"),
            found["notes"],
            f"{page}#notes",
            since=found["notes_since"],
        ),
        Item(
            "alliances.unit_chair_to_plan",
            _("Your unit chairs the alliance soon: plan its themed activity"),
            found["chair"],
            f"{page}#chairs",
        ),
    ]


@to_do
def invitee_work(user: Any, scope: Any) -> list[Item]:
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    invited = list(
        Invitation.objects.filter(
            user=user,
            signed_in_at__isnull=True,
            excused="",
            meeting__state=MeetingState.PLANNED,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=start + timedelta(days=1),
        )
        .order_by("meeting__starts_at")
        .values_list("meeting__public_id", flat=True)[:20]
    )
    if not invited:
        return []
    url = (
        reverse("alliances:meeting_detail", kwargs={"public_id": invited[0]})
        if len(invited) == 1
        else reverse("alliances:meeting_list")
    )
    return [Item("alliances.sign_in_today", _("Meetings today: sign in when you arrive"), len(invited), url)]
