"""Every change to a check-in. Each action checks its rule, writes the state and a CheckInEvent in one
transaction, and queues notifications after the commit. A refused action changes nothing and
raises ValidationError or PermissionDenied with a message for the person who tried.

Who may act is in access.py, where the rule sends a member in rules.py, and the state machine in
transitions.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import record_event
from checkin import codes
from checkin.access import (
    administers_unit,
    community_users,
    is_member_themself,
    serves_community,
    unit_admins,
)
from checkin.models import Certificate, CheckIn, CheckInEvent, CheckInRule, CheckInState, VanguardKind
from checkin.rules import grid_branch_for, propose_community
from checkin.transitions import revoke_certificates, transition
from notifications.actions import notify
from orgs.models import PartyOrg, Unit
from people.models import Member
from places.models import Area, AreaLevel, Building, Compound

if TYPE_CHECKING:
    from accounts.models import User


def _locked(checkin: CheckIn) -> CheckIn:
    """Re-read the check-in under a row lock, so two people cannot move it at once."""
    return (
        CheckIn.objects.select_for_update(of=("self",))  # PostgreSQL cannot lock the nullable side of a join
        .select_related("member", "community", "unit")
        .get(pk=checkin.pk)
    )


def _validate_place(community: Area | None, compound: Compound | None, building: Building | None) -> Area:
    if community is None or community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Choose a community."))
    if compound is not None and compound.community_id != community.pk:
        raise ValidationError(_("The compound is not in %(community)s.") % {"community": community.name})
    if building is not None and (compound is None or building.compound_id != compound.pk):
        raise ValidationError(_("The building is not in the chosen compound."))
    return community


def _clean_kinds(kinds: Iterable[str] | None) -> list[str]:
    unknown = [k for k in kinds or [] if k not in VanguardKind.values]
    if unknown:
        raise ValidationError(_("Unknown service preference: %(kinds)s") % {"kinds": ", ".join(unknown)})
    return [k for k in VanguardKind.values if k in (kinds or [])]


@transaction.atomic
def submit_checkin(
    *,
    acting_user: User,
    member: Member,
    community: Area | None = None,
    compound: Compound | None = None,
    building: Building | None = None,
    vanguard_kinds: Iterable[str] = (),
    skills: str = "",
    override_reason: str = "",
    via: str = "online",
    request: HttpRequest | None = None,
) -> CheckIn:
    """A member (or their unit admin, for a whole-unit check-in) reports to a community."""
    if not (is_member_themself(acting_user, member) or administers_unit(acting_user, member.unit)):
        raise PermissionDenied(_("Only the member or their unit's party admin can check them in."))
    if not member.in_service or member.unit_id is None:
        raise ValidationError(_("Only in-service members (with a unit) report to a community."))
    current = CheckIn.objects.active().filter(member=member).select_related("community").first()
    if current is not None:
        raise ValidationError(
            _("%(name)s already has an active check-in to %(community)s (%(state)s).")
            % {"name": member.name, "community": current.community.name, "state": current.get_state_display()}
        )
    proposal = propose_community(member)
    community = community or proposal.community
    if (
        compound is None
        and building is None
        and community is not None
        and proposal.community == community
        and proposal.rule == CheckInRule.RESIDENCE
    ):
        compound, building = member.residence_compound, member.residence_building
    community = _validate_place(community, compound, building)
    if proposal.community is not None and community.pk == proposal.community.pk:
        rule, note = proposal.rule, proposal.note
    else:
        if not override_reason.strip():
            raise ValidationError(
                _("%(community)s is not the community the rule gives you: say why you report there instead.")
                % {"community": community.name}
            )
        rule, note = CheckInRule.OVERRIDE, override_reason.strip()
    checkin = CheckIn(
        member=member,
        unit=member.unit,
        community=community,
        community_path=community.path,
        compound=compound,
        building=building,
        rule=rule,
        rule_note=note[:200],
        override_reason=override_reason.strip()[:200],
        vanguard_kinds=_clean_kinds(vanguard_kinds),
        skills=skills.strip()[:200] or member.skills,
        state=CheckInState.SUBMITTED,
        submitted_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            checkin.save()
    except IntegrityError as exc:  # a second submission raced this one
        raise ValidationError(_("%(name)s already has an active check-in.") % {"name": member.name}) from exc
    CheckInEvent.objects.create(
        checkin=checkin,
        to_state=CheckInState.SUBMITTED,
        actor=acting_user,
        via=via,
        reason=override_reason.strip()[:200],
    )
    record_event(
        actor=acting_user, action="checkin.submit", target=checkin, request=request, detail={"via": via}
    )
    notify(
        recipients=unit_admins(member.unit),
        kind="checkin.submitted",
        title=_("%(name)s checked in to %(community)s: issue the certificate")
        % {"name": member.name, "community": community.name},
        url=reverse("checkin:unit_page"),
    )
    return checkin


@transaction.atomic
def resubmit_checkin(
    *,
    acting_user: User,
    checkin: CheckIn,
    community: Area | None = None,
    compound: Compound | None = None,
    building: Building | None = None,
    vanguard_kinds: Iterable[str] | None = None,
    skills: str | None = None,
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> CheckIn:
    """The member corrects a returned check-in and sends it again."""
    checkin = _locked(checkin)
    if not is_member_themself(acting_user, checkin.member):
        raise PermissionDenied(_("Only the member can resubmit their check-in."))
    if community is not None and community.pk != checkin.community_id:
        proposal = propose_community(checkin.member)
        if proposal.community is None or proposal.community.pk != community.pk:
            if not override_reason.strip():
                raise ValidationError(
                    _("Say why you report to %(community)s.") % {"community": community.name}
                )
            checkin.rule, checkin.rule_note = CheckInRule.OVERRIDE, override_reason.strip()[:200]
        else:
            checkin.rule, checkin.rule_note = proposal.rule, proposal.note[:200]
        checkin.community, checkin.community_path = community, community.path
    _validate_place(checkin.community, compound, building)
    checkin.compound, checkin.building = compound, building
    if vanguard_kinds is not None:
        checkin.vanguard_kinds = _clean_kinds(vanguard_kinds)
    if skills is not None:
        checkin.skills = skills.strip()[:200]
    checkin.submitted_at = timezone.now()
    transition(checkin, "resubmit", actor=acting_user, via="online")
    record_event(actor=acting_user, action="checkin.resubmit", target=checkin, request=request)
    notify(
        recipients=unit_admins(checkin.unit),
        kind="checkin.submitted",
        title=_("%(name)s resubmitted the check-in: issue the certificate") % {"name": checkin.member.name},
        url=reverse("checkin:unit_page"),
    )
    return checkin


@transaction.atomic
def issue_certificate(
    *, acting_user: User, checkin: CheckIn, request: HttpRequest | None = None
) -> Certificate:
    """The member's unit party organisation issues the 报到证."""
    checkin = _locked(checkin)
    unit = checkin.unit
    if unit is None or not administers_unit(acting_user, unit):
        raise PermissionDenied(_("Only the member's own unit can issue their certificate."))
    if checkin.member.unit_id != checkin.unit_id:
        raise ValidationError(
            _("%(name)s no longer works for %(unit)s: check them out and in again.")
            % {"name": checkin.member.name, "unit": unit.name}
        )
    party_org = (
        checkin.member.party_org
        if checkin.member.party_org.unit_id == checkin.unit_id
        else PartyOrg.objects.filter(unit=checkin.unit).order_by("path").first()
    )
    if party_org is None:
        raise ValidationError(
            _("%(unit)s has no party organisation to issue certificates.") % {"unit": checkin.unit}
        )
    transition(checkin, "certify", actor=acting_user, via="unit")
    year = timezone.localdate().year
    for _attempt in range(5):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    checkin=checkin, serial=codes.new_serial(year), party_org=party_org, issued_by=acting_user
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover — five random 40-bit serials colliding
        raise ValidationError(_("Could not allocate a certificate number; try again."))
    record_event(
        actor=acting_user,
        action="checkin.certify",
        target=checkin,
        request=request,
        detail={"serial": certificate.serial},
    )
    notify(
        recipients=community_users(checkin.community),
        kind="checkin.certified",
        title=_("%(name)s has a certificate: confirm them when they come") % {"name": checkin.member.name},
        url=reverse("checkin:community_page"),
    )
    notify(
        recipients=[checkin.member.user],
        kind="checkin.certified",
        title=_("Your check-in certificate is ready: show it at %(community)s")
        % {"community": checkin.community.name},
        url=reverse("checkin:my_checkin"),
    )
    return certificate


