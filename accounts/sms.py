"""SMS behind one interface: ``send_sms(phone=…, template=…, params=…, kind=…)``.

The sender is chosen by the ``SMS_BACKEND`` setting (a dotted path to a class with
``send(phone, template, params)`` that raises :class:`SmsError` on failure):

- :class:`ConsoleSender` (development and tests) writes a line to the log with the phone masked; the
  message's parameters (a code) are shown only with DEBUG on;
- :class:`AliyunSender` calls Aliyun SMS (阿里云短信服务, ``SendSms`` of API version 2017-05-25) over
  HTTPS with its RPC request signing (HMAC-SHA1 over the sorted, percent-encoded query), configured by
  the ``SMS_ALIYUN_*`` settings. Its HTTP transport is a plain callable, so tests give it a fake one.

Every send and every failure is counted in :class:`accounts.models.SmsCount` (per day, kind and
outcome). Notifications reach phones through the same sender (notifications.channels.SmsChannel).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import SmsCount, SmsOutcome
from gongjian.privacy import mask_phone

log = logging.getLogger("gongjian.sms")

# The logical templates the product sends; each provider maps them to its own approved templates.
CODE_TEMPLATE = "code"  # params: {"code": "123456"}
NOTICE_TEMPLATE = "notice"  # params: {"title": "…"}


class SmsError(Exception):
    """The message was not accepted by the provider (or could not reach it)."""


class SmsSender(Protocol):
    def send(self, phone: str, template: str, params: Mapping[str, str]) -> None: ...


class ConsoleSender:
    """Development and tests: the message goes to the log, the phone masked. Codes only under DEBUG
    (a developer reads them there); otherwise the parameters are left out."""

    def send(self, phone: str, template: str, params: Mapping[str, str]) -> None:
        shown = dict(params) if settings.DEBUG else "(hidden: DEBUG is off)"
        log.warning("[sms → %s] %s %s", mask_phone(phone), template, shown)


# --- Aliyun SMS -----------------------------------------------------------------------------------

Transport = Callable[[str], tuple[int, bytes]]  # GET url → (status, body)


def urllib_transport(url: str) -> tuple[int, bytes]:
    """GET over HTTPS with a short timeout (the provider answers in well under a second)."""
    if not url.startswith("https://"):
        raise SmsError("the SMS endpoint must be https")
    request = urllib.request.Request(url, method="GET")  # noqa: S310 — https only, checked above
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except OSError as exc:
        raise SmsError(f"SMS provider unreachable: {exc.__class__.__name__}") from exc


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Aliyun's signature wants it: space %20, * %2A, ~ kept."""
    return quote(value, safe="~")


def aliyun_signature(params: Mapping[str, str], secret: str, method: str = "GET") -> str:
    """The ``Signature`` of an Aliyun RPC request: HMAC-SHA1 under ``secret + "&"`` of
    ``METHOD&%2F&`` + the percent-encoded, sorted, percent-encoded query, in base64."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSender:
    """Aliyun SMS (dysmsapi, ``SendSms``). Settings: ``SMS_ALIYUN_ACCESS_KEY_ID``,
    ``SMS_ALIYUN_ACCESS_KEY_SECRET``, ``SMS_ALIYUN_SIGN_NAME`` (the approved signature),
    ``SMS_ALIYUN_TEMPLATE_CODE`` (the code template, ``${code}``), ``SMS_ALIYUN_NOTICE_TEMPLATE``
    (notifications, ``${title}``), ``SMS_ALIYUN_ENDPOINT`` and ``SMS_ALIYUN_REGION``."""

    def __init__(self, transport: Transport | None = None, now: Callable[[], datetime] | None = None):
        self.transport = transport or urllib_transport
        self.now = now or (lambda: datetime.now(UTC))

    def template_code(self, template: str) -> str:
        codes = {
            CODE_TEMPLATE: settings.SMS_ALIYUN_TEMPLATE_CODE,
            NOTICE_TEMPLATE: settings.SMS_ALIYUN_NOTICE_TEMPLATE,
        }
        code = codes.get(template, "")
        if not code:
            raise SmsError(f"no Aliyun template configured for {template!r}")
        return code

    def request_url(self, phone: str, template: str, params: Mapping[str, str]) -> str:
        if not (settings.SMS_ALIYUN_ACCESS_KEY_ID and settings.SMS_ALIYUN_ACCESS_KEY_SECRET):
            raise SmsError("SMS_ALIYUN_ACCESS_KEY_ID and SMS_ALIYUN_ACCESS_KEY_SECRET are not set")
        query = {
            "AccessKeyId": settings.SMS_ALIYUN_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": settings.SMS_ALIYUN_REGION,
            "SignName": settings.SMS_ALIYUN_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": self.template_code(template),
            "TemplateParam": json.dumps(dict(params), ensure_ascii=False, separators=(",", ":")),
            "Timestamp": self.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        signature = aliyun_signature(query, settings.SMS_ALIYUN_ACCESS_KEY_SECRET)
        encoded = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(query.items()))
        return f"{settings.SMS_ALIYUN_ENDPOINT}?Signature={percent_encode(signature)}&{encoded}"

    def send(self, phone: str, template: str, params: Mapping[str, str]) -> None:
        status, body = self.transport(self.request_url(phone, template, params))
        try:
            answer = json.loads(body or b"{}")
        except ValueError as exc:
            raise SmsError(f"SMS provider answered {status} with no JSON") from exc
        if status != 200 or answer.get("Code") != "OK":
            # The provider's code (e.g. isv.BUSINESS_LIMIT_CONTROL) names the reason; no phone in it.
            raise SmsError(f"SMS provider refused: {answer.get('Code', status)}")


# --- the one door ---------------------------------------------------------------------------------


def sender() -> SmsSender:
    """The configured sender (read each time: tests switch ``SMS_BACKEND``)."""
    return import_string(settings.SMS_BACKEND)()


def count_sms(kind: str, outcome: str) -> None:
    """Add one to today's counter of ``kind`` and ``outcome`` (its own transaction: a refused action
    that rolls back still leaves the message counted, since it was sent or tried)."""
    with transaction.atomic():
        day = timezone.localdate()
        row, created = SmsCount.objects.get_or_create(
            day=day, kind=kind[:32], outcome=outcome, defaults={"count": 1}
        )
        if not created:
            SmsCount.objects.filter(pk=row.pk).update(count=F("count") + 1)


def send_sms(*, phone: str, template: str, params: Mapping[str, str], kind: str) -> None:
    """Send one message through the configured sender and count it; raise SmsError on failure.

    ``phone`` is the normalised mobile number; ``kind`` names what it is for in the counters (a code's
    purpose, ``notification``). Nothing of the phone but its mask reaches the log."""
    try:
        sender().send(phone, template, params)
    except SmsError as exc:
        count_sms(kind, SmsOutcome.FAILED)
        log.warning("SMS to %s not sent (%s): %s", mask_phone(phone), kind, exc)
        raise
    except Exception as exc:  # a sender's own bug or a transport we did not wrap: counted alike
        count_sms(kind, SmsOutcome.FAILED)
        log.warning("SMS to %s not sent (%s): %s", mask_phone(phone), kind, exc.__class__.__name__)
        raise SmsError(str(exc.__class__.__name__)) from exc
    count_sms(kind, SmsOutcome.SENT)
