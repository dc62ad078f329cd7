"""Start-up checks of the SMS settings (Django's system checks: ``manage.py check``, ``migrate`` and
``runserver`` run them): the sender named by ``SMS_BACKEND`` imports, and the Aliyun sender has its
keys, signature and templates. Without them every activation and sign-in code would fail at the first
send, long after the deploy."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.utils.module_loading import import_string

# The Aliyun sender's settings, and the one it needs only when notifications go out by SMS.
ALIYUN_REQUIRED = (
    "SMS_ALIYUN_ACCESS_KEY_ID",
    "SMS_ALIYUN_ACCESS_KEY_SECRET",
    "SMS_ALIYUN_SIGN_NAME",
    "SMS_ALIYUN_TEMPLATE_CODE",
)
SMS_CHANNEL = "notifications.channels.SmsChannel"


@register()
def sms_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from accounts.sms import AliyunSender

    try:
        sender = import_string(settings.SMS_BACKEND)
    except ImportError as exc:
        return [
            Error(
                f"SMS_BACKEND {settings.SMS_BACKEND!r} cannot be imported ({exc}).",
                hint="Set SMS_BACKEND to accounts.sms.ConsoleSender (development) or accounts.sms.AliyunSender.",
                id="accounts.E101",
            )
        ]
    if not (isinstance(sender, type) and issubclass(sender, AliyunSender)):
        return []
    missing = [name for name in ALIYUN_REQUIRED if not getattr(settings, name)]
    if SMS_CHANNEL in settings.NOTIFICATION_CHANNELS and not settings.SMS_ALIYUN_NOTICE_TEMPLATE:
        missing.append("SMS_ALIYUN_NOTICE_TEMPLATE")
    errors: list[CheckMessage] = []
    if missing:
        errors.append(
            Error(
                f"SMS_BACKEND is the Aliyun sender but {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set.",
                hint="Set the AccessKey pair, the approved signature (签名) and template codes from the Aliyun SMS console.",
                id="accounts.E102",
            )
        )
    if not settings.SMS_ALIYUN_ENDPOINT.startswith("https://"):
        errors.append(
            Error(
                "SMS_ALIYUN_ENDPOINT must be an https:// URL.",
                hint="The default is https://dysmsapi.aliyuncs.com/",
                id="accounts.E103",
            )
        )
    return errors
