"""Every change to household pairings (结对帮扶): the community pairs a household with a member or a unit
and ends the pairing; the paired member or unit (or the community) logs visits. Each action checks who is
acting and the rule, writes the change and an audit row in one transaction, and queues notifications in
that transaction; a refused action changes nothing and raises ValidationError or PermissionDenied."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access import helps_household, require_unit_reaches, serves_in, staffs, unit_admins
from audit.actions import record_event
from notifications.actions import notify
from people.models import Member, Resident
from service.models import HouseholdPairing, PairingVisit


@transaction.atomic
def pair_household(
    *,
    acting_user,
    household: Resident,
    reason: str,
    member: Member | None = None,
    unit=None,
    started_on=None,
    request=None,
) -> HouseholdPairing:
    """结对帮扶: the community pairs a member or a unit with a household in need."""
    community = household.residence_area
    if not staffs(acting_user, community):
        raise PermissionDenied(_("Only the household's community or street can pair it."))
    if (member is None) == (unit is None):
        raise ValidationError(_("Pair the household with one member or one unit."))
    if not (reason or "").strip():
        raise ValidationError(_("Say why the household needs a pairing."))
    if member is not None and not serves_in(member, community):
        raise ValidationError(
            _("%(name)s neither lives in nor reports to %(community)s.")
            % {"name": member.name, "community": community.name}
        )
    if unit is not None:
        require_unit_reaches(unit, community)
    existing = HouseholdPairing.objects.active().filter(household=household)
    existing = existing.filter(member=member) if member is not None else existing.filter(unit=unit)
    if existing.exists():
        raise ValidationError(_("They are already paired with this household."))
    pairing = HouseholdPairing.objects.create(
        household=household,
        member=member,
        unit=unit,
        community=community,
        community_path=community.path,
        reason=reason.strip()[:120],
        started_on=started_on or timezone.localdate(),
        created_by=acting_user,
    )
    record_event(actor=acting_user, action="service.household_paired", request=request, target=pairing)
    helper_users = [member.user] if member is not None and member.user_id else unit_admins(unit)
    notify(
        recipients=helper_users,
        kind="service.household_paired",
        title=_("%(community)s paired you with a household: %(reason)s")
        % {"community": community.name, "reason": pairing.reason},
        url=reverse("service:pairing_detail", args=[pairing.public_id]),
    )
    return pairing


@transaction.atomic
def end_household_pairing(
    *, acting_user, pairing: HouseholdPairing, reason: str = "", request=None
) -> HouseholdPairing:
    pairing = (
        HouseholdPairing.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=pairing.pk)
    )
    if not staffs(acting_user, pairing.community):
        raise PermissionDenied(_("Only the community or its street can end a pairing."))
    if pairing.ended_on is not None:
        raise ValidationError(_("This pairing has already ended."))
    pairing.ended_on = timezone.localdate()
    pairing.save(update_fields=["ended_on"])
    record_event(
        actor=acting_user,
        action="service.household_pairing_ended",
        request=request,
        target=pairing,
        detail={"reason": reason},
    )
    return pairing


@transaction.atomic
def log_pairing_visit(
    *, acting_user, pairing: HouseholdPairing, visited_on, note: str, record=None, request=None
) -> PairingVisit:
    """The paired member or unit logs a visit to the household (走访记录)."""
    if not (helps_household(acting_user, pairing) or staffs(acting_user, pairing.community)):
        raise PermissionDenied(_("Only the paired member or unit, or the community, can log visits."))
    if pairing.ended_on is not None:
        raise ValidationError(_("This pairing has ended."))
    if visited_on > timezone.localdate():
        raise ValidationError(_("A visit cannot be in the future."))
    if visited_on < pairing.started_on:
        raise ValidationError(_("The visit is before the pairing started."))
    if not (note or "").strip():
        raise ValidationError(_("Say what was done on the visit."))
    if record is not None and record.pairing_id != pairing.pk:
        raise ValidationError(_("That service record is not for this household."))
    visit = PairingVisit.objects.create(
        pairing=pairing, visited_on=visited_on, note=note.strip()[:300], logged_by=acting_user, record=record
    )
    record_event(actor=acting_user, action="service.pairing_visit_logged", request=request, target=pairing)
    return visit
