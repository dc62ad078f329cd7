"""The whistle (街乡吹哨、部门报到): problems reported on the grids, triaged by the community, whistled by
the street to departments and member units, handled to deadlines in Chinese working days, escalated when
late, and confirmed and rated by whoever reported them.

A case's life (docs/CASES.md has the picture):

    triage ──dispatch──▶ dispatched ──accept (报到)──▶ handling ──result──▶ resolved ──rate──▶ closed
      ▲  │                    │                          │                     │
      │  └──community closes──┼──────────────────────────┼────────────▶ resolved
      └───── return (reason) ─┘      unsatisfied once: back to handling ◀──────┘
                                     unsatisfied again: triage one level up (escalated)

A case sits with a *holder*: the community, the street or the district whose staff must triage it
(``holder_level``/``holder_area``). Every change is a ``CaseEvent`` row and an audit row. The reporter's
name and phone are seen only by those handling the case (``cases.access.sees_reporter``); the phone is
sealed like every other phone (gongjian/privacy.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.privacy import mask_from_hint
from service.models.events import StateEvent


class CaseCategoryQuerySet(models.QuerySet):
    def active(self) -> CaseCategoryQuerySet:
        return self.filter(active=True)

    def leaves(self) -> CaseCategoryQuerySet:
        """Categories a case can be filed under (those with no children)."""
        return self.filter(children__isnull=True)


class CaseCategory(models.Model):
    """问题分类: a tree of two levels (e.g. 市容环境 → 乱堆乱放). Each has a deadline in Chinese working days,
    a window in working days for the handler to accept, and a default handler (a department) that the
    street's dispatch form offers first. Its ``code`` is the Open311 ``service_code``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("group"),
    )
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    deadline_days = models.PositiveSmallIntegerField(_("deadline (working days)"), default=5)
    accept_days = models.PositiveSmallIntegerField(_("time to accept (working days)"), default=1)
    default_handler = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default handler"),
        limit_choices_to={"kind": "department"},
    )
    active = models.BooleanField(_("in use"), default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    objects = CaseCategoryQuerySet.as_manager()

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name


class CaseSource(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    RESIDENT = "resident", _("Resident")
    MEMBER = "member", _("Party member")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    HOTLINE = "hotline", _("Hotline (12345)")
    OPEN311 = "open311", _("Another system (Open311)")


class CaseState(models.TextChoices):
    TRIAGE = "triage", _("Awaiting triage")
    DISPATCHED = "dispatched", _("Dispatched, awaiting acceptance")
    HANDLING = "handling", _("Being handled")
    RESOLVED = "resolved", _("Resolved, awaiting confirmation")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another case")


# Somebody still has to act on these (the board, the stuck list, the deadline checks).
OPEN_CASE_STATES = (CaseState.TRIAGE, CaseState.DISPATCHED, CaseState.HANDLING)
# Finished as far as the handlers are concerned (the result is in).
DONE_CASE_STATES = (CaseState.RESOLVED, CaseState.CLOSED)


class HolderLevel(models.TextChoices):
    """Whose staff triage the case now: it climbs when the case is passed up or escalated."""

    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DISTRICT = "district", _("District")


class Satisfaction(models.TextChoices):
    """The three answers of the 12345 call-back: satisfied and basically satisfied count as satisfied."""

    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


SATISFIED_ANSWERS = (Satisfaction.SATISFIED, Satisfaction.BASIC)


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseQuerySet:
        """Cases in the user's areas (org department, street, community) and grids; cases dispatched to
        their department or unit (whatever became of the dispatch: a department that returned a case keeps
        its history); the cases they reported. Nothing else: an inspector or a member sees only their own
        reports, and street B nothing of street A."""
        from accounts.models import Role
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        q = scope.area_q("area_path") | scope.grid_q("grid_path")
        handler_units = scope.units_for(Role.DEPARTMENT) | scope.units_for(Role.UNIT_ADMIN)
        if handler_units:
            q |= Q(pk__in=CaseDispatch.objects.filter(unit_id__in=handler_units).values("case_id"))
        if user is not None and user.is_authenticated:
            q |= Q(reporter_id=user.pk)
        return self.filter(q)

    def open(self) -> CaseQuerySet:
        return self.filter(state__in=OPEN_CASE_STATES)

    def overdue(self, now=None) -> CaseQuerySet:
        """Past their deadline and the result not in."""
        return self.filter(state__in=OPEN_CASE_STATES, due_at__lt=now or timezone.now())

    def due_soon(self, now=None, *, within=None) -> CaseQuerySet:
        """Not yet late, but due within ``within`` (a timedelta; a day unless given)."""
        from datetime import timedelta

        now = now or timezone.now()
        return self.filter(
            state__in=OPEN_CASE_STATES, due_at__gte=now, due_at__lt=now + (within or timedelta(days=1))
        )

    def stuck(self, now=None) -> CaseQuerySet:
        """The stuck list (督办): overdue, escalated and still open, or a dispatch left unanswered past its
        time to accept."""
        now = now or timezone.now()
        late_to_accept = CaseDispatch.objects.filter(state=DispatchState.AWAITING, accept_by__lt=now)
        return self.filter(state__in=OPEN_CASE_STATES).filter(
            Q(due_at__lt=now) | Q(escalation_level__gt=0) | Q(pk__in=late_to_accept.values("case_id"))
        )


class Case(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # what people read out on the phone and Open311 calls service_request_id: the day and a sequence
    number = models.CharField(_("case number"), max_length=20, unique=True, null=True, blank=True)
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    category = models.ForeignKey(
        CaseCategory, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    source = models.CharField(_("reported by"), max_length=16, choices=CaseSource.choices)
    # Where: always a street; a community, grid, compound and building when known.
    street = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="street_cases", verbose_name=_("street")
    )
    community = models.ForeignKey(
        "places.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community_cases",
        verbose_name=_("community"),
    )
    # the community's path, or the street's when no community is known: one subtree predicate for scopes
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    grid = models.ForeignKey(
        "places.Grid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("grid"),
    )
    grid_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
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
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Who reported it: an account, and/or a name and phone (hotline, Open311, on someone's behalf).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=32, blank=True)
    reporter_phone_cipher = models.TextField(blank=True, editable=False)
    reporter_phone_hint = models.CharField(max_length=8, blank=True, editable=False)
    external_id = models.CharField(_("number in the source system"), max_length=64, blank=True)
    submitted_via = models.ForeignKey(
        "cases.Open311Key", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    state = models.CharField(_("state"), max_length=16, choices=CaseState.choices, default=CaseState.TRIAGE)
    holder_level = models.CharField(
        _("held by"), max_length=16, choices=HolderLevel.choices, default=HolderLevel.COMMUNITY
    )
    holder_area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="held_cases")
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    completed_on_time = models.BooleanField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    result = models.TextField(_("result"), max_length=2000, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    rating = models.CharField(_("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=200, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_cases"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["state", "due_at"], name="case_state_due"),
            models.Index(fields=["holder_area", "state"], name="case_holder_state"),
            models.Index(fields=["category", "reported_at"], name="case_category_reported"),
        ]

    def __str__(self) -> str:
        return f"{self.number or ''} {self.title}".strip()

    @property
    def reporter_phone_masked(self) -> str:
        return mask_from_hint("phone", self.reporter_phone_hint)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CASE_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()

    @property
    def place_label(self) -> str:
        """Where, in words: the community (or street), then the building (which names its compound) or the
        compound, then the address as reported."""
        parts = [str(self.community or self.street)]
        if self.building_id:
            parts.append(str(self.building))
        elif self.compound_id:
            parts.append(str(self.compound))
        if self.address:
            parts.append(self.address)
        return " · ".join(parts)


class DispatchRole(models.TextChoices):
    LEAD = "lead", _("Lead handler")
    CO = "co", _("Co-handler")


class DispatchState(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted (reported for duty)")
    RETURNED = "returned", _("Returned")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DONE = "done", _("Done")


CURRENT_DISPATCH_STATES = (DispatchState.AWAITING, DispatchState.ACCEPTED)


class CaseDispatchQuerySet(models.QuerySet):
    def current(self) -> CaseDispatchQuerySet:
        return self.filter(state__in=CURRENT_DISPATCH_STATES)

    def for_user(self, user) -> CaseDispatchQuerySet:
        """Dispatches to the departments and units the user answers for (the department role, a unit's
        party admin)."""
        from cases.access import handler_unit_ids

        return self.filter(unit_id__in=handler_unit_ids(user))


class CaseDispatch(models.Model):
    """吹哨: one department or member unit called to a case, as lead or co-handler, with its own times."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dispatches")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="case_dispatches")
    role = models.CharField(_("role"), max_length=8, choices=DispatchRole.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=DispatchState.choices, default=DispatchState.AWAITING
    )
    note = models.CharField(_("instructions"), max_length=200, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    dispatched_at = models.DateTimeField(default=timezone.now)
    accept_by = models.DateTimeField(_("accept by"))
    due_at = models.DateTimeField(_("due"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_on_time = models.BooleanField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_reason = models.CharField(_("reason"), max_length=200, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    completed_on_time = models.BooleanField(null=True, blank=True)

    objects = CaseDispatchQuerySet.as_manager()

    class Meta:
        ordering = ["-dispatched_at", "-id"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(role="lead", state__in=CURRENT_DISPATCH_STATES),
                name="case_dispatch_one_lead",
            ),
            models.UniqueConstraint(
                fields=["case", "unit"],
                condition=Q(state__in=CURRENT_DISPATCH_STATES),
                name="case_dispatch_unit_once",
            ),
        ]
        indexes = [models.Index(fields=["unit", "state"], name="case_dispatch_unit_state")]

    def __str__(self) -> str:
        return f"{self.case} → {self.unit}"

    @property
    def is_current(self) -> bool:
        return self.state in CURRENT_DISPATCH_STATES


class UpdateKind(models.TextChoices):
    REPORT = "report", _("Report")
    PROGRESS = "progress", _("Progress")
    RESULT = "result", _("Result")


class CaseUpdate(models.Model):
    """What somebody wrote on a case, with its photos: the report's photos, progress, the result."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="updates")
    dispatch = models.ForeignKey(
        CaseDispatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="updates"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=UpdateKind.choices)
    text = models.TextField(_("text"), max_length=2000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case update")
        verbose_name_plural = _("case updates")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"


def case_photo_path(photo: CasePhoto, filename: str) -> str:
    return f"cases/{photo.update.case.public_id}/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


class CasePhoto(models.Model):
    """A photo on an update, checked by its content (service/records/imaging.py) and stored without
    metadata: the phone size and a thumbnail."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    update = models.ForeignKey(CaseUpdate, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=case_photo_path)
    thumb = models.FileField(upload_to=case_photo_path, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")

    def __str__(self) -> str:
        return str(self.public_id)


class CaseEvent(StateEvent):
    """One change of a case, append-only: who moved it from which state to which, when and why, and the
    unit it concerned (a dispatch, an acceptance, a return)."""

    subject = "case"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=CaseState.choices)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta(StateEvent.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["action", "at"], name="case_event_action_at")]


class MeetingState(models.TextChoices):
    CALLED = "called", _("Called")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class CaseMeeting(models.Model):
    """A multi-party meeting on a case (六方会议: 居委、物业、城管、民警、房办、网格员): who was invited,
    who came, what was agreed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=80)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=120)
    invited_units = models.ManyToManyField(
        "orgs.Unit", related_name="+", blank=True, verbose_name=_("units invited")
    )
    other_parties = models.CharField(
        _("other parties"),
        max_length=200,
        blank=True,
        help_text=_("e.g. the residents' committee, property management"),
    )
    attended_units = models.ManyToManyField(
        "orgs.Unit", related_name="+", blank=True, verbose_name=_("units present")
    )
    attendees = models.CharField(_("others present"), max_length=300, blank=True)
    agreed = models.TextField(_("what was agreed"), max_length=2000, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=MeetingState.choices, default=MeetingState.CALLED
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    called_at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("case meeting")
        verbose_name_plural = _("case meetings")

    def __str__(self) -> str:
        return self.title


class ResponsibilityAreaQuerySet(models.QuerySet):
    def visible_to(self, user) -> ResponsibilityAreaQuerySet:
        """Those of grids the user may see, and the user's own."""
        from accounts.scope import scope_for
        from places.models import Grid

        scope = scope_for(user)
        if scope.everything:
            return self
        q = Q(grid__in=Grid.objects.visible_to(user))
        if scope.member_ids:
            q |= Q(member_id__in=scope.member_ids) | Q(team__memberships__member_id__in=scope.member_ids)
        return self.filter(q).distinct()


class ResponsibilityArea(models.Model):
    """党建责任区: a member or a team answering for part of a grid (a compound, a building, or the grid)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grid = models.ForeignKey("places.Grid", on_delete=models.CASCADE, related_name="responsibility_areas")
    compound = models.ForeignKey(
        "places.Compound", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    building = models.ForeignKey(
        "places.Building", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        "people.Member", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        "checkin.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ResponsibilityAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsibility area")
        verbose_name_plural = _("responsibility areas")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, team__isnull=True)
                | Q(member__isnull=True, team__isnull=False),
                name="responsibility_area_one_holder",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grid_id}: {self.member_id or self.team_id}"


class Open311Key(models.Model):
    """An API key of another city system (a hotline, an app) that files cases through Open311, kept by the
    platform administrator: only its hash is stored; it files cases inside ``area`` only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("system"), max_length=64)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    area = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("may file in")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="open311_key", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
