"""In-service members report to their community (在职党员进社区报到).

A member checks in online (submitted), their unit's party organisation issues a certificate
(certified), and the community confirms them in person (confirmed) or rejects/returns the check-in.
Every transition is a CheckInEvent row: who, when, why. Unit↔community pairings (结对共建) decide
where members who live outside the city's communities report. Volunteer teams (志愿服务队) are formed
from confirmed members.
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
    from datetime import date

    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class VanguardKind(models.TextChoices):
    """The five vanguards (五个先锋) of seed 001: what a member offers their community."""

    MODEL_RESIDENT = "model_resident", _("Model resident")
    OPINION_COLLECTION = "opinion_collection", _("Opinion collection")
    POLICY_OUTREACH = "policy_outreach", _("Policy outreach")
    DISPUTE_MEDIATION = "dispute_mediation", _("Dispute mediation")
    VOLUNTEERING = "volunteering", _("Volunteering")


class UnitPairingQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> UnitPairingQuerySet:
        """Pairings of communities in the user's areas, and of the units they administer or inspect."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(scope.area_q("community__path") | Q(unit_id__in=scope.unit_ids))

    def active_on(self, day: date) -> UnitPairingQuerySet:
        """Pairings in force on ``day``."""
        return self.filter(Q(started_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class UnitPairing(models.Model):
    """结对共建: a unit paired with a community, for a period."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="pairings")
    community = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="unit_pairings")
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitPairingQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "id"]
        verbose_name = _("unit pairing")
        verbose_name_plural = _("unit pairings")

    def __str__(self) -> str:
        return f"{self.unit} ↔ {self.community}"


class CheckInState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CERTIFIED = "certified", _("Certified")
    CONFIRMED = "confirmed", _("Confirmed")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Rejected")
    CHECKED_OUT = "checked_out", _("Checked out")


# A member has at most one check-in in these states (a database constraint says so too).
ACTIVE_STATES = (
    CheckInState.SUBMITTED,
    CheckInState.CERTIFIED,
    CheckInState.CONFIRMED,
    CheckInState.RETURNED,
)


class CheckInRule(models.TextChoices):
    """Why this community: the rule of seed 001, or an override."""

    RESIDENCE = "residence", _("Community of residence")
    PAIRING = "pairing", _("Community paired with the member's unit")
    OVERRIDE = "override", _("Another community, by request")


class CheckInQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> CheckInQuerySet:
        """Check-ins into the user's communities, of their units' members, and the member's own."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            scope.area_q("community_path") | Q(unit_id__in=scope.unit_ids) | Q(member_id__in=scope.member_ids)
        )

    def active(self) -> CheckInQuerySet:
        """Check-ins that still count: submitted, certified, confirmed, or returned for changes."""
        return self.filter(state__in=ACTIVE_STATES)

    def pending_confirmation(self) -> CheckInQuerySet:
        """Waiting for the community: certified by the unit, not yet confirmed."""
        return self.filter(state=CheckInState.CERTIFIED)


class CheckIn(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="checkins")
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkins",
        help_text=_("The member's unit when they checked in."),
    )
    community = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="checkins")
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    compound = models.ForeignKey(
        "places.Compound", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    building = models.ForeignKey(
        "places.Building", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rule = models.CharField(_("rule"), max_length=16, choices=CheckInRule.choices)
    rule_note = models.CharField(_("why this community"), max_length=200, blank=True)
    override_reason = models.CharField(_("reason for another community"), max_length=200, blank=True)
    vanguard_kinds = models.JSONField(_("service preferences"), default=list, blank=True)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=CheckInState.choices, default=CheckInState.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    certified_at = models.DateTimeField(_("certified at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    grid_branch = models.ForeignKey(
        "orgs.PartyOrg",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grid branch"),
    )

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(state__in=ACTIVE_STATES), name="checkin_one_active_per_member"
            )
        ]
        indexes = [models.Index(fields=["unit", "state"], name="checkin_unit_state")]

    def __str__(self) -> str:
        return f"{self.member} → {self.community}"


class CheckInEvent(models.Model):
    """One transition of a check-in: append-only, never edited."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=CheckInState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=CheckInState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, editable=False)
    reason = models.CharField(max_length=200, blank=True)
    via = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("check-in event")
        verbose_name_plural = _("check-in events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.checkin_id}: {self.from_state} → {self.to_state}"


class Certificate(models.Model):
    """报到证: issued by the member's unit party organisation; the community verifies its code."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    checkin = models.ForeignKey(CheckIn, on_delete=models.PROTECT, related_name="certificates")
    serial = models.CharField(_("serial number"), max_length=32, unique=True)
    party_org = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Withdrawn when the check-in is returned.")
    )

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkin"],
                condition=Q(revoked_at__isnull=True),
                name="certificate_one_valid_per_checkin",
            )
        ]
        verbose_name = _("check-in certificate")
        verbose_name_plural = _("check-in certificates")

    def __str__(self) -> str:
        return self.serial

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> TeamQuerySet:
        """Teams of the communities in the user's areas, and teams the member belongs to."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            scope.area_q("community__path") | Q(memberships__member_id__in=scope.member_ids)
        ).distinct()


class TeamKind(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer service team")
    COMMANDO = "commando", _("Party member commando team")


class Team(models.Model):
    """志愿服务队 / 党员突击队: a team a community forms from the members who report to it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=TeamKind.choices, default=TeamKind.VOLUNTEER)
    vanguard_kind = models.CharField(_("focus"), max_length=32, choices=VanguardKind.choices, blank=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["community_id", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="team_unique_name")]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="team_memberships")
    joined_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [models.UniqueConstraint(fields=["team", "member"], name="team_membership_unique")]

    def __str__(self) -> str:
        return f"{self.member} @ {self.team}"


class RenewalPeriod(models.IntegerChoices):
    """How long a confirmed check-in holds before the member reports again (some cities: every half year)."""

    NONE = 0, _("Never: a check-in holds until it is ended")
    QUARTER = 3, _("Every 3 months")
    HALF_YEAR = 6, _("Every 6 months")
    YEAR = 12, _("Every year")
    TWO_YEARS = 24, _("Every 2 years")


class CheckInPolicy(models.Model):
    """A city's check-in policy, kept by its organisation department on a page (checkin.renewal_actions):
    the renewal period. No row: no renewal. Read by checkin.renewal, which the rates, the lists of whom
    to chase and the member's to-do items share."""

    city = models.OneToOneField(
        "places.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("city")
    )
    city_path = models.CharField(max_length=255, unique=True, editable=False)
    renewal_months = models.PositiveSmallIntegerField(
        _("report again"), choices=RenewalPeriod.choices, default=RenewalPeriod.NONE
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("check-in policy")
        verbose_name_plural = _("check-in policies")

    def __str__(self) -> str:
        return f"{self.city_path} {self.get_renewal_months_display()}"