@transaction.atomic
def confirm_checkin(
    *,
    acting_user: User,
    checkin: CheckIn,
    code: str = "",
    via: str = "manual",
    request: HttpRequest | None = None,
) -> CheckIn:
    """The target community confirms the member in person, by the certificate's code (scanned or
    typed) or by looking at the paper certificate."""
    checkin = _locked(checkin)
    if not serves_community(acting_user, checkin.community):
        raise PermissionDenied(
            _("Only %(community)s can confirm this check-in.") % {"community": checkin.community.name}
        )
    if checkin.state == CheckInState.CONFIRMED:
        raise ValidationError(
            _("%(name)s was already confirmed on %(day)s.")
            % {
                "name": checkin.member.name,
                "day": timezone.localtime(checkin.confirmed_at).date().isoformat(),
            }
        )
    if checkin.state == CheckInState.SUBMITTED:
        raise ValidationError(
            _("%(name)s has no certificate yet: their unit %(unit)s must issue it first.")
            % {"name": checkin.member.name, "unit": checkin.unit.name if checkin.unit else "-"}
        )
    if code:
        try:
            certificate = codes.verify(code)
        except codes.InvalidCode as exc:
            raise ValidationError(str(exc)) from exc
        if certificate.checkin_id != checkin.pk:
            raise ValidationError(_("This certificate belongs to another check-in."))
    reason = (
        _("Override accepted: %(reason)s") % {"reason": checkin.override_reason}
        if checkin.rule == CheckInRule.OVERRIDE
        else ""
    )
    transition(checkin, "confirm", actor=acting_user, reason=reason, via=via)
    checkin.grid_branch = grid_branch_for(checkin)
    checkin.save(update_fields=["grid_branch"])
    record_event(
        actor=acting_user, action="checkin.confirm", target=checkin, request=request, detail={"via": via}
    )
    notify(
        recipients=[checkin.member.user],
        kind="checkin.confirmed",
        title=_("%(community)s confirmed your check-in. Welcome!") % {"community": checkin.community.name},
        url=reverse("checkin:my_checkin"),
    )
    return checkin


