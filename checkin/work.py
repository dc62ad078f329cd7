"""Check-in work on the homes (gongjian.work): the member's own check-in, the unit's certificates to
issue and members not reported, the community's check-ins to confirm, and the areas lagging behind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from checkin.access import own_member
from checkin.models import CheckIn, CheckInState
from checkin.reconciliation import NOT_SUBMITTED, Period, rates_by_area
from checkin.renewal import city_renewal_months, lapsed_before, renewal_due_on
from gongjian.work import Item, to_do
from orgs.models import Unit
from people.models import Member
from places.models import Area

# A child area whose rate this month is below this share is "lagging" on an official's home.
LAGGING_BELOW = 0.6


@to_do
def own_check_in(user: Any, scope: Any) -> list[Item]:
    """The member: check in if they have not; fix a returned check-in."""
    if Role.MEMBER not in scope.roles:
        return []
    member = own_member(user)
    if member is None or not member.in_service:
        return []
    checkin = (
        CheckIn.objects.active()
        .filter(member=member)
        .only("state", "submitted_at", "confirmed_at", "community_path")
        .annotate(city_renewal_months=city_renewal_months())
        .first()
    )
    url = reverse("checkin:my_checkin")
    if checkin is None:
        return [Item("checkin.report", _("Report to the community where you live"), 1, url, overdue=True)]
    due = renewal_due_on(checkin)
    if due is not None and due <= timezone.localdate():
        return [
            Item(
                "checkin.renew",
                _("Your city asks members to report again: renew your check-in"),
                1,
                url,
                since=due,
                overdue=True,
            )
        ]
    if checkin.state == CheckInState.RETURNED:
        return [
            Item(
                "checkin.returned",
                _("Your check-in was returned: change it and send it again"),
                1,
                url,
                since=checkin.submitted_at,
                overdue=True,
            )
        ]
    return []


@to_do
def certificates_to_issue(user: Any, scope: Any) -> list[Item]:
    """The unit admin: check-ins of the unit's members waiting for the certificate; members who have
    not reported at all."""
    units = scope.units_for(Role.UNIT_ADMIN)
    if not units:
        return []
    url = reverse("checkin:unit_page")
    waiting = CheckIn.objects.filter(unit_id__in=units, state=CheckInState.SUBMITTED).aggregate(
        n=Count("id"), since=Min("submitted_at")
    )
    silent = (
        Member.objects.in_service()
        .filter(unit_id__in=units)
        .exclude(
            Exists(
                CheckIn.objects.active()
                .filter(member_id=OuterRef("pk"))
                .exclude(lapsed_before(timezone.now()))  # due to report again
            )
        )
        .count()
    )
    return [
        Item(
            "checkin.certify",
            _("Check-ins waiting for the unit's certificate"),
            waiting["n"],
            url,
            since=waiting["since"],
        ),
        Item(
            "checkin.unreported",
            _("In-service members who have not reported"),
            silent,
            _unreported_url(units),
        ),
    ]


def _unreported_url(units: frozenset[int]) -> str:
    """One unit: its roster filtered to those who have not submitted; several: the reconciliation
    overview, which lists the user's units."""
    if len(units) == 1:
        unit = Unit.objects.filter(pk__in=units).only("public_id").first()
        if unit is not None:
            page = reverse("checkin:unit_reconciliation", args=[unit.public_id])
            return f"{page}?{urlencode({'status': NOT_SUBMITTED})}"
    return reverse("checkin:reconciliation")


@to_do
def checkins_to_confirm(user: Any, scope: Any) -> list[Item]:
    """The community: certified check-ins waiting for its confirmation, the oldest first; late past the
    reminder's number of days."""
    paths = scope.paths_for(Role.COMMUNITY)
    if not paths:
        return []
    waiting = CheckIn.objects.visible_to(user).filter(
        scope.area_q("community_path"), state=CheckInState.CERTIFIED
    )
    found = waiting.aggregate(n=Count("id"), since=Min("certified_at"))
    late = found["since"] is not None and found["since"] < timezone.now() - timedelta(
        days=settings.CHECKIN_PENDING_REMINDER_DAYS
    )
    return [
        Item(
            "checkin.confirm",
            _("Check-ins to confirm"),
            found["n"],
            reverse("checkin:community_page"),
            since=found["since"],
            overdue=late,
        )
    ]


@to_do
def lagging_areas(user: Any, scope: Any) -> list[Item]:
    """The street and the organisation department: their child areas whose rate this month is below
    the mark, each opening onto its reconciliation page."""
    held = [*scope.paths_for(Role.STREET), *scope.paths_for(Role.ORG_DEPT)]
    if not held:
        return []
    tops = list(Area.objects.filter(path__in=held).only("public_id", "path", "name"))
    children = list(Area.objects.filter(parent__in=tops).only("public_id", "path", "name", "parent_id"))
    rates = rates_by_area(children, Period.of("month"))
    items = []
    for top in tops:
        lagging = [c for c in children if c.parent_id == top.pk and _lags(rates[c.pk])]
        if lagging:
            worst = min(lagging, key=lambda c: rates[c.pk].value or 0)
            items.append(
                Item(
                    f"checkin.lagging.{top.public_id}",
                    _("Areas of %(area)s below %(mark)d%% this month")
                    % {"area": top.name, "mark": LAGGING_BELOW * 100},
                    len(lagging),
                    reverse("checkin:area_reconciliation", args=[top.public_id]),
                    note=_("Lowest: %(name)s, %(rate)s%%")
                    % {"name": worst.name, "rate": rates[worst.pk].percent},
                )
            )
    return items


def _lags(rate: Any) -> bool:
    return rate.value is not None and rate.value < LAGGING_BELOW
