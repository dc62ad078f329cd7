"""Jobs: imports and exports that run in the background, with progress, result file and errors."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    IMPORT_MEMBERS = "import_members", _("Member roster import")
    EXPORT = "export", _("Export")
    IMPORT_SETUP = "import_setup", _("City set-up import")


class JobStatus(models.TextChoices):
    PREVIEW = "preview", _("Awaiting confirmation")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class JobQuerySet(models.QuerySet):
    def visible_to(self, user) -> JobQuerySet:
        """A user sees their own jobs; platform administrators see all."""
        from accounts.scope import scope_for

        if not user.is_authenticated:
            return self.none()
        return self if scope_for(user).everything else self.filter(created_by=user)


class Job(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=JobKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the running task's last sign of life
    title = models.CharField(_("title"), max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    input_file = models.FileField(upload_to="jobs/input/%Y/%m/", blank=True)
    result_file = models.FileField(upload_to="jobs/result/%Y/%m/", blank=True)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def has_errors(self) -> bool:
        """A checked roster with errors: nothing can be confirmed until a corrected file is uploaded."""
        return self.status == JobStatus.PREVIEW and bool(self.errors)

    @property
    def status_label(self) -> str:
        """The status as its owner should read it: a file with errors is not awaiting confirmation."""
        if self.has_errors:
            return str(_("Has errors: correct and upload again"))
        return self.get_status_display()

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}


class TaskFailureQuerySet(models.QuerySet):
    def recent(self, days: int = 7) -> TaskFailureQuerySet:
        """Failures of the last ``days`` days: the platform administrator's to-do."""
        from django.utils import timezone

        return self.filter(failed_at__gte=timezone.now() - timedelta(days=days))


class TaskFailure(models.Model):
    """A background task that raised (huey's error signal): one row per failed attempt, appended, for
    the platform administrator. The error message is masked (no ID or phone number)."""

    task_name = models.CharField(_("task"), max_length=200)
    task_id = models.CharField(max_length=64, blank=True)
    failed_at = models.DateTimeField(_("failed at"), db_index=True)
    error_class = models.CharField(_("error"), max_length=200)
    error_message = models.TextField(_("message"), blank=True)

    objects = TaskFailureQuerySet.as_manager()

    class Meta:
        ordering = ["-failed_at", "-id"]
        verbose_name = _("task failure")
        verbose_name_plural = _("task failures")

    def __str__(self) -> str:
        return f"{self.task_name}: {self.error_class}"


class WorkerHeartbeat(models.Model):
    """When a worker last showed it is alive (a periodic task writes it); /health/ reads the newest.
    In the database, so every web process sees what every worker wrote."""

    worker = models.CharField(_("worker"), max_length=200, unique=True)
    beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
