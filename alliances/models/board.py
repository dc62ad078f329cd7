"""The alliance board (信息共享): work updates, superior tasks and plans, with a read receipt per member
unit."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BoardPostKind(models.TextChoices):
    UPDATE = "update", _("Work update")  # 工作动态
    TASK = "task", _("Task from above")  # 上级任务
    PLAN = "plan", _("Plan")  # 工作计划


class BoardPostQuerySet(models.QuerySet):
    def visible_to(self, user) -> BoardPostQuerySet:
        from alliances.models import Alliance

        return self.filter(alliance__in=Alliance.objects.visible_to(user))


class BoardPost(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alliance = models.ForeignKey("alliances.Alliance", on_delete=models.CASCADE, related_name="board_posts")
    kind = models.CharField(_("kind"), max_length=16, choices=BoardPostKind.choices)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=8000)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = BoardPostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("board post")
        verbose_name_plural = _("board posts")

    def __str__(self) -> str:
        return self.title


class BoardRead(models.Model):
    """A member unit has read a post (the first of its people to open it)."""

    post = models.ForeignKey(BoardPost, on_delete=models.CASCADE, related_name="reads")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["post_id", "at"]
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["post", "unit"], name="board_read_once_a_unit")]

    def __str__(self) -> str:
        return f"{self.post_id}: {self.unit_id}"
