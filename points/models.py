"""Points (积分), the time bank (爱心储蓄银行) and the reward catalogue (积分超市).

Confirmed service books points in an append-only ledger (PointEntry) by configurable rules (PointRule);
a correction is a reversing entry, never an edit. A balance is the sum of a member's entries. Rewards
are redeemed against that balance and the reward's stock; ``points.actions.redeem_reward`` locks the
member and the reward before it checks either, so neither can be overdrawn.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a ledger entry."""


# The day the rules seeded before rules had dates (migration points/0004) took effect: before any service.
SINCE_ALWAYS = date(2000, 1, 1)


class PointRuleQuerySet(models.QuerySet):
    def visible_to(self, user) -> PointRuleQuerySet:
        """The rules are public to every signed-in user: members should know how points are earned."""
        return self if user is not None and user.is_authenticated else self.none()

    def active(self) -> PointRuleQuerySet:
        """Versions that set a rule (not the ones that end a city's rule for a category)."""
        return self.filter(active=True)

    def for_city(self, city) -> PointRuleQuerySet:
        """The rules a city's service earns by: its own and the shared ones (no city)."""
        if city is None:
            return self.filter(city__isnull=True)
        return self.filter(Q(city__isnull=True) | Q(city=city))

    def in_force_on(self, day) -> PointRuleQuerySet:
        """Versions that took effect on or before ``day`` (each key's latest of them is the one in force)."""
        return self.filter(effective_from__lte=day)


class PointRule(models.Model):
    """One version of how confirmed service turns into points, for a city (none: every city) and a
    category of the menu (none: the default rule), from ``effective_from`` on. A change is a new version;
    versions are never edited, so what was booked under one stays explained (points/rules.py picks the
    version in force on the day of the service). ``active`` off: from that day the city has no rule of
    its own for the category (the next rule down applies)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    city = models.ForeignKey(
        "places.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("city"),
    )
    category = models.ForeignKey(
        "service.ServiceCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="point_rules",
        verbose_name=_("category"),
    )
    points_per_hour = models.PositiveIntegerField(_("points per hour"), default=10)
    urgent_bonus = models.PositiveIntegerField(_("bonus for an urgent need"), default=0)
    daily_cap = models.PositiveIntegerField(
        _("most points a day"), null=True, blank=True, help_text=_("Empty: no cap.")
    )
    active = models.BooleanField(_("in force"), default=True)
    effective_from = models.DateField(_("in force from"), default=SINCE_ALWAYS, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = PointRuleQuerySet.as_manager()

    class Meta:
        ordering = ["city_id", "category_id", "effective_from"]
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        constraints = [
            # one version a day per key (city, category); NULLs are distinct in a unique index, hence four
            models.UniqueConstraint(
                fields=["effective_from"],
                condition=Q(city__isnull=True, category__isnull=True),
                name="point_rule_day_shared_default",
            ),
            models.UniqueConstraint(
                fields=["category", "effective_from"],
                condition=Q(city__isnull=True, category__isnull=False),
                name="point_rule_day_shared",
            ),
            models.UniqueConstraint(
                fields=["city", "effective_from"],
                condition=Q(city__isnull=False, category__isnull=True),
                name="point_rule_day_city_default",
            ),
            models.UniqueConstraint(
                fields=["city", "category", "effective_from"],
                condition=Q(city__isnull=False, category__isnull=False),
                name="point_rule_day_city",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or _('default')}: {self.points_per_hour}/h"

    @property
    def key(self) -> tuple[int | None, int | None]:
        """(city, category): the versions of one key replace each other."""
        return (self.city_id, self.category_id)


class EntryKind(models.TextChoices):
    SERVICE = "service", _("Confirmed service")
    BONUS = "bonus", _("Urgent-need bonus")
    REDEMPTION = "redemption", _("Reward redeemed")
    REVERSAL = "reversal", _("Correction")
    ADJUSTMENT = "adjustment", _("Adjustment")


class PointEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the points ledger is append-only")

    def delete(self):
        raise AppendOnlyError("the points ledger is append-only")

    def visible_to(self, user) -> PointEntryQuerySet:
        """Entries of members in the user's areas, of their units' members, and the member's own."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            scope.area_q("community_path") | Q(unit_id__in=scope.unit_ids) | Q(member_id__in=scope.member_ids)
        )

    def in_period(self, start, end) -> PointEntryQuerySet:
        """Booked within [start, end)."""
        return self.filter(created_at__gte=start, created_at__lt=end)

    def balance(self) -> int:
        """The sum of the entries (0 when there are none)."""
        return self.aggregate(total=Sum("amount"))["total"] or 0


