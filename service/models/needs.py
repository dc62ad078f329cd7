"""Needs and wishes (需求清单, 微心愿) and their dispatch (群众点单、党组织派单、党员接单).

A need is posted by a resident, a grid worker or the community; the community (or street) offers it
to a member, a team or a unit, or a member/unit takes it; the taker accepts or declines with a
reason. Every change is a NeedEvent row. A wish (微心愿) is a need of kind ``wish``: small, with an
optional budget, usually fulfilled by one member or unit.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from service.models.events import StateEvent


class NeedKind(models.TextChoices):
    NEED = "need", _("Need")
    WISH = "wish", _("Micro-wish")


class Urgency(models.TextChoices):
    LOW = "low", _("Not urgent")
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class NeedState(models.TextChoices):
    OPEN = "open", _("Open")
    OFFERED = "offered", _("Dispatched, awaiting reply")
    TAKEN = "taken", _("Taken")
    DONE = "done", _("Served, awaiting confirmation")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Needs somebody still has to act on (the board's columns, the overdue check).
LIVE_NEED_STATES = (NeedState.OPEN, NeedState.OFFERED, NeedState.TAKEN, NeedState.DONE)


class PostedAs(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")


class NeedQuerySet(models.QuerySet):
    def visible_to(self, user) -> NeedQuerySet:
        """Needs of the user's areas and grids, needs they posted or benefit from, needs offered to
        them or their unit/team, and — for members and unit admins — open needs of the communities they
        serve (so they can take them)."""
        from access import served_communities_q
        from accounts.models import Role
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        q = scope.area_q("community_path") | scope.grid_q("grid_path") | Q(posted_by_id=user.pk)
        if scope.resident_ids:
            q |= Q(beneficiary_resident_id__in=scope.resident_ids)
        assigned = Assignment.objects.filter(
            Q(member_id__in=scope.member_ids)
            | Q(team__memberships__member_id__in=scope.member_ids)
            | Q(unit_id__in=scope.units_for(Role.UNIT_ADMIN))
        )
        if scope.member_ids or scope.units_for(Role.UNIT_ADMIN):
            q |= Q(pk__in=assigned.values("need_id"))
            q |= Q(state=NeedState.OPEN) & served_communities_q(scope)
        return self.filter(q)

    def live(self) -> NeedQuerySet:
        """Not yet closed or cancelled."""
        return self.filter(state__in=LIVE_NEED_STATES)

    def open(self) -> NeedQuerySet:
        """Nobody is on it: new, or declined back to the community."""
        return self.filter(state=NeedState.OPEN)

    def overdue(self, now=None) -> NeedQuerySet:
        """Past their due time and not yet served."""
        now = now or timezone.now()
        return self.filter(
            state__in=(NeedState.OPEN, NeedState.OFFERED, NeedState.TAKEN),
            due_at__isnull=False,
            due_at__lt=now,
        )

    def needs(self) -> NeedQuerySet:
        return self.filter(kind=NeedKind.NEED)

    def wishes(self) -> NeedQuerySet:
        return self.filter(kind=NeedKind.WISH)


class Need(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=NeedKind.choices, default=NeedKind.NEED)
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    category = models.ForeignKey(
        "service.ServiceCategory", on_delete=models.PROTECT, related_name="needs", verbose_name=_("category")
    )
    community = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="service_needs", verbose_name=_("community")
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    compound = models.ForeignKey(
        "places.Compound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compound"),
    )
    building = models.ForeignKey(
        "places.Building",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )
    grid = models.ForeignKey(
        "places.Grid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grid"),
    )
    grid_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    due_at = models.DateTimeField(_("needed by"), null=True, blank=True)
    # Who benefits. Name and address are shown only to those who serve them (access.sees_beneficiary).
    beneficiary_resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("beneficiary"),
    )
    beneficiary_name = models.CharField(_("beneficiary's name"), max_length=32, blank=True)
    beneficiary_address = models.CharField(_("beneficiary's address"), max_length=120, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("posted by"),
    )
    posted_as = models.CharField(_("posted as"), max_length=16, choices=PostedAs.choices)
    state = models.CharField(_("state"), max_length=16, choices=NeedState.choices, default=NeedState.OPEN)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["community", "state"], name="need_community_state")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_at is not None
            and self.state in (NeedState.OPEN, NeedState.OFFERED, NeedState.TAKEN)
            and self.due_at < timezone.now()
        )

    def current_assignment(self) -> Assignment | None:
        """The offered or accepted assignment, if any (lists prefetch it as ``current_assignments``)."""
        prefetched = getattr(self, "current_assignments", None)
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        return self.assignments.current().select_related("member__user", "team", "unit").first()

    def serving_assignment(self) -> Assignment | None:
        """Whoever answers for the need now: the current offer or taking, or, once the need is served or
        closed, the assignment that served it."""
        current = self.current_assignment()
        if current is None and self.state in (NeedState.DONE, NeedState.CLOSED):
            return (
                self.assignments.filter(state=AssignmentState.DONE)
                .select_related("member", "team", "unit")
                .order_by("-offered_at", "-id")
                .first()
            )
        return current


class AssignmentState(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DONE = "done", _("Done")


CURRENT_ASSIGNMENT_STATES = (AssignmentState.OFFERED, AssignmentState.ACCEPTED)


class AssignmentVia(models.TextChoices):
    DISPATCH = "dispatch", _("Dispatched")
    TAKEN = "taken", _("Taken")


class AssignmentQuerySet(models.QuerySet):
    def current(self) -> AssignmentQuerySet:
        """Offered or accepted: someone is (or may soon be) on the need."""
        return self.filter(state__in=CURRENT_ASSIGNMENT_STATES)

    def for_user(self, user) -> AssignmentQuerySet:
        """Assignments the user answers for: to their member record, their teams, their units."""
        from accounts.models import Role
        from accounts.scope import scope_for

        scope = scope_for(user)
        return self.filter(
            Q(member_id__in=scope.member_ids)
            | Q(team__memberships__member_id__in=scope.member_ids)
            | Q(unit_id__in=scope.units_for(Role.UNIT_ADMIN))
        ).distinct()

    def awaiting_reply_too_long(self, now=None) -> AssignmentQuerySet:
        """Offered and not answered by the time the community asked for."""
        now = now or timezone.now()
        return self.filter(state=AssignmentState.OFFERED, respond_by__lt=now)


class Assignment(models.Model):
    """One offer of a need to a member, a team or a unit (exactly one of the three)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(
        "people.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="service_assignments"
    )
    team = models.ForeignKey(
        "checkin.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="service_assignments"
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="service_assignments"
    )
    via = models.CharField(_("how"), max_length=16, choices=AssignmentVia.choices)
    state = models.CharField(_("state"), max_length=16, choices=AssignmentState.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    suggestion_reason = models.CharField(_("why suggested"), max_length=200, blank=True)
    offered_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateTimeField(_("reply by"), null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["need"],
                condition=Q(state__in=CURRENT_ASSIGNMENT_STATES),
                name="assignment_one_current",
            ),
            models.CheckConstraint(
                condition=(
                    Q(member__isnull=False, team__isnull=True, unit__isnull=True)
                    | Q(member__isnull=True, team__isnull=False, unit__isnull=True)
                    | Q(member__isnull=True, team__isnull=True, unit__isnull=False)
                ),
                name="assignment_one_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need} → {self.assignee}"

    @property
    def assignee(self):
        return self.member or self.team or self.unit


class NeedEvent(StateEvent):
    """One change of a need: append-only, never edited."""

    subject = "need"

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=NeedState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=NeedState.choices)

    class Meta(StateEvent.Meta):
        verbose_name = _("need event")
        verbose_name_plural = _("need events")
