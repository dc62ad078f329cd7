"""API for check-ins (在职党员进社区报到), unit↔community pairings and reconciliation.

Every write calls checkin/actions.py (or pairing_actions.py): the rules live there. A refused action
answers 422 (ValidationError) or 403 (PermissionDenied) with ``{"detail": message}`` and changes
nothing; a check-in outside the caller's scope answers 404 exactly like a missing one.
The certificate code (which confirms a check-in) is shown only to the member's unit admin and
to the member; everyone else who may see the check-in gets the serial.
"""

from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts import roles
from accounts.api import require_roles
from accounts.models import Role
from checkin import actions, batch_actions, codes
from checkin.access import holds_certificate_code, own_member
from checkin.models import (
    CheckIn,
    CheckInEvent,
    CheckInRule,
    CheckInState,
    VanguardKind,
)
from gongjian import batches
from gongjian.api_shapes import ErrorOut, ListPage, Ref
from orgs.models import Unit
from people.models import Member
from places.models import Area, AreaLevel, Building, Compound

router = Router(tags=["checkin"])

CHECKIN_ROLES = roles.CHECKIN_ROLES
SUBMIT_ROLES = roles.CHECKIN_SUBMIT_ROLES
RETURN_ROLES = roles.CHECKIN_RETURN_ROLES
CHECK_OUT_ROLES = roles.CHECKIN_CHECK_OUT_ROLES
REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- shapes ---------------------------------------------------------------------------------------


class CheckInOut(Schema):
    id: UUID = Field(alias="public_id")
    member: Ref
    unit: Ref | None
    community: Ref
    compound: Ref | None
    building: Ref | None
    rule: CheckInRule
    rule_note: str
    override_reason: str
    vanguard_kinds: list[VanguardKind]
    skills: str
    state: CheckInState
    submitted_at: datetime
    certified_at: datetime | None
    confirmed_at: datetime | None
    closed_at: datetime | None
    grid_branch: Ref | None


class CheckInEventOut(Schema):
    from_state: CheckInState | None
    to_state: CheckInState
    actor: str | None
    at: datetime
    reason: str
    via: str

    @staticmethod
    def resolve_from_state(obj) -> str | None:
        return obj.from_state or None

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class CertificateOut(Schema):
    serial: str
    issued_at: datetime
    code: str | None = Field(None, description="Only for the member's unit admin and the member.")


class CheckInDetailOut(CheckInOut):
    events: list[CheckInEventOut]
    certificate: CertificateOut | None = Field(None, alias="valid_certificate")


class IssuedOut(Schema):
    serial: str
    code: str
    issued_at: datetime
    checkin: CheckInOut


class CheckInQuery(Schema):
    state: CheckInState | None = None
    unit: UUID | None = None
    community: UUID | None = None
    member: UUID | None = None


class CheckInIn(Schema):
    member: UUID | None = Field(None, description="A unit admin checking in one of their members.")
    community: UUID | None = Field(None, description="Omitted: the community the rule gives.")
    compound: UUID | None = None
    building: UUID | None = None
    vanguard_kinds: list[VanguardKind] = []
    skills: str = Field("", max_length=200)
    override_reason: str = Field("", max_length=200, description="Needed for another community.")


class ResubmitIn(Schema):
    community: UUID | None = None
    compound: UUID | None = None
    building: UUID | None = None
    vanguard_kinds: list[VanguardKind] | None = None
    skills: str | None = Field(None, max_length=200)
    override_reason: str = Field("", max_length=200)


class CheckInReasonIn(Schema):
    reason: str = Field(..., max_length=200)


class CheckInConfirmIn(Schema):
    code: str = Field("", description="The certificate code, scanned or typed; empty: seen on paper.")


class CodeIn(Schema):
    code: str


class ProposalOut(Schema):
    community: Ref | None
    rule: CheckInRule
    note: str


class BatchIn(Schema):
    unit: UUID
    members: list[UUID] = Field(..., min_length=1, max_length=500)


class BatchRowOut(Schema):
    member: UUID
    name: str
    ok: bool
    checkin: UUID | None
    message: str


class BatchOut(Schema):
    ok: int
    failed: int
    results: list[BatchRowOut]


