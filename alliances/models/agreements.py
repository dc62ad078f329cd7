"""Agreements (共建协议, 盟约): per member unit, terms and a responsibility list (职责清单) of commitments,
signed by the unit and the alliance's lead, in force for a period, renewed before expiry. A unit↔community
co-building pairing (结对共建) is an agreement with a ``community``: signing it keeps the check-in rule's
``checkin.UnitPairing`` for the same period."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models.scoping import area_q


class AgreementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")  # in force between starts_on and ends_on; "expired" after ends_on
    ENDED = "ended", _("Ended early")
    RENEWED = "renewed", _("Renewed")  # a newer agreement carries it on


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user) -> AgreementQuerySet:
        """The alliance's area staff (and those above and below), and the unit's own people; never the
        other member units (alliances/models/scoping.py)."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(area_q(scope, "alliance__area_path") | Q(unit_id__in=scope.unit_ids))

    def in_force_on(self, day: date) -> AgreementQuerySet:
        return self.filter(state=AgreementState.SIGNED, starts_on__lte=day, ends_on__gte=day)

    def expired_on(self, day: date) -> AgreementQuerySet:
        """Signed agreements past their end and not renewed."""
        return self.filter(state=AgreementState.SIGNED, ends_on__lt=day)

    def expiring_within(self, day: date, days: int) -> AgreementQuerySet:
        from datetime import timedelta

        return self.in_force_on(day).filter(ends_on__lte=day + timedelta(days=days))


class Agreement(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alliance = models.ForeignKey("alliances.Alliance", on_delete=models.CASCADE, related_name="agreements")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="alliance_agreements")
    community = models.ForeignKey(
        "places.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paired community"),
        help_text=_("For a co-building pairing (结对共建) of the unit with one community."),
    )
    pairing = models.OneToOneField(
        "checkin.UnitPairing", on_delete=models.SET_NULL, null=True, blank=True, related_name="agreement"
    )
    title = models.CharField(_("title"), max_length=80)
    terms = models.TextField(_("terms"), max_length=8000, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    state = models.CharField(
        _("state"), max_length=16, choices=AgreementState.choices, default=AgreementState.DRAFT
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewal",
        verbose_name=_("renews"),
    )
    unit_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit_signed_at = models.DateTimeField(null=True, blank=True)
    lead_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lead_signed_at = models.DateTimeField(null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=200, blank=True)
    reminded_on = models.DateField(null=True, blank=True, editable=False)  # the last renewal reminder
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["alliance_id", "unit_id", "-starts_on", "-id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def in_force(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.state == AgreementState.SIGNED and self.starts_on <= day <= self.ends_on

    def expired(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.state == AgreementState.SIGNED and self.ends_on < day


class CommitmentKind(models.TextChoices):
    PEOPLE = "people", _("People")  # members who serve
    HOURS = "hours", _("Service hours")
    FUNDS = "funds", _("Funds")
    VENUE = "venue", _("Venue")
    PROJECT = "project", _("Project")
    OTHER = "other", _("Other")


class Commitment(models.Model):
    """One line of the responsibility list (职责清单). What it delivers is counted from the service loop —
    the unit's members' confirmed service in the alliance's area, the linked project's state, the linked
    resource's use (alliances/owed.py) — not typed in."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField(_("kind"), max_length=16, choices=CommitmentKind.choices)
    description = models.CharField(_("commitment"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=0)
    measure = models.CharField(
        _("measure"), max_length=16, blank=True, help_text=_("people, hours, yuan, m²…")
    )
    resource = models.ForeignKey(
        "service.Resource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resource"),
    )
    project = models.ForeignKey(
        "service.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["agreement_id", "sort", "id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return self.description


class AgreementFile(models.Model):
    """An attachment: the signed scan, an annex."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="alliances/agreements/%Y/%m/")
    name = models.CharField(_("name"), max_length=120)
    content_type = models.CharField(max_length=80, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("agreement file")
        verbose_name_plural = _("agreement files")

    def __str__(self) -> str:
        return self.name