class PointEntry(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="point_entries")
    amount = models.IntegerField(_("points"))
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    # Where the points were earned or spent, for rankings per community and unit.
    community = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    community_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    record = models.ForeignKey(
        "service.ServiceRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="point_entries"
    )
    redemption = models.ForeignKey(
        "points.Redemption", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    minutes = models.IntegerField(_("minutes of service"), default=0)  # negative on a reversal
    served_on = models.DateField(_("service date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("booked at"), default=timezone.now, db_index=True)

    objects = PointEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [models.Index(fields=["member", "created_at"], name="point_entry_member_at")]
        constraints = [
            # an entry moves points or banked minutes (service past the daily cap banks minutes only)
            models.CheckConstraint(condition=~Q(amount=0) | ~Q(minutes=0), name="point_entry_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.amount:+d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("the points ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the points ledger is append-only")


class RewardQuerySet(models.QuerySet):
    def visible_to(self, user) -> RewardQuerySet:
        """The catalogues of the user's areas, and — for members — of the communities they serve."""
        from access import served_community_ids
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        q = scope.area_q("area_path")
        if scope.member_ids:
            served = served_community_ids(scope)
            from places.models import Area

            paths = list(Area.objects.filter(pk__in=served).values_list("path", flat=True))
            # a street's catalogue serves every community below it
            q |= Q(area_id__in=served) | Q(area__in=_ancestors_of(paths))
        return self.filter(q)

    def offered(self) -> RewardQuerySet:
        return self.filter(active=True)

    def with_stock(self) -> RewardQuerySet:
        """Annotate ``redeemed`` (redemptions not cancelled) so ``available`` needs no query."""
        return self.annotate(
            redeemed=Count("redemptions", filter=~Q(redemptions__state=RedemptionState.CANCELLED))
        )


def _ancestors_of(paths: list[str]):
    from places.models import Area
    from places.paths import SEPARATOR

    prefixes = {p[:i] for p in paths for i in range(1, len(p)) if p[i - 1] == SEPARATOR}
    return Area.objects.filter(path__in=prefixes)


class Reward(models.Model):
    """An item of a community's (or street's) points supermarket."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="rewards", verbose_name=_("catalogue of")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    cost = models.PositiveIntegerField(_("points"))
    stock = models.PositiveIntegerField(_("stock supplied"), help_text=_("Everything ever put on the shelf."))
    active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RewardQuerySet.as_manager()

    class Meta:
        ordering = ["cost", "id"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        constraints = [models.CheckConstraint(condition=Q(cost__gte=1), name="reward_cost_positive")]

    def __str__(self) -> str:
        return self.name

    @property
    def available(self) -> int:
        redeemed = getattr(self, "redeemed", None)
        if redeemed is None:
            redeemed = self.redemptions.exclude(state=RedemptionState.CANCELLED).count()
        return max(self.stock - redeemed, 0)


class RedemptionState(models.TextChoices):
    PLACED = "placed", _("To be collected")
    HANDED_OVER = "handed_over", _("Collected")
    CANCELLED = "cancelled", _("Cancelled")


class RedemptionQuerySet(models.QuerySet):
    def visible_to(self, user) -> RedemptionQuerySet:
        """Redemptions from the user's areas' catalogues, and the member's own."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(scope.area_q("reward__area_path") | Q(member_id__in=scope.member_ids))


class Redemption(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="redemptions")
    cost = models.PositiveIntegerField(_("points"))
    state = models.CharField(
        _("state"), max_length=16, choices=RedemptionState.choices, default=RedemptionState.PLACED
    )
    placed_at = models.DateTimeField(_("redeemed at"), default=timezone.now)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = RedemptionQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")

    def __str__(self) -> str:
        return f"{self.member} ← {self.reward}"