class ConfirmBatchIn(Schema):
    checkins: list[UUID] = Field(..., min_length=1, max_length=batch_actions.BATCH_MAX)


class ConfirmRowOut(Schema):
    checkin: UUID = Field(alias="public_id")
    name: str = Field(alias="label")
    ok: bool
    message: str


class ConfirmBatchOut(Schema):
    confirmed: int
    refused: int
    results: list[ConfirmRowOut]


# --- lookups --------------------------------------------------------------------------------------


def _checkins(request: HttpRequest) -> QuerySet[CheckIn]:
    return CheckIn.objects.visible_to(request.auth).select_related(
        "member", "unit", "community", "compound", "building", "grid_branch"
    )


def _checkin(request: HttpRequest, checkin_id: UUID) -> CheckIn:
    return get_object_or_404(_checkins(request), public_id=checkin_id)


def _detail(request: HttpRequest, checkin_id: UUID) -> CheckIn:
    """The check-in with its history and its valid certificate (code only for unit admin and member)."""
    checkin = get_object_or_404(
        _checkins(request).prefetch_related(
            Prefetch("events", queryset=CheckInEvent.objects.select_related("actor"))
        ),
        public_id=checkin_id,
    )
    certificate = checkin.certificates.filter(revoked_at__isnull=True).first()
    checkin.valid_certificate = None
    if certificate is not None:
        certificate.checkin = checkin
        checkin.valid_certificate = {
            "serial": certificate.serial,
            "issued_at": certificate.issued_at,
            "code": codes.certificate_code(certificate)
            if holds_certificate_code(request.auth, checkin)
            else None,
        }
    return checkin


def _own_member(request: HttpRequest) -> Member:
    member = own_member(request.auth)
    if member is None:
        raise ValidationError(_("Your account is not linked to a member record: say which member."))
    return member


def _community(public_id: UUID | None) -> Area | None:
    """Any community of the city (a member may ask for another one, with a reason)."""
    if public_id is None:
        return None
    community = Area.objects.filter(public_id=public_id, level=AreaLevel.COMMUNITY).first()
    if community is None:
        raise ValidationError(_("Choose a community."))
    return community


def _place(model, public_id: UUID | None, message: str):
    if public_id is None:
        return None
    found = model.objects.filter(public_id=public_id).first()
    if found is None:
        raise ValidationError(message)
    return found


# --- check-ins ------------------------------------------------------------------------------------


@router.get("/checkins", response=list[CheckInOut])
@paginate(ListPage)
def list_checkins(request: HttpRequest, filters: Query[CheckInQuery]):
    """Check-ins the caller may see, newest first: a community its own, a unit its members', a
    member their own. Roles: areas, unit admin, inspector, member; else 403."""
    require_roles(request, CHECKIN_ROLES)
    checkins = _checkins(request)
    if filters.state:
        checkins = checkins.filter(state=filters.state)
    if filters.unit:
        checkins = checkins.filter(unit__public_id=filters.unit)
    if filters.community:
        checkins = checkins.filter(community__public_id=filters.community)
    if filters.member:
        checkins = checkins.filter(member__public_id=filters.member)
    return checkins


@router.get("/checkins/propose", response={200: ProposalOut, 422: ErrorOut})
def propose(request: HttpRequest):
    """Where the rule sends the calling member, and why. Role: member; else 403."""
    require_roles(request, (Role.MEMBER,))
    return actions.propose_community(_own_member(request))


@router.post("/checkins", response={201: CheckInDetailOut, **REFUSALS})
def submit(request: HttpRequest, payload: CheckInIn):
    """A member checks in (community omitted: the rule's); a unit admin may name one of their
    members. Another community than the rule's needs ``override_reason``. One active check-in per
    member (422). Roles: member, unit admin; else 403."""
    require_roles(request, SUBMIT_ROLES)
    if payload.member is not None:
        member = get_object_or_404(Member.objects.visible_to(request.auth), public_id=payload.member)
    else:
        member = _own_member(request)
    checkin = actions.submit_checkin(
        acting_user=request.auth,
        member=member,
        community=_community(payload.community),
        compound=_place(Compound, payload.compound, _("Unknown compound.")),
        building=_place(Building, payload.building, _("Unknown building.")),
        vanguard_kinds=[str(kind) for kind in payload.vanguard_kinds],
        skills=payload.skills,
        override_reason=payload.override_reason,
        request=request,
    )
    return Status(201, _detail(request, checkin.public_id))


