"""The area tree (city → district → street → community), compounds and buildings, and grids.

Subtree queries are the hottest path in the product (every scope check and every dashboard is one),
so each tree keeps a materialized path of its codes — ``350800.350802.350802001.`` — indexed,
and a subtree is ``path LIKE 'prefix%'``. Django gives a CharField with db_index a
``varchar_pattern_ops`` index on PostgreSQL, and ``subtree_q`` turns the prefix into a range on
SQLite, so both engines answer it from the index (see docs/ARCHITECTURE.md and the test that
reads the query plans).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from places.paths import subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")


AREA_CODE_LENGTH: dict[str, int] = {
    AreaLevel.PROVINCE: 6,
    AreaLevel.CITY: 6,
    AreaLevel.DISTRICT: 6,
    AreaLevel.STREET: 9,
    AreaLevel.COMMUNITY: 12,
}
CHILD_LEVEL: dict[str, str] = {
    AreaLevel.PROVINCE: AreaLevel.CITY,
    AreaLevel.CITY: AreaLevel.DISTRICT,
    AreaLevel.DISTRICT: AreaLevel.STREET,
    AreaLevel.STREET: AreaLevel.COMMUNITY,
}


class AreaQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> AreaQuerySet:
        """Areas the user may see: the subtrees of their area roles, or where their units and homes are."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(scope.area_q("path") | Q(pk__in=scope.extra_area_ids))

    def subtree(self, area: Area) -> AreaQuerySet:
        """The area and everything below it."""
        return self.filter(subtree_q("path", area.path))

    def of_level(self, level: str) -> AreaQuerySet:
        return self.filter(level=level)


class Area(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> AreaQuerySet:
        codes = [c for c in self.path.split(".") if c][:-1]
        return Area.objects.filter(code__in=codes).order_by("depth")


class CompoundQuerySet(models.QuerySet):
    def in_use(self) -> CompoundQuerySet:
        """Compounds not retired."""
        return self.filter(retired_on__isnull=True)

    def visible_to(self, user: User | AnonymousUser) -> CompoundQuerySet:
        """Compounds in the user's visible communities, or holding a building they may see."""
        return self.filter(
            Q(community__in=Area.objects.visible_to(user))
            | Q(pk__in=Building.objects.visible_to(user).values("compound"))
        )


class Compound(models.Model):
    """小区: a residential compound inside a community."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="compounds")
    name = models.CharField(_("name"), max_length=64)
    address = models.CharField(_("address"), max_length=200, blank=True)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)

    objects = CompoundQuerySet.as_manager()

    class Meta:
        ordering = ["community_id", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="compound_unique_name")]
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")

    def __str__(self) -> str:
        return self.name


class BuildingQuerySet(models.QuerySet):
    def in_use(self) -> BuildingQuerySet:
        """Buildings not retired."""
        return self.filter(retired_on__isnull=True)

    def visible_to(self, user: User | AnonymousUser) -> BuildingQuerySet:
        """Buildings in communities the user may see, or in their grids."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            scope.area_q("compound__community__path")
            | scope.grid_q("grid__path")
            | Q(compound__community_id__in=scope.extra_area_ids)
        )


class Building(models.Model):
    """楼栋 / 楼宇: a building in a compound, placed in a level-3 grid."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="buildings")
    name = models.CharField(_("name"), max_length=64)
    grid = models.ForeignKey(
        "places.Grid", on_delete=models.SET_NULL, null=True, blank=True, related_name="buildings"
    )
    retired_on = models.DateField(_("retired on"), null=True, blank=True)

    objects = BuildingQuerySet.as_manager()

    class Meta:
        ordering = ["compound_id", "name"]
        constraints = [models.UniqueConstraint(fields=["compound", "name"], name="building_unique_name")]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return f"{self.compound.name} {self.name}"


class GridQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> GridQuerySet:
        """Grids inside the user's area subtrees (a community sees its own grids), or the user's own grids."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            scope.area_q("street__path") | scope.area_q("community__path") | scope.grid_q("path")
        )


class Grid(models.Model):
    """网格: a management grid inside a street, levels 1–3."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    street = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="grids", limit_choices_to={"level": AreaLevel.STREET}
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("grid level"), choices=[(1, "1"), (2, "2"), (3, "3")])
    code = models.CharField(_("grid code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    community = models.ForeignKey(
        Area, on_delete=models.SET_NULL, null=True, blank=True, related_name="community_grids"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)

    objects = GridQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def __str__(self) -> str:
        return self.name