def confirm_by_code(
    *, acting_user: User, code: str, via: str = "scan", request: HttpRequest | None = None
) -> CheckIn:
    """Find the check-in behind a certificate code and confirm it. A code for a check-in outside the
    user's communities reads as "not genuine" too: the code reveals nothing about other communities."""
    try:
        certificate = codes.verify(code)
    except codes.InvalidCode as exc:
        record_event(
            actor=acting_user,
            action="checkin.code_refused",
            request=request,
            outcome="denied",
            detail={"reason": str(exc)},
        )
        raise ValidationError(str(exc)) from exc
    checkin = certificate.checkin
    if not serves_community(acting_user, checkin.community):
        record_event(
            actor=acting_user,
            action="checkin.code_refused",
            request=request,
            outcome="denied",
            detail={"reason": "other community"},
        )
        raise ValidationError(_("This certificate is for another community."))
    return confirm_checkin(acting_user=acting_user, checkin=checkin, code=code, via=via, request=request)


@transaction.atomic
def reject_checkin(
    *, acting_user: User, checkin: CheckIn, reason: str, request: HttpRequest | None = None
) -> CheckIn:
    """The target community refuses a check-in, with a reason the member and unit will read."""
    checkin = _locked(checkin)
    if not serves_community(acting_user, checkin.community):
        raise PermissionDenied(
            _("Only %(community)s can reject this check-in.") % {"community": checkin.community}
        )
    if not reason.strip():
        raise ValidationError(_("Give a reason for the rejection."))
    revoke_certificates(checkin)
    transition(checkin, "reject", actor=acting_user, reason=reason.strip(), via="community")
    record_event(
        actor=acting_user,
        action="checkin.reject",
        target=checkin,
        request=request,
        detail={"reason": reason.strip()[:200]},
    )
    title = _("%(community)s rejected the check-in of %(name)s: %(reason)s") % {
        "community": checkin.community.name,
        "name": checkin.member.name,
        "reason": reason.strip(),
    }
    # Each recipient's link opens a page of their own: the member's check-in; for the unit's admins, the
    # unit's roster at "not submitted", where the member now stands until they check in again.
    notify(
        recipients=[checkin.member.user],
        kind="checkin.rejected",
        title=title,
        url=reverse("checkin:my_checkin"),
    )
    if checkin.unit is not None:
        notify(
            recipients=unit_admins(checkin.unit),
            kind="checkin.rejected",
            title=title,
            url=reverse("checkin:unit_reconciliation", args=[checkin.unit.public_id])
            + "?status=not_submitted",
        )
    return checkin


