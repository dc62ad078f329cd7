"""Changes of the check-in renewal period (a city's policy) and the member's renewal (重新报到).

The city's organisation department (or a platform administrator) sets how often members report again
(``access.keeps_city``); a member whose confirmed check-in is due reports again: the old check-in is
checked out and a new one submitted to the same community and place, which the unit certifies and the
community confirms as any other (``transfer_checkin``). Audited, atomic, refused with a message.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import record_event
from checkin.access import keeps_city
from checkin.actions import transfer_checkin
from checkin.models import CheckIn, CheckInPolicy, CheckInState, RenewalPeriod
from checkin.renewal import renewal_due_on
from places.models import Area, AreaLevel
from rollups.counting import forget


@transaction.atomic
def set_renewal_period(
    *, acting_user: User, city: Area, months: int, request: HttpRequest | None = None
) -> CheckInPolicy:
    """How often the city's members report again: ``months`` of RenewalPeriod (0: never). It applies to
    every confirmed check-in of the city at once, older ones included: a check-in confirmed more than
    that long ago is due."""
    if city.level != AreaLevel.CITY:
        raise ValidationError(_("The renewal period is a city's policy."))
    if not keeps_city(acting_user, city):
        raise PermissionDenied(_("Only the city's organisation department sets its check-in policy."))
    if months not in RenewalPeriod.values:
        raise ValidationError(_("Choose a renewal period from the list."))
    policy, _created = CheckInPolicy.objects.select_for_update().get_or_create(
        city=city, defaults={"city_path": city.path}
    )
    before = policy.renewal_months
    policy.renewal_months = months
    policy.city_path = city.path
    policy.updated_at = timezone.now()
    policy.updated_by = acting_user
    policy.save()
    forget(["checkin.rates"])  # which check-ins count changes for every period: counted afresh
    record_event(
        actor=acting_user,
        action="checkin.renewal_period",
        request=request,
        target=city,
        detail={"city": city.code, "months": months, "before": before},
    )
    return policy


@transaction.atomic
def renew_checkin(*, acting_user: User, checkin: CheckIn, request: HttpRequest | None = None) -> CheckIn:
    """The member reports again when their city's renewal is due: the check-out and the new submission
    (each audited by transfer_checkin) and a ``checkin.renew`` row, in one transaction."""
    if checkin.state != CheckInState.CONFIRMED:
        raise ValidationError(_("Only a confirmed check-in is renewed."))
    due = renewal_due_on(checkin)
    if due is None:
        raise ValidationError(_("Your city does not ask members to report again."))
    if due > timezone.localdate():
        raise ValidationError(_("Your check-in holds until %(day)s.") % {"day": due.isoformat()})
    renewed = transfer_checkin(
        acting_user=acting_user,
        checkin=checkin,
        reason=_("Reporting again: the city's renewal period"),
        community=checkin.community,
        compound=checkin.compound,
        building=checkin.building,
        override_reason=checkin.override_reason,
        request=request,
    )
    record_event(
        actor=acting_user,
        action="checkin.renew",
        request=request,
        target=renewed,
        detail={"renews": str(checkin.public_id), "due": due.isoformat()},
    )
    return renewed
