"""What the demo generators leave behind that is worth remembering: the city tiers they built."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TierBuild(models.Model):
    """One build of the city tier (``gongjian demo-tier``): with what options, by which version of the
    generator, what it wrote and how long it took. ``make bench`` reuses a tier whose options and
    version match instead of building it again (demo/tier/build.py: ``matching_build``)."""

    options = models.JSONField()
    version = models.CharField(max_length=32)
    counts = models.JSONField(default=dict)
    seconds = models.JSONField(default=dict, help_text="wall and CPU seconds of each step")
    finished_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-finished_at"]
        verbose_name = _("city tier build")
        verbose_name_plural = _("city tier builds")

    def __str__(self) -> str:
        return f"tier {self.version} {self.finished_at:%Y-%m-%d %H:%M}"
