"""Meetings with the same machinery for every kind: an alliance's plenary, regular and emergency
meetings, the four levels of 四会, multi-party meetings on a case, and a branch's organisational life
(三会一课). Invitations, QR sign-in within the meeting's window, minutes drafted, amended and published,
and resolutions that become tracked work for a member unit or department (or a case in the whistle)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary meeting")  # 全体会议 (annual)
    REGULAR = "regular", _("Regular joint meeting")  # 联席会议 (quarterly / monthly)
    EMERGENCY = "emergency", _("Emergency meeting")  # 紧急会议
    LEADING_GROUP = "leading_group", _("City leading group meeting")  # 市领导小组会议
    DISTRICT = "district", _("District coordination meeting")  # 区协调会议 (at least twice a year)
    STREET = "street", _("Street committee meeting")  # 街道工委会议 (quarterly)
    COMMUNITY = "community", _("Community dispatch meeting")  # 社区派单会议 (monthly)
    CASE = "case", _("Multi-party meeting on a case")  # 多方议事
    BRANCH_ASSEMBLY = "branch_assembly", _("Branch members' assembly")  # 支部党员大会
    BRANCH_COMMITTEE = "branch_committee", _("Branch committee meeting")  # 支委会
    PARTY_GROUP = "party_group", _("Party group meeting")  # 党小组会
    PARTY_LECTURE = "party_lecture", _("Party lecture")  # 党课


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class MinutesState(models.TextChoices):
    NONE = "none", _("No minutes yet")
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeetingQuerySet:
        """The host alliance's readers; for a party organisation's meeting, the staff over its area (its
        area's subtree holders only: the areas under it are not "over" it) and its unit's party admin,
        who calls it (``keeps_party_org``); and everyone invited."""
        from accounts.models import Role
        from accounts.scope import scope_for
        from alliances.models import Alliance

        scope = scope_for(user)
        if scope.everything:
            return self
        q = Q(alliance__in=Alliance.objects.visible_to(user)) | (
            Q(alliance__isnull=True)
            & (scope.area_q("area_path") | Q(party_org__unit_id__in=scope.units_for(Role.UNIT_ADMIN)))
        )
        if getattr(user, "is_authenticated", False):
            q |= Q(pk__in=Invitation.objects.filter(user=user).values("meeting_id"))
        return self.filter(q)

    def held(self) -> MeetingQuerySet:
        return self.filter(state=MeetingState.HELD)


def new_secret() -> str:
    return secrets.token_urlsafe(18)


class Meeting(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, null=True, blank=True, related_name="meetings"
    )
    party_org = models.ForeignKey(
        "orgs.PartyOrg",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("party organisation"),
        help_text=_("The branch or committee holding it, when it is not an alliance's meeting."),
    )
    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    title = models.CharField(_("title"), max_length=100)
    agenda = models.TextField(_("agenda"), max_length=4000, blank=True)
    place = models.CharField(_("place"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # The required period this meeting answers (its first day): the period it is held in, or an earlier
    # one when it makes up for a missed meeting, which then counts as late (alliances/compliance.py).
    period_start = models.DateField(_("counts for the period starting"))
    state = models.CharField(
        _("state"), max_length=16, choices=MeetingState.choices, default=MeetingState.PLANNED
    )
    cases = models.ManyToManyField(
        "cases.Case", blank=True, related_name="alliance_meetings", verbose_name=_("cases taken up")
    )
    signin_secret = models.CharField(max_length=32, default=new_secret, editable=False)
    minutes = models.TextField(pgettext_lazy("meeting", "minutes"), max_length=20000, blank=True)
    minutes_state = models.CharField(max_length=16, choices=MinutesState.choices, default=MinutesState.NONE)
    minutes_published_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    called_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(alliance__isnull=False) | Q(party_org__isnull=False), name="meeting_has_a_host"
            ),
        ]
        indexes = [models.Index(fields=["alliance", "kind", "period_start"], name="meeting_compliance")]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """Who is asked to come (a person with an account, for a member unit or on their own), and whether
    they signed in: attendance is filled from sign-ins, never typed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_invitations"
    )
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=32)
    invited_at = models.DateTimeField(default=timezone.now, editable=False)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    signed_in_via = models.CharField(max_length=16, blank=True)  # qr, secretary
    excused = models.CharField(_("leave of absence"), max_length=200, blank=True)  # 请假

    class Meta:
        ordering = ["meeting_id", "unit_id", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="meeting_invited_once")]

    def __str__(self) -> str:
        return self.name


class MinutesRevision(models.Model):
    """Every saved version of a meeting's minutes: drafted, amended, published (and amended after)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes_revisions")
    text = models.TextField(max_length=20000)
    note = models.CharField(max_length=200, blank=True)
    published = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("minutes revision")
        verbose_name_plural = _("minutes revisions")

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.at:%Y-%m-%d %H:%M}"


class ResolutionState(models.TextChoices):
    OPEN = "open", pgettext_lazy("resolution", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("resolution", "In progress")
    CLOSED = "closed", pgettext_lazy("resolution", "Closed")
    CASE = "case", _("Handed to the whistle")  # became a case; the case tracks it
    DROPPED = "dropped", _("Dropped")


class ResolutionQuerySet(models.QuerySet):
    def visible_to(self, user) -> ResolutionQuerySet:
        """The meeting's readers see its resolutions; the owner unit's people see the tasks it owns."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            Q(meeting__in=Meeting.objects.visible_to(user)) | Q(owner_unit_id__in=scope.unit_ids)
        )

    def open(self) -> ResolutionQuerySet:
        return self.filter(state__in=(ResolutionState.OPEN, ResolutionState.IN_PROGRESS))

    def overdue(self, day) -> ResolutionQuerySet:
        return self.open().filter(due_on__lt=day)


class Resolution(models.Model):
    """A decision of a meeting that becomes a task (任务) owned by a member unit or a department, with a
    due date, progress updates and evidence, until it is closed — or handed to the whistle as a case."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="resolutions")
    number = models.PositiveSmallIntegerField(pgettext_lazy("resolution", "number"))
    text = models.CharField(_("resolution"), max_length=500)
    owner_unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="alliance_tasks", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"))
    state = models.CharField(
        _("state"), max_length=16, choices=ResolutionState.choices, default=ResolutionState.OPEN
    )
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ResolutionQuerySet.as_manager()

    class Meta:
        ordering = ["meeting_id", "number"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="resolution_number_once")]

    def __str__(self) -> str:
        return self.text


class ResolutionUpdate(models.Model):
    """Progress on a resolution, or the evidence that closes it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="updates")
    note = models.CharField(_("progress"), max_length=1000)
    is_evidence = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("resolution update")
        verbose_name_plural = _("resolution updates")

    def __str__(self) -> str:
        return self.note[:40]


class ResolutionFile(models.Model):
    """A photo or document attached to an update as evidence."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    update = models.ForeignKey(ResolutionUpdate, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="alliances/evidence/%Y/%m/")
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=80, blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name