@router.post("/checkins/batch", response={200: BatchOut, **REFUSALS})
def batch(request: HttpRequest, payload: BatchIn):
    """整建制报到: a unit admin checks in many of the unit's members, each by the rule; one result
    per member, in the order asked. Members the caller cannot see read "Not found."
    Role: unit admin; else 403."""
    require_roles(request, (Role.UNIT_ADMIN,))
    unit = get_object_or_404(Unit.objects.visible_to(request.auth), public_id=payload.unit)
    found = {
        m.public_id: m
        for m in Member.objects.visible_to(request.auth)
        .filter(public_id__in=payload.members)
        .select_related("unit", "residence_area", "residence_compound", "residence_building")
    }
    wanted = list(dict.fromkeys(payload.members))
    results = actions.batch_check_in(
        acting_user=request.auth,
        unit=unit,
        members=[found[pid] for pid in wanted if pid in found],
        request=request,
    )
    by_member = {r.member.public_id: r for r in results}
    rows = []
    for pid in wanted:
        result = by_member.get(pid)
        if result is None:
            rows.append({"member": pid, "name": "", "ok": False, "checkin": None, "message": _("Not found.")})
            continue
        rows.append(
            {
                "member": pid,
                "name": result.member.name,
                "ok": result.ok,
                "checkin": result.checkin.public_id if result.checkin else None,
                "message": str(result.message),
            }
        )
    ok = sum(row["ok"] for row in rows)
    return {"ok": ok, "failed": len(rows) - ok, "results": rows}


@router.post("/checkins/confirm", response={200: ConfirmBatchOut, **REFUSALS})
def confirm_batch(request: HttpRequest, payload: ConfirmBatchIn):
    """The community confirms several members it has seen in person (their paper certificates), one
    audited action each; one result per check-in, in the order asked. A refusal (withdrawn meanwhile,
    already confirmed) is that check-in's result and the others go through; a check-in outside the
    caller's scope reads "Not found." and is never confirmed. Role: community; else 403."""
    require_roles(request, (Role.COMMUNITY,))
    checkins, missing = batch_actions.wanted_checkins(request.auth, payload.checkins)
    results = batch_actions.confirm_checkins(
        acting_user=request.auth, checkins=checkins, via="manual", request=request
    )
    by_id = {r.public_id: r for r in [*results, *batches.not_found(missing)]}
    rows = [by_id[public_id] for public_id in dict.fromkeys(payload.checkins)]
    confirmed = sum(r.ok for r in rows)
    return {"confirmed": confirmed, "refused": len(rows) - confirmed, "results": rows}


@router.post("/checkins/confirm-by-code", response={200: CheckInDetailOut, **REFUSALS})
def confirm_by_code(request: HttpRequest, payload: CodeIn):
    """The community confirms the member whose certificate code it scanned or typed. A forged,
    withdrawn or used code, or one for another community, answers 422. Role: community; else 403."""
    require_roles(request, (Role.COMMUNITY,))
    checkin = actions.confirm_by_code(
        acting_user=request.auth, code=payload.code, via="scan", request=request
    )
    return _detail(request, checkin.public_id)


@router.get("/checkins/{checkin_id}", response={200: CheckInDetailOut, 404: ErrorOut})
def get_checkin(request: HttpRequest, checkin_id: UUID):
    """One check-in with its history and its valid certificate's serial (the code only for the
    member and their unit admin). Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, CHECKIN_ROLES)
    return _detail(request, checkin_id)


@router.post("/checkins/{checkin_id}/certify", response={201: IssuedOut, **REFUSALS})
def certify(request: HttpRequest, checkin_id: UUID):
    """The member's unit issues the certificate (报到证): answers its serial and code.
    Role: unit admin of the member's unit; else 403 (or 404 outside scope)."""
    require_roles(request, (Role.UNIT_ADMIN,))
    certificate = actions.issue_certificate(
        acting_user=request.auth, checkin=_checkin(request, checkin_id), request=request
    )
    checkin = _checkin(request, checkin_id)
    certificate.checkin = checkin
    return Status(
        201,
        {
            "serial": certificate.serial,
            "code": codes.certificate_code(certificate),
            "issued_at": certificate.issued_at,
            "checkin": checkin,
        },
    )