@transaction.atomic
def return_checkin(
    *, acting_user: User, checkin: CheckIn, reason: str, request: HttpRequest | None = None
) -> CheckIn:
    """Send a check-in back to the member for changes (the community, or the unit before certifying)."""
    checkin = _locked(checkin)
    if not (serves_community(acting_user, checkin.community) or administers_unit(acting_user, checkin.unit)):
        raise PermissionDenied(_("Only the target community or the member's unit can return this check-in."))
    if not reason.strip():
        raise ValidationError(_("Say what the member should change."))
    revoke_certificates(checkin)
    transition(checkin, "return", actor=acting_user, reason=reason.strip(), via="review")
    record_event(actor=acting_user, action="checkin.return", target=checkin, request=request)
    notify(
        recipients=[checkin.member.user],
        kind="checkin.returned",
        title=_("Your check-in was returned: %(reason)s") % {"reason": reason.strip()},
        url=reverse("checkin:my_checkin"),
    )
    return checkin


@transaction.atomic
def check_out(
    *, acting_user: User, checkin: CheckIn, reason: str, request: HttpRequest | None = None
) -> CheckIn:
    """End a check-in (moved house, changed unit, left). The history stays."""
    checkin = _locked(checkin)
    if not (
        is_member_themself(acting_user, checkin.member)
        or administers_unit(acting_user, checkin.unit)
        or serves_community(acting_user, checkin.community)
    ):
        raise PermissionDenied(_("You cannot check this member out."))
    if not reason.strip():
        raise ValidationError(_("Say why the member checks out."))
    revoke_certificates(checkin)
    transition(checkin, "check_out", actor=acting_user, reason=reason.strip(), via="checkout")
    record_event(actor=acting_user, action="checkin.check_out", target=checkin, request=request)
    return checkin


@transaction.atomic
def transfer_checkin(
    *,
    acting_user: User,
    checkin: CheckIn,
    reason: str,
    community: Area | None = None,
    compound: Compound | None = None,
    building: Building | None = None,
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> CheckIn:
    """Move: check out of the current community and submit to the new one, in one step."""
    member = checkin.member
    check_out(acting_user=acting_user, checkin=checkin, reason=reason, request=request)
    member.refresh_from_db()
    return submit_checkin(
        acting_user=acting_user,
        member=member,
        community=community,
        compound=compound,
        building=building,
        vanguard_kinds=checkin.vanguard_kinds,
        skills=checkin.skills,
        override_reason=override_reason,
        via="transfer",
        request=request,
    )


@dataclass
class BatchResult:
    member: Member
    checkin: CheckIn | None
    message: str

    @property
    def ok(self) -> bool:
        return self.checkin is not None


def batch_check_in(
    *, acting_user: User, unit: Unit, members: Sequence[Member], request: HttpRequest | None = None
) -> list[BatchResult]:
    """整建制报到: a unit admin checks in many of the unit's members at once, each by the rule.
    Each member succeeds or fails on their own; the result says which and why."""
    if not administers_unit(acting_user, unit):
        raise PermissionDenied(_("Only the unit's party admin can check its members in."))
    results = []
    for member in members:
        if member.unit_id != unit.pk:
            results.append(BatchResult(member, None, _("Not a member of %(unit)s.") % {"unit": unit.name}))
            continue
        try:
            checkin = submit_checkin(acting_user=acting_user, member=member, via="batch", request=request)
        except (ValidationError, PermissionDenied) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            results.append(BatchResult(member, None, message))
        else:
            results.append(
                BatchResult(
                    member, checkin, _("Checked in to %(community)s.") % {"community": checkin.community.name}
                )
            )
    record_event(
        actor=acting_user,
        action="checkin.batch",
        target=unit,
        request=request,
        detail={"ok": sum(r.ok for r in results), "failed": sum(not r.ok for r in results)},
    )
    return results
