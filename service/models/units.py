"""What units bring (资源清单) and the co-building projects that join them to a community (项目清单)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from service.models.events import StateEvent


class ResourceKind(models.TextChoices):
    PEOPLE_HOURS = "people_hours", _("Volunteer hours")
    SKILLS = "skills", _("Skills")
    FUNDS = "funds", _("Funds")
    GOODS = "goods", _("Goods")
    VENUE = "venue", _("Venue")


class ResourceQuerySet(models.QuerySet):
    def visible_to(self, user) -> ResourceQuerySet:
        """Resources of units the user administers or inspects, of units in their areas, and resources
        offered to their communities."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            Q(unit_id__in=scope.unit_ids)
            | scope.area_q("unit__address_area__path")
            | scope.area_q("community_path")
        )

    def available(self, day=None) -> ResourceQuerySet:
        """Offered on ``day`` (today by default) and not withdrawn."""
        day = day or timezone.localdate()
        return self.filter(withdrawn_at__isnull=True, available_from__lte=day).filter(
            Q(available_until__isnull=True) | Q(available_until__gte=day)
        )


class Resource(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="resources", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    title = models.CharField(_("title"), max_length=80)
    category = models.ForeignKey(
        "service.ServiceCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("category"),
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    measure = models.CharField(_("measure"), max_length=16, help_text=_("hours, yuan, items, m²…"))
    available_from = models.DateField(_("available from"))
    available_until = models.DateField(_("until"), null=True, blank=True)
    # Offered to one community (a pairing partner), or to any community when empty.
    community = models.ForeignKey(
        "places.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offered to"),
    )
    community_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="resource_quantity_positive")]

    def __str__(self) -> str:
        return self.title


class ProjectState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    EVALUATED = "evaluated", _("Evaluated")
    DROPPED = "dropped", _("Dropped")


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProjectQuerySet:
        """Projects of the user's areas, projects their units take part in, and for unit admins the
        projects of the communities their units work with (so they can join one)."""
        from access import served_communities_q
        from accounts.models import Role
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        q = scope.area_q("community_path") | Q(
            pk__in=ProjectUnit.objects.filter(unit_id__in=scope.unit_ids).values("project_id")
        )
        if scope.units_for(Role.UNIT_ADMIN):
            # unit admins see the projects of the communities their units work with, so they can join one
            q |= served_communities_q(scope)
        if scope.member_ids or scope.resident_ids:
            # residents and members see their own community's projects (they rate them)
            q |= Q(community_id__in=scope.extra_area_ids)
        return self.filter(q)

    def running(self) -> ProjectQuerySet:
        return self.filter(state__in=(ProjectState.AGREED, ProjectState.IN_PROGRESS))


class Project(models.Model):
    """A co-building project between a community and units (e.g. Songyuan's home-care centre)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="service_projects", verbose_name=_("community")
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    category = models.ForeignKey(
        "service.ServiceCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("category"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ProjectState.choices, default=ProjectState.PROPOSED
    )
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    beneficiaries_served = models.PositiveIntegerField(_("people served"), default=0)
    evaluation = models.TextField(_("evaluation"), max_length=2000, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    units = models.ManyToManyField(
        "orgs.Unit", through="service.ProjectUnit", related_name="service_projects"
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.title


class ProjectUnit(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participants")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("project unit")
        verbose_name_plural = _("project units")
        constraints = [models.UniqueConstraint(fields=["project", "unit"], name="project_unit_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} @ {self.project_id}"


class ProjectCommitment(models.Model):
    """What a unit puts into a project: from its resource list, or described."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="commitments")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="commitments"
    )
    description = models.CharField(_("contribution"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    measure = models.CharField(_("measure"), max_length=16)
    committed_at = models.DateTimeField(default=timezone.now)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("project commitment")
        verbose_name_plural = _("project commitments")
        ordering = ["committed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="commitment_quantity_positive")
        ]

    def __str__(self) -> str:
        return self.description


class Milestone(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=100)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProjectEvent(StateEvent):
    """One change of a project: append-only, never edited."""

    subject = "project"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=ProjectState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=ProjectState.choices)

    class Meta(StateEvent.Meta):
        verbose_name = _("project event")
        verbose_name_plural = _("project events")
