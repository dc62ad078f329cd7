"""转出 → 转入: a member's party organisation starts moving their organisation relation to another
party organisation; the receiving side accepts (only then does ``Member.party_org`` change) or declines
with a reason; the sending side may cancel while it waits. Each step locks the transfer, appends a
``TransferEvent`` and an audit row. Who speaks for an organisation: people.keepers.speaks_for_org."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import record_event
from people.keepers import speaks_for_org
from people.models import Member, MemberTransfer, TransferEvent, TransferState

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from orgs.models import PartyOrg


def _locked(transfer: MemberTransfer) -> MemberTransfer:
    return (
        MemberTransfer.objects.select_for_update(of=("self",))
        .select_related("member", "from_org", "to_org")
        .get(pk=transfer.pk)
    )


def _event(transfer: MemberTransfer, before: str, actor: User, reason: str = "") -> None:
    TransferEvent.objects.create(
        transfer=transfer, from_state=before, to_state=transfer.state, actor=actor, reason=reason[:200]
    )


@transaction.atomic
def start_transfer(
    *,
    acting_user: User,
    member: Member,
    to_org: PartyOrg,
    note: str = "",
    request: HttpRequest | None = None,
) -> MemberTransfer:
    """转出: the member's party organisation asks ``to_org`` to take the member in."""
    member = Member.objects.select_for_update(of=("self",)).select_related("party_org").get(pk=member.pk)
    if not speaks_for_org(acting_user, member.party_org):
        raise PermissionDenied(_("Only the member's own party organisation can transfer them out."))
    if to_org.pk == member.party_org_id:
        raise ValidationError(
            _("%(name)s belongs to %(org)s already.") % {"name": member.name, "org": to_org.name}
        )
    waiting = MemberTransfer.objects.open().filter(member=member).select_related("to_org").first()
    if waiting is not None:
        raise ValidationError(
            _("%(name)s has a transfer to %(org)s waiting already: cancel it first.")
            % {"name": member.name, "org": waiting.to_org.name}
        )
    transfer = MemberTransfer(
        member=member,
        from_org=member.party_org,
        to_org=to_org,
        note=note.strip()[:200],
        started_by=acting_user,
    )
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError as exc:  # a second start raced this one
        raise ValidationError(_("%(name)s has a transfer waiting already.") % {"name": member.name}) from exc
    _event(transfer, "", acting_user, transfer.note)
    record_event(
        actor=acting_user,
        action="member.transfer_start",
        target=transfer,
        request=request,
        detail={"member": str(member.public_id), "to": to_org.name},
    )
    return transfer


def _decide(
    acting_user: User, transfer: MemberTransfer, *, side: str, to_state: str, reason: str = ""
) -> tuple[MemberTransfer, str]:
    transfer = _locked(transfer)
    org = transfer.to_org if side == "to" else transfer.from_org
    if not speaks_for_org(acting_user, org):
        raise PermissionDenied(
            _("Only the receiving party organisation can answer this transfer.")
            if side == "to"
            else _("Only the member's own party organisation can cancel this transfer.")
        )
    if transfer.state != TransferState.OPEN:
        raise ValidationError(
            _("This transfer is no longer waiting (%(state)s).") % {"state": transfer.get_state_display()}
        )
    before = transfer.state
    transfer.state = to_state
    transfer.decided_at = timezone.now()
    return transfer, before


@transaction.atomic
def accept_transfer(
    *, acting_user: User, transfer: MemberTransfer, request: HttpRequest | None = None
) -> MemberTransfer:
    """转入: the receiving organisation takes the member in; the member's party organisation changes now."""
    transfer, before = _decide(acting_user, transfer, side="to", to_state=TransferState.ACCEPTED)
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    if member.party_org_id != transfer.from_org_id:
        raise ValidationError(_("The member's party organisation changed since the transfer started."))
    member.party_org = transfer.to_org
    member.save(update_fields=["party_org", "updated_at"])
    transfer.save(update_fields=["state", "decided_at"])
    _event(transfer, before, acting_user)
    record_event(
        actor=acting_user,
        action="member.transfer_accept",
        target=transfer,
        request=request,
        detail={"member": str(member.public_id), "from": transfer.from_org.name, "to": transfer.to_org.name},
    )
    return transfer


@transaction.atomic
def decline_transfer(
    *, acting_user: User, transfer: MemberTransfer, reason: str, request: HttpRequest | None = None
) -> MemberTransfer:
    """The receiving organisation declines, saying why; the member stays where they are."""
    if not reason.strip():
        raise ValidationError(_("Say why the transfer is declined."))
    transfer, before = _decide(acting_user, transfer, side="to", to_state=TransferState.DECLINED)
    transfer.decline_reason = reason.strip()[:200]
    transfer.save(update_fields=["state", "decided_at", "decline_reason"])
    _event(transfer, before, acting_user, transfer.decline_reason)
    record_event(
        actor=acting_user,
        action="member.transfer_decline",
        target=transfer,
        request=request,
        detail={"reason": transfer.decline_reason},
    )
    return transfer


@transaction.atomic
def cancel_transfer(
    *, acting_user: User, transfer: MemberTransfer, reason: str = "", request: HttpRequest | None = None
) -> MemberTransfer:
    """The sending organisation withdraws a transfer that is still waiting."""
    transfer, before = _decide(acting_user, transfer, side="from", to_state=TransferState.CANCELLED)
    transfer.save(update_fields=["state", "decided_at"])
    _event(transfer, before, acting_user, reason.strip())
    record_event(actor=acting_user, action="member.transfer_cancel", target=transfer, request=request)
    return transfer
