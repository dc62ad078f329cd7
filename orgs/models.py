"""Party organisations (a tree of their own), their posts, and units (驻区单位 and departments)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("Government agency")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    STATE_FIRM = "state_firm", _("State-owned enterprise")
    PRIVATE_FIRM = "private_firm", _("Private enterprise")
    SOCIAL_ORG = "social_org", _("Social organisation")
    DEPARTMENT = "department", _("Functional department")


def _admin_grants() -> models.QuerySet:
    """The unit admin grants of the unit in the outer query."""
    from accounts.models import Role, RoleGrant

    return RoleGrant.objects.filter(role=Role.UNIT_ADMIN, unit=models.OuterRef("pk"))


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> UnitQuerySet:
        """Units located in the user's area subtrees, plus the units they administer or inspect."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(scope.area_q("address_area__path") | Q(pk__in=scope.unit_ids))

    def with_admin(self) -> UnitQuerySet:
        """Units with at least one party admin."""
        return self.filter(models.Exists(_admin_grants()))

    def without_admin(self) -> UnitQuerySet:
        """Units (departments aside, whose people hold the department role) with no party admin."""
        return self.exclude(kind=UnitKind.DEPARTMENT).exclude(models.Exists(_admin_grants()))

    def departments(self) -> UnitQuerySet:
        """Functional departments, which receive dispatched cases."""
        return self.filter(kind=UnitKind.DEPARTMENT)


class Unit(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=128, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    address_area = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="units", verbose_name=_("located in")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class PartyOrgKind(models.TextChoices):
    COMMITTEE = "committee", _("Party committee")
    WORKING_COMMITTEE = "working_committee", _("Party working committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Branch")
    GROUP = "group", _("Party group")
    COMPOUND = "compound", _("Compound party organisation")
    GRID_BRANCH = "grid_branch", _("Grid branch")


class PartyOrgQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> PartyOrgQuerySet:
        """Organisations attached to the user's areas (or to units located there), units or grids, and the
        member's own."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            scope.area_q("area__path")
            | scope.area_q("unit__address_area__path")
            | Q(unit_id__in=scope.unit_ids)
            | scope.grid_q("grid__path")
            | Q(pk__in=scope.extra_party_org_ids)
        )

    def active(self) -> PartyOrgQuerySet:
        """Organisations not dissolved (merged ones are dissolved too)."""
        return self.filter(dissolved_on__isnull=True)


class PartyOrg(models.Model):
    """党组织: attached to an area (street working committee, community committee…) or to a unit."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=32, choices=PartyOrgKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("organisation code"), max_length=32, unique=True)
    path = models.CharField(max_length=255, db_index=True, editable=False)
    area = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="party_orgs"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="party_orgs")
    grid = models.ForeignKey(
        "places.Grid", on_delete=models.SET_NULL, null=True, blank=True, related_name="party_orgs"
    )
    compound = models.ForeignKey(
        "places.Compound", on_delete=models.SET_NULL, null=True, blank=True, related_name="party_orgs"
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    objects = PartyOrgQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=False) | Q(unit__isnull=False),
                name="party_org_attached_to_area_or_unit",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PostTitle(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY = "deputy", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    PART_TIME = "part_time", _("Part-time committee member")
    FIRST_SECRETARY = "first_secretary", _("First secretary")


class PostQuerySet(models.QuerySet):
    def current(self) -> PostQuerySet:
        """Posts whose term has not ended."""
        return self.filter(ended_on__isnull=True)


class Post(models.Model):
    """A post held in a party organisation, by a member (or a named person from outside the roster)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    party_org = models.ForeignKey(PartyOrg, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(_("post"), max_length=32, choices=PostTitle.choices)
    member = models.ForeignKey(
        "people.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    holder_name = models.CharField(_("holder"), max_length=32)
    from_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="seconded_posts",
        help_text=_("For part-time members and first secretaries sent by a unit."),
    )
    started_on = models.DateField(_("since"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["party_org_id", "title"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return f"{self.party_org} {self.get_title_display()} {self.holder_name}"
