"""Alliances, their member units and posts, the rotating chair, and the event log of everything in them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliances.models.scoping import area_q


class AllianceKind(models.TextChoices):
    STREET = "street", _("Street alliance")  # 街道党建联盟
    COMMUNITY = "community", _("Community joint committee")  # 社区联合党委
    BIG_COMMITTEE = "big_committee", _("Big party committee")  # 大工委 / 大党委


class AllianceState(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISSOLVED = "dissolved", _("Dissolved")


class AllianceQuerySet(models.QuerySet):
    def visible_to(self, user) -> AllianceQuerySet:
        """The alliance's area staff and those above and below it, its member units' people, its post
        holders (alliances/models/scoping.py)."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        q = area_q(scope, "area_path")
        if scope.unit_ids:
            q |= Q(pk__in=AllianceMember.objects.filter(unit_id__in=scope.unit_ids).values("alliance_id"))
        if getattr(user, "is_authenticated", False):
            q |= Q(pk__in=AlliancePost.objects.current().filter(user=user).values("alliance_id"))
        return self.filter(q)

    def active(self) -> AllianceQuerySet:
        return self.filter(state=AllianceState.ACTIVE)


class Alliance(models.Model):
    """党建联盟: led by a street's or a community's party organisation, with member units under agreements.
    Its ``area`` is the street or community it serves; ``area_path`` copies the area's path for scoping."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=AllianceKind.choices)
    area = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="alliances", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    lead_org = models.ForeignKey(
        "orgs.PartyOrg",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_alliances",
        verbose_name=_("lead party organisation"),
    )
    charter = models.TextField(_("covenant"), max_length=4000, blank=True)  # 盟约
    state = models.CharField(
        _("state"), max_length=16, choices=AllianceState.choices, default=AllianceState.ACTIVE
    )
    founded_on = models.DateField(_("founded on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AllianceQuerySet.as_manager()

    class Meta:
        ordering = ["area_path", "name"]
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")

    def __str__(self) -> str:
        return self.name


class AllianceMemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> AllianceMemberQuerySet:
        from alliances.models import Alliance

        return self.filter(alliance__in=Alliance.objects.visible_to(user))

    def current(self) -> AllianceMemberQuerySet:
        """Units that joined and have not left (active or not: see ``active_on``)."""
        return self.filter(left_on__isnull=True)

    def active_on(self, day) -> AllianceMemberQuerySet:
        """Current members with a signed agreement in force on ``day``: an expired agreement makes a unit
        inactive in the alliance until it is renewed."""
        from alliances.models import Agreement

        in_force = Agreement.objects.in_force_on(day).filter(
            alliance_id=models.OuterRef("alliance_id"), unit_id=models.OuterRef("unit_id")
        )
        return self.current().filter(models.Exists(in_force))


class AllianceMember(models.Model):
    """A member unit (成员单位). One row per unit and alliance: a unit cannot join the same alliance twice;
    one that left and comes back has its row reopened."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="members")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="alliance_memberships")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AllianceMemberQuerySet.as_manager()

    class Meta:
        ordering = ["alliance_id", "joined_on", "id"]
        verbose_name = _("member unit")
        verbose_name_plural = _("member units")
        constraints = [
            models.UniqueConstraint(fields=["alliance", "unit"], name="alliance_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} @ {self.alliance}"


class PostRole(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")  # 书记
    DEPUTY = "deputy", _("Deputy secretary")  # 副书记
    PART_TIME = "part_time", _("Part-time member")  # 兼职委员
    INSPECTOR = "inspector", _("Inspector")  # 督查员
    ENVOY = "envoy", _("Envoy")  # 特派员
    LIAISON = "liaison", _("Liaison")  # 联络员
    INFORMANT = "informant", _("Informant")  # 信息员


class AlliancePostQuerySet(models.QuerySet):
    def visible_to(self, user) -> AlliancePostQuerySet:
        from alliances.models import Alliance

        return self.filter(alliance__in=Alliance.objects.visible_to(user))

    def current(self) -> AlliancePostQuerySet:
        return self.filter(ended_on__isnull=True)


class AlliancePost(models.Model):
    """A post in an alliance held by a person with an account: its committee (secretary, deputies, part-time
    members from units) and the four roles (四员: inspectors following several units, one envoy per unit, a
    liaison per street and unit, informants — the grid workers)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="posts")
    role = models.CharField(_("post"), max_length=16, choices=PostRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="alliance_posts",
        verbose_name=_("holder"),
    )
    holder_name = models.CharField(_("holder"), max_length=32)
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from unit"),
    )
    followed_units = models.ManyToManyField(
        "orgs.Unit", blank=True, related_name="+", verbose_name=_("units followed")
    )
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    objects = AlliancePostQuerySet.as_manager()

    class Meta:
        ordering = ["alliance_id", "role", "started_on", "id"]
        verbose_name = _("alliance post")
        verbose_name_plural = _("alliance posts")
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "unit"],
                condition=Q(role="envoy", ended_on__isnull=True),
                name="alliance_one_envoy_per_unit",
            ),
            models.UniqueConstraint(
                fields=["alliance"],
                condition=Q(role="secretary", ended_on__isnull=True),
                name="alliance_one_secretary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.holder_name}"


class ChairTurnQuerySet(models.QuerySet):
    def visible_to(self, user) -> ChairTurnQuerySet:
        from alliances.models import Alliance

        return self.filter(alliance__in=Alliance.objects.visible_to(user))


class ChairTurn(models.Model):
    """轮值主席: the member unit that chairs the alliance for a month (``month`` is its first day) and leads
    a themed activity. ``scheduled_unit`` keeps the unit the rotation first gave the month when a swap
    changed it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="chair_turns")
    month = models.DateField(_("month"))
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("chair"))
    scheduled_unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    theme = models.CharField(_("theme"), max_length=80, blank=True)
    plan = models.TextField(_("plan"), max_length=2000, blank=True)
    report = models.TextField(pgettext_lazy("chair", "report"), max_length=4000, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    objects = ChairTurnQuerySet.as_manager()

    class Meta:
        ordering = ["alliance_id", "month"]
        verbose_name = _("chair turn")
        verbose_name_plural = _("chair turns")
        constraints = [
            models.UniqueConstraint(fields=["alliance", "month"], name="alliance_one_chair_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.alliance} {self.month:%Y-%m}"


class AllianceEvent(models.Model):
    """One change of anything in an alliance (an agreement signed, a post given, a meeting's minutes
    published, a resolution closed…): who, when, what, and on which record. Append-only: written by the
    actions beside their audit rows, read as each record's history."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    subject_type = models.CharField(max_length=24)  # agreement, meeting, resolution, activity, …
    subject_id = models.UUIDField()  # the record's public_id
    action = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, editable=False)
    reason = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("alliance event")
        verbose_name_plural = _("alliance events")
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"], name="alliance_event_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id}: {self.action}"
