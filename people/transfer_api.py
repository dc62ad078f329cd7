"""API of members' organisation transfers (转出 → 转入): listed and read by TRANSFER_ROLES, started,
cancelled, accepted and declined through people/transfers.py (who may: people.keepers.speaks_for_org).
Conventions as in people/keeping_api.py: wrong role 403, outside the scope 404, a refusal 422 (or 403)
with ``{"detail": message}`` and nothing changed."""

from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts import roles as R
from accounts.api import require_roles
from gongjian.api_shapes import ErrorOut, ListPage, Ref, apply_filters, filter_params
from orgs.models import PartyOrg
from people import transfers
from people.filters import TransferFilter
from people.models import Member, MemberTransfer, TransferState

router = Router(tags=["people"])
REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class TransferEventOut(Schema):
    from_state: str
    to_state: str
    at: datetime
    reason: str


class TransferOut(Schema):
    id: UUID = Field(alias="public_id")
    member: Ref
    from_org: Ref
    to_org: Ref
    state: TransferState
    note: str
    decline_reason: str
    started_at: datetime
    decided_at: datetime | None


class TransferDetailOut(TransferOut):
    events: list[TransferEventOut]

    @staticmethod
    def resolve_events(obj) -> list:
        return list(obj.events.all())


class TransferIn(Schema):
    to_org: UUID = Field(description="the receiving party organisation (any on the platform)")
    note: str = Field("", max_length=200)


class TransferReasonIn(Schema):
    reason: str = Field("", max_length=200)


TransferQuery = filter_params(TransferFilter, "TransferQuery")


def _transfers(request: HttpRequest) -> QuerySet[MemberTransfer]:
    return MemberTransfer.objects.visible_to(request.auth).select_related("member", "from_org", "to_org")


def _transfer(request: HttpRequest, transfer_id: UUID) -> MemberTransfer:
    return get_object_or_404(_transfers(request), public_id=transfer_id)


@router.get("/transfers", response=list[TransferOut])
@paginate(ListPage)
def list_transfers(request: HttpRequest, filters: Query[TransferQuery]):  # type: ignore[valid-type]
    """Members' organisation transfers from or to the party organisations the caller sees, newest
    first; ``side=incoming`` those waiting for the caller's organisations. Roles: TRANSFER_ROLES."""
    require_roles(request, R.TRANSFER_ROLES)
    return apply_filters(TransferFilter, request, _transfers(request))


@router.get("/transfers/{transfer_id}", response={200: TransferDetailOut, 404: ErrorOut})
def get_transfer(request: HttpRequest, transfer_id: UUID):
    """One transfer with its history. Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, R.TRANSFER_ROLES)
    return _transfer(request, transfer_id)


@router.post("/members/{member_id}/transfers", response={201: TransferDetailOut, **REFUSALS})
def start_transfer(request: HttpRequest, member_id: UUID, payload: TransferIn):
    """转出: the member's party organisation (its unit's admin, or its community or street) asks another
    party organisation to take the member in. Refused (422): the same organisation, or a transfer of
    this member already waiting."""
    require_roles(request, R.TRANSFER_ACT_ROLES)
    member = get_object_or_404(Member.objects.visible_to(request.auth), public_id=member_id)
    to_org = PartyOrg.objects.filter(public_id=payload.to_org).first()
    if to_org is None:
        raise ValidationError(_("Choose a party organisation."))
    transfer = transfers.start_transfer(
        acting_user=request.auth, member=member, to_org=to_org, note=payload.note, request=request
    )
    return Status(201, _transfer(request, transfer.public_id))


@router.post("/transfers/{transfer_id}/accept", response={200: TransferDetailOut, **REFUSALS})
def accept_transfer(request: HttpRequest, transfer_id: UUID):
    """转入: the receiving organisation accepts; the member's party organisation changes now."""
    require_roles(request, R.TRANSFER_ACT_ROLES)
    transfers.accept_transfer(
        acting_user=request.auth, transfer=_transfer(request, transfer_id), request=request
    )
    return _transfer(request, transfer_id)


@router.post("/transfers/{transfer_id}/decline", response={200: TransferDetailOut, **REFUSALS})
def decline_transfer(request: HttpRequest, transfer_id: UUID, payload: TransferReasonIn):
    """The receiving organisation declines, with a reason (required)."""
    require_roles(request, R.TRANSFER_ACT_ROLES)
    transfers.decline_transfer(
        acting_user=request.auth,
        transfer=_transfer(request, transfer_id),
        reason=payload.reason,
        request=request,
    )
    return _transfer(request, transfer_id)


@router.post("/transfers/{transfer_id}/cancel", response={200: TransferDetailOut, **REFUSALS})
def cancel_transfer(request: HttpRequest, transfer_id: UUID, payload: TransferReasonIn):
    """The sending organisation withdraws a transfer still waiting."""
    require_roles(request, R.TRANSFER_ACT_ROLES)
    transfers.cancel_transfer(
        acting_user=request.auth,
        transfer=_transfer(request, transfer_id),
        reason=payload.reason,
        request=request,
    )
    return _transfer(request, transfer_id)