@router.post("/checkins/{checkin_id}/confirm", response={200: CheckInDetailOut, **REFUSALS})
def confirm(request: HttpRequest, checkin_id: UUID, payload: CheckInConfirmIn):
    """The target community confirms the member in person, with the certificate's code or having
    seen the paper. Role: community; another community's check-in is outside its scope (404)."""
    require_roles(request, (Role.COMMUNITY,))
    actions.confirm_checkin(
        acting_user=request.auth,
        checkin=_checkin(request, checkin_id),
        code=payload.code,
        via="scan" if payload.code else "manual",
        request=request,
    )
    return _detail(request, checkin_id)


@router.post("/checkins/{checkin_id}/reject", response={200: CheckInDetailOut, **REFUSALS})
def reject(request: HttpRequest, checkin_id: UUID, payload: CheckInReasonIn):
    """The target community refuses the check-in, with a reason. Role: community; else 403."""
    require_roles(request, (Role.COMMUNITY,))
    actions.reject_checkin(
        acting_user=request.auth,
        checkin=_checkin(request, checkin_id),
        reason=payload.reason,
        request=request,
    )
    return _detail(request, checkin_id)


@router.post("/checkins/{checkin_id}/return", response={200: CheckInDetailOut, **REFUSALS})
def return_for_changes(request: HttpRequest, checkin_id: UUID, payload: CheckInReasonIn):
    """Send the check-in back to the member, saying what to change (withdraws the certificate).
    Roles: community, unit admin; else 403."""
    require_roles(request, RETURN_ROLES)
    actions.return_checkin(
        acting_user=request.auth,
        checkin=_checkin(request, checkin_id),
        reason=payload.reason,
        request=request,
    )
    return _detail(request, checkin_id)


@router.post("/checkins/{checkin_id}/check-out", response={200: CheckInDetailOut, **REFUSALS})
def check_out(request: HttpRequest, checkin_id: UUID, payload: CheckInReasonIn):
    """End the check-in (moved, changed unit, left); the history stays.
    Roles: the member, their unit admin, the community; else 403."""
    require_roles(request, CHECK_OUT_ROLES)
    actions.check_out(
        acting_user=request.auth,
        checkin=_checkin(request, checkin_id),
        reason=payload.reason,
        request=request,
    )
    return _detail(request, checkin_id)


@router.post("/checkins/{checkin_id}/resubmit", response={200: CheckInDetailOut, **REFUSALS})
def resubmit(request: HttpRequest, checkin_id: UUID, payload: ResubmitIn):
    """The member corrects a returned check-in and sends it again (body ``{}`` to send it as it is).
    Fields left out keep their values (the place too, unless the community changes).
    Role: the member; else 403."""
    require_roles(request, (Role.MEMBER,))
    checkin = _checkin(request, checkin_id)
    community = _community(payload.community)
    moving = community is not None and community.pk != checkin.community_id
    sent = payload.model_fields_set
    compound = (
        _place(Compound, payload.compound, _("Unknown compound."))
        if "compound" in sent or moving
        else checkin.compound
    )
    building = (
        _place(Building, payload.building, _("Unknown building."))
        if "building" in sent or moving
        else checkin.building
    )
    actions.resubmit_checkin(
        acting_user=request.auth,
        checkin=checkin,
        community=community,
        compound=compound,
        building=building,
        vanguard_kinds=None if payload.vanguard_kinds is None else [str(k) for k in payload.vanguard_kinds],
        skills=payload.skills,
        override_reason=payload.override_reason,
        request=request,
    )
    return _detail(request, checkin_id)


router.add_router("", "checkin.pairing_api.router")
router.add_router("", "checkin.reconciliation_api.router")
router.add_router("", "checkin.renewal_api.router")
