"""Leaders linked to communities (领导挂钩联系) with their visits and the problems they took up, and the
inspectors' notes on the units they follow."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LeaderLinkQuerySet(models.QuerySet):
    def visible_to(self, user) -> LeaderLinkQuerySet:
        """The staff over the community (and above it), and the leader."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        q = scope.area_q("community_path")
        if getattr(user, "is_authenticated", False):
            q |= Q(leader=user)
        return self.filter(q)

    def current(self) -> LeaderLinkQuerySet:
        return self.filter(ended_on__isnull=True)


class LeaderLink(models.Model):
    """A city or district leader linked to a community (挂钩联系): visits it, takes up its problems."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="leader_links"
    )
    leader_name = models.CharField(_("leader"), max_length=32)
    leader_title = models.CharField(_("title"), max_length=80)
    community = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="leader_links", verbose_name=_("community")
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = LeaderLinkQuerySet.as_manager()

    class Meta:
        ordering = ["community_path", "leader_name"]
        verbose_name = _("leader link")
        verbose_name_plural = _("leader links")
        constraints = [
            models.UniqueConstraint(
                fields=["leader_name", "community"],
                condition=Q(ended_on__isnull=True),
                name="leader_linked_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.leader_name} → {self.community}"


class LeaderVisit(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    link = models.ForeignKey(LeaderLink, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    note = models.TextField(_("what was done"), max_length=2000)
    problems = models.TextField(_("problems taken up"), max_length=2000, blank=True)
    cases = models.ManyToManyField(
        "cases.Case", blank=True, related_name="+", verbose_name=_("cases taken up")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("leader visit")
        verbose_name_plural = _("leader visits")

    def __str__(self) -> str:
        return f"{self.link_id} {self.visited_on}"


class InspectionNoteQuerySet(models.QuerySet):
    def visible_to(self, user) -> InspectionNoteQuerySet:
        """The alliance's area staff, the inspector, and the unit's own people."""
        from accounts.scope import scope_for
        from alliances.models.scoping import area_q

        scope = scope_for(user)
        if scope.everything:
            return self
        q = area_q(scope, "alliance__area_path") | Q(unit_id__in=scope.unit_ids)
        if getattr(user, "is_authenticated", False):
            q |= Q(author=user)
        return self.filter(q)


class InspectionNote(models.Model):
    """督查: an inspector's follow-up note on a unit they follow, and the unit's answer."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="inspection_notes"
    )
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("note"), max_length=2000)
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = InspectionNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inspection note")
        verbose_name_plural = _("inspection notes")

    def __str__(self) -> str:
        return self.note[:40]
