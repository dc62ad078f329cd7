"""The nightly roll-up rebuild for huey (djhuey discovers this module): a safety net under the marks,
and this month's tallies counted before the first page of the month asks for them."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from rollups.counting import rebuild


@db_periodic_task(crontab(hour="19", minute="10"))  # 03:10 in China (huey's clock is UTC)
def rebuild_rollups() -> dict[str, int]:
    """Nightly: every roll-up counted afresh (``rollups.counting.rebuild``)."""
    return rebuild(timezone.localdate())
