"""One change of state of something the service loop tracks (a need, a project, a service record): who
moved it from which state to which, when and why. Append-only: written by the actions, never edited."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class StateEvent(models.Model):
    """The common columns of ``NeedEvent``, ``ProjectEvent`` and ``ServiceRecordEvent``; each adds the
    key of what changed, as ``subject``, and redeclares ``from_state``/``to_state`` with its own states."""

    subject = ""  # the name of the subclass's foreign key (need, project, record)

    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    action = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, editable=False)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{getattr(self, f'{self.subject}_id')}: {self.action}"
