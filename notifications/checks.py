"""Start-up check of NOTIFICATION_CHANNELS: every channel's dotted path imports (a typo would
otherwise surface only when the first notification is sent, in the worker's log)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.utils.module_loading import import_string


@register()
def notification_channels(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for path in settings.NOTIFICATION_CHANNELS:
        try:
            import_string(path)
        except ImportError as exc:
            errors.append(
                Error(
                    f"NOTIFICATION_CHANNELS names {path!r}, which cannot be imported ({exc}).",
                    hint="Use notifications.channels.ConsoleChannel, EmailChannel or SmsChannel, comma separated.",
                    id="notifications.E101",
                )
            )
    return errors
