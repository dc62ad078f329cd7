"""Writes to alliances and their member units: found an alliance, let a unit join (once), let it leave.
Every change is an ``AllianceEvent`` and an audit row in the same transaction."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import staffs
from alliances.access import leads
from alliances.models import Alliance, AllianceKind, AllianceMember, AllianceState
from alliances.steps import clean_text, event, lock
from audit.actions import record_event
from places.models import AreaLevel

KIND_LEVELS = {
    AllianceKind.STREET: (AreaLevel.STREET,),
    AllianceKind.COMMUNITY: (AreaLevel.COMMUNITY,),
    AllianceKind.BIG_COMMITTEE: (AreaLevel.STREET, AreaLevel.COMMUNITY),
}


@transaction.atomic
def create_alliance(
    *,
    acting_user,
    name: str,
    kind: str,
    area,
    lead_org=None,
    charter: str = "",
    founded_on: date | None = None,
    request=None,
) -> Alliance:
    """A street's or community's party organisation founds an alliance over its area."""
    if kind not in AllianceKind.values:
        raise ValidationError(_("Choose the kind of alliance."))
    if area.level not in KIND_LEVELS[AllianceKind(kind)]:
        raise ValidationError(
            _("A %(kind)s is led from a street or a community of the right level.")
            % {"kind": AllianceKind(kind).label}
        )
    if not staffs(acting_user, area):
        raise PermissionDenied(
            _("Only the party organisation of %(area)s can found its alliance.") % {"area": area.name}
        )
    if lead_org is not None and lead_org.area_id != area.pk:
        raise ValidationError(
            _("The lead party organisation must be the one of %(area)s.") % {"area": area.name}
        )
    alliance = Alliance.objects.create(
        name=clean_text(name, field=_("Name"), max_length=80),
        kind=kind,
        area=area,
        area_path=area.path,
        lead_org=lead_org,
        charter=clean_text(charter, field=_("Covenant"), max_length=4000, required=False),
        founded_on=founded_on or timezone.localdate(),
        created_by=acting_user,
    )
    event(alliance, "found", acting_user)
    record_event(actor=acting_user, action="alliances.alliance_created", request=request, target=alliance)
    return alliance


def require_lead(user, alliance: Alliance) -> None:
    if not leads(user, alliance):
        raise PermissionDenied(_("Only the alliance's lead organisation can do this."))
    if alliance.state != AllianceState.ACTIVE:
        raise ValidationError(_("The alliance is dissolved."))


@transaction.atomic
def add_member_unit(
    *, acting_user, alliance: Alliance, unit, joined_on: date | None = None, note: str = "", request=None
) -> AllianceMember:
    """A unit joins the alliance. A unit cannot join the same alliance twice; one that left comes back on
    its old row. It is active once an agreement of its is signed and in force."""
    alliance = lock(alliance)
    require_lead(acting_user, alliance)
    joined_on = joined_on or timezone.localdate()
    existing = AllianceMember.objects.select_for_update().filter(alliance=alliance, unit=unit).first()
    if existing is not None and existing.left_on is None:
        raise ValidationError(
            _("%(unit)s is already a member of %(alliance)s.")
            % {"unit": unit.name, "alliance": alliance.name}
        )
    note = clean_text(note, field=_("Note"), max_length=200, required=False)
    if existing is not None:
        existing.left_on = None
        existing.joined_on = joined_on
        existing.note = note
        existing.save(update_fields=["left_on", "joined_on", "note"])
        member = existing
        action = "rejoin"
    else:
        try:
            with transaction.atomic():
                member = AllianceMember.objects.create(
                    alliance=alliance, unit=unit, joined_on=joined_on, note=note
                )
        except IntegrityError:
            raise ValidationError(
                _("%(unit)s is already a member of %(alliance)s.")
                % {"unit": unit.name, "alliance": alliance.name}
            ) from None
        action = "join"
    event(member, action, acting_user, alliance=alliance, unit=unit.name)
    record_event(
        actor=acting_user,
        action="alliances.member_joined",
        request=request,
        target=member,
        detail={"alliance": str(alliance.public_id), "unit": unit.name},
    )
    return member


@transaction.atomic
def remove_member_unit(
    *, acting_user, member: AllianceMember, reason: str, left_on: date | None = None, request=None
) -> AllianceMember:
    """A unit leaves the alliance, with a reason; its agreements end that day."""
    from alliances.models import AgreementState

    member = lock(member)
    require_lead(acting_user, member.alliance)
    if member.left_on is not None:
        raise ValidationError(_("%(unit)s has already left.") % {"unit": member.unit.name})
    reason = clean_text(reason, field=_("Reason"), max_length=200)
    left_on = left_on or timezone.localdate()
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    member.alliance.agreements.filter(
        unit=member.unit, state__in=(AgreementState.SIGNED, AgreementState.DRAFT)
    ).update(state=AgreementState.ENDED, ended_on=left_on, end_reason=reason)
    event(member, "leave", acting_user, alliance=member.alliance, reason=reason)
    record_event(
        actor=acting_user,
        action="alliances.member_left",
        request=request,
        target=member,
        detail={"reason": reason},
    )
    return member
