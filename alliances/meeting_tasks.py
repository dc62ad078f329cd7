"""The resolutions' deadlines on huey's clock: open resolutions past their due date remind their owner
units once a day. (djhuey discovers ``tasks`` modules: ``alliances/tasks.py`` imports this one.)"""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from alliances.resolutions import remind_overdue
from checkin.tasks import local_crontab


@db_periodic_task(local_crontab(hour="8", minute="10"), retries=2, retry_delay=60)
def remind_overdue_resolutions() -> int:
    """Every morning: owner units of overdue resolutions are reminded (one unread reminder each)."""
    return remind_overdue()
