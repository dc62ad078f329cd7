"""Service posts (服务岗位) and household pairings (结对帮扶).

A community publishes standing posts with a schedule and a capacity; members claim and leave them.
Claims never exceed capacity: ``claim_post`` locks the post row before counting.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ServicePostQuerySet(models.QuerySet):
    def visible_to(self, user) -> ServicePostQuerySet:
        """Posts of the user's areas, and — for members — posts of the communities they serve and posts
        they hold."""
        from access import served_communities_q
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        q = scope.area_q("community_path")
        if scope.member_ids:
            q |= served_communities_q(scope) | Q(
                pk__in=PostClaim.objects.filter(member_id__in=scope.member_ids).values("post_id")
            )
        return self.filter(q)

    def published(self) -> ServicePostQuerySet:
        """Open for claims today (published, not past their end date)."""
        today = timezone.localdate()
        return self.filter(closed_at__isnull=True).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))

    def with_taken(self) -> ServicePostQuerySet:
        """Annotate ``taken``: how many members hold the post now."""
        return self.annotate(taken=Count("claims", filter=Q(claims__left_at__isnull=True)))


class ServicePost(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="service_posts", verbose_name=_("community")
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    title = models.CharField(_("title"), max_length=80)
    category = models.ForeignKey(
        "service.ServiceCategory", on_delete=models.PROTECT, related_name="posts", verbose_name=_("category")
    )
    description = models.TextField(_("description"), max_length=2000, blank=True)
    schedule = models.CharField(
        _("schedule"), max_length=120, help_text=_("For example: Saturdays 9:00–11:00")
    )
    place = models.CharField(_("place"), max_length=120, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ServicePostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("service post")
        verbose_name_plural = _("service posts")
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="post_capacity_positive")]

    def __str__(self) -> str:
        return self.title


class PostClaim(models.Model):
    """A member holding a post, from ``claimed_at`` until they leave."""

    post = models.ForeignKey(ServicePost, on_delete=models.CASCADE, related_name="claims")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="post_claims")
    claimed_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("post claim")
        verbose_name_plural = _("post claims")
        ordering = ["claimed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "member"], condition=Q(left_at__isnull=True), name="post_claim_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.post}"


class HouseholdPairingQuerySet(models.QuerySet):
    def visible_to(self, user) -> HouseholdPairingQuerySet:
        """Pairings in the user's areas and grids, the member's own, their unit's, and the household's."""
        from accounts.models import Role
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            scope.area_q("community_path")
            | scope.grid_q("household__grid_path")
            | Q(member_id__in=scope.member_ids)
            | Q(unit_id__in=scope.units_for(Role.UNIT_ADMIN) | scope.units_for(Role.INSPECTOR))
            | Q(household_id__in=scope.resident_ids)
        )

    def active(self) -> HouseholdPairingQuerySet:
        """Not ended."""
        return self.filter(ended_on__isnull=True)


class HouseholdPairing(models.Model):
    """结对帮扶: a member or a unit paired with a household in need, with visit logs."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(
        "people.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="household_pairings"
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="household_pairings"
    )
    household = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="pairings", verbose_name=_("household")
    )
    community = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    reason = models.CharField(
        _("why paired"), max_length=120, help_text=_("For example: elderly living alone")
    )
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = HouseholdPairingQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("household pairing")
        verbose_name_plural = _("household pairings")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, unit__isnull=True)
                | Q(member__isnull=True, unit__isnull=False),
                name="household_pairing_one_helper",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member or self.unit} ↔ {self.household}"

    @property
    def helper(self):
        return self.member or self.unit


class PairingVisit(models.Model):
    pairing = models.ForeignKey(HouseholdPairing, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    note = models.CharField(_("what was done"), max_length=300)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)
    record = models.OneToOneField(
        "service.ServiceRecord", on_delete=models.SET_NULL, null=True, blank=True, related_name="visit"
    )

    class Meta:
        verbose_name = _("pairing visit")
        verbose_name_plural = _("pairing visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.pairing_id} {self.visited_on}"
