"""转出 → 转入: moving a member's organisation relation to another party organisation on the platform.

The member's party organisation starts a transfer; the receiving organisation accepts it (only then does
``Member.party_org`` change) or declines it with a reason; the sending side may cancel it while it is
open. Every change appends a ``TransferEvent``. At most one open transfer per member (a partial unique
constraint, so two concurrent starts cannot both succeed). Written only by people/transfers.py.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class TransferState(models.TextChoices):
    OPEN = "open", _("Awaiting the receiving organisation")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class MemberTransferQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> MemberTransferQuerySet:
        """Transfers from or to a party organisation the user sees, and the member's own."""
        from accounts.scope import scope_for
        from orgs.models import PartyOrg

        scope = scope_for(user)
        if scope.everything:
            return self
        orgs = PartyOrg.objects.visible_to(user).values("pk")
        return self.filter(Q(from_org__in=orgs) | Q(to_org__in=orgs) | Q(member_id__in=scope.member_ids))

    def open(self) -> MemberTransferQuerySet:
        """Transfers waiting for the receiving organisation."""
        return self.filter(state=TransferState.OPEN)


class MemberTransfer(models.Model):
    """One member's organisation relation moving from one party organisation to another."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(
        "people.Member", on_delete=models.CASCADE, related_name="transfers", verbose_name=_("member")
    )
    from_org = models.ForeignKey(
        "orgs.PartyOrg", on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_org = models.ForeignKey(
        "orgs.PartyOrg", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=TransferState.choices, default=TransferState.OPEN
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = MemberTransferQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("organisation transfer")
        verbose_name_plural = _("organisation transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(state="open"), name="member_transfer_one_open"
            ),
            models.CheckConstraint(
                condition=~Q(from_org=models.F("to_org")), name="member_transfer_other_org"
            ),
        ]
        indexes = [models.Index(fields=["to_org", "state"], name="member_transfer_to_state")]

    def __str__(self) -> str:
        return f"{self.member.name}: {self.from_org.name} → {self.to_org.name}"


class TransferEvent(models.Model):
    """One change of a transfer's state: who, when, why. Append-only."""

    transfer = models.ForeignKey(MemberTransfer, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, editable=False)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("transfer event")
        verbose_name_plural = _("transfer events")

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.from_state} → {self.to_state}"

    @property
    def state_label(self) -> str:
        return str(TransferState(self.to_state).label)
