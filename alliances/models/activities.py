"""Themed activities (集体活动, 主题活动) organised by a member unit or the month's chair: sign-up by members
and residents, QR sign-in at the place, and attendance that becomes organiser-confirmed service records
and points through the service loop (one record per attending member, exactly once)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models.meetings import new_secret


class OpenTo(models.TextChoices):
    EVERYONE = "everyone", _("Members and residents")
    MEMBERS = "members", _("Party members")
    RESIDENTS = "residents", _("Residents")


class ActivityState(models.TextChoices):
    OPEN = "open", _("Open for sign-up")
    HELD = "held", _("Held")  # attendance being confirmed
    CONFIRMED = "confirmed", _("Attendance confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user) -> ActivityQuerySet:
        """The alliance's readers, and whoever signed up."""
        from alliances.models import Alliance

        q = Q(alliance__in=Alliance.objects.visible_to(user))
        if getattr(user, "is_authenticated", False):
            q |= Q(pk__in=ActivitySignup.objects.filter(user=user).values("activity_id"))
        return self.filter(q)

    def upcoming(self) -> ActivityQuerySet:
        return self.filter(state=ActivityState.OPEN, ends_at__gte=timezone.now())


class Activity(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alliance = models.ForeignKey("alliances.Alliance", on_delete=models.CASCADE, related_name="activities")
    organiser_unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organiser"),
    )
    chair_turn = models.ForeignKey(
        "alliances.ChairTurn", on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=100)
    theme = models.CharField(_("theme"), max_length=80, blank=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    community = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    place = models.CharField(_("place"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    open_to = models.CharField(_("open to"), max_length=16, choices=OpenTo.choices, default=OpenTo.EVERYONE)
    category = models.ForeignKey(
        "service.ServiceCategory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("service item"),
        help_text=_("The item of the service menu the members' attendance is recorded under."),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ActivityState.choices, default=ActivityState.OPEN
    )
    signin_secret = models.CharField(max_length=32, default=new_secret, editable=False)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActivitySignup(models.Model):
    """One person's place: signed up, signed in at the place, and — for a member — the confirmed service
    record their attendance became (``service_record``: set once, so points are booked once)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activity_signups"
    )
    member = models.ForeignKey(
        "people.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=32)
    signed_up_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    service_record = models.OneToOneField(
        "service.ServiceRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity_signup",
    )

    class Meta:
        ordering = ["activity_id", "signed_up_at", "id"]
        verbose_name = _("activity sign-up")
        verbose_name_plural = _("activity sign-ups")
        constraints = [models.UniqueConstraint(fields=["activity", "user"], name="activity_signup_once")]

    def __str__(self) -> str:
        return self.name
