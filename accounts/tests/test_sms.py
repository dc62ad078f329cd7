"""The one SMS interface: the console sender masks phones, the Aliyun adapter signs its requests as the
provider documents (checked with a fake transport, no network), and every send and failure is counted."""

import base64
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from accounts.models import SmsCount
from accounts.sms import AliyunSender, ConsoleSender, SmsError, aliyun_signature, send_sms
from accounts.tests.outbox import SENT
from notifications.channels import SmsChannel

PHONE = "13912345678"


def test_console_sender_masks_the_phone_and_hides_the_code_unless_debug(settings, caplog):
    caplog.set_level(logging.WARNING, logger="gongjian.sms")
    settings.DEBUG = False
    ConsoleSender().send(PHONE, "code", {"code": "123456"})
    settings.DEBUG = True
    ConsoleSender().send(PHONE, "code", {"code": "654321"})
    first, second = (r.getMessage() for r in caplog.records)
    assert PHONE not in first + second and "139****5678" in first
    assert "123456" not in first and "654321" in second


@pytest.fixture
def aliyun(settings):
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "testid"
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "testsecret"
    settings.SMS_ALIYUN_SIGN_NAME = "共建平台"
    settings.SMS_ALIYUN_TEMPLATE_CODE = "SMS_0001"
    settings.SMS_ALIYUN_NOTICE_TEMPLATE = "SMS_0002"
    settings.SMS_ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
    calls = []

    def transport(answer=b'{"Code":"OK","Message":"OK","BizId":"1","RequestId":"r"}', status=200):
        def fake(url):
            calls.append(url)
            return status, answer

        return fake

    return calls, transport


def test_aliyun_request_is_signed_as_documented(aliyun):
    calls, transport = aliyun
    clock = lambda: datetime(2026, 12, 3, 6, 0, 0, tzinfo=UTC)  # noqa: E731
    AliyunSender(transport=transport(), now=clock).send(PHONE, "code", {"code": "123456"})
    (url,) = calls
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.netloc == "dysmsapi.aliyuncs.com"
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    assert query["Action"] == "SendSms" and query["Version"] == "2017-05-25"
    assert query["PhoneNumbers"] == PHONE and query["TemplateCode"] == "SMS_0001"
    assert query["SignName"] == "共建平台" and json.loads(query["TemplateParam"]) == {"code": "123456"}
    assert query["Timestamp"] == "2026-12-03T06:00:00Z" and query["SignatureMethod"] == "HMAC-SHA1"
    # the signature, computed here by hand from the documented recipe
    signature = query.pop("Signature")
    enc = lambda s: quote(s, safe="~")  # noqa: E731
    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(query.items()))
    to_sign = "GET&%2F&" + enc(canonical)
    expected = base64.b64encode(hmac.new(b"testsecret&", to_sign.encode(), hashlib.sha1).digest()).decode()
    assert signature == expected == aliyun_signature(query, "testsecret")


def test_percent_encoding_follows_rfc3986():
    """Space is %20 (never +), * is %2A, ~ stays: a different encoding would break the signature."""
    one = aliyun_signature({"A": "a b*c~"}, "k")
    two = aliyun_signature({"A": "a+b*c~"}, "k")
    assert one != two


def test_aliyun_refusal_and_failure_are_counted(aliyun, settings, db):
    calls, transport = aliyun
    settings.SMS_BACKEND = "accounts.sms.AliyunSender"
    from accounts import sms

    refusing = transport(answer=b'{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"limit"}')
    original = sms.AliyunSender.__init__

    def with_fake(self, transport=None, now=None):
        original(self, transport=refusing, now=now)

    sms.AliyunSender.__init__ = with_fake
    try:
        with pytest.raises(SmsError, match="BUSINESS_LIMIT_CONTROL"):
            send_sms(phone=PHONE, template="code", params={"code": "1"}, kind="sign_in")
    finally:
        sms.AliyunSender.__init__ = original
    assert SmsCount.objects.get(kind="sign_in", outcome="failed").count == 1


def test_missing_keys_or_template_refuse_without_a_call(aliyun, settings):
    calls, transport = aliyun
    settings.SMS_ALIYUN_NOTICE_TEMPLATE = ""
    with pytest.raises(SmsError, match="template"):
        AliyunSender(transport=transport()).send(PHONE, "notice", {"title": "x"})
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = ""
    with pytest.raises(SmsError, match="SECRET"):
        AliyunSender(transport=transport()).send(PHONE, "code", {"code": "1"})
    assert calls == []


def test_every_send_is_counted(outbox, db):
    send_sms(phone=PHONE, template="code", params={"code": "1"}, kind="activate")
    send_sms(phone=PHONE, template="code", params={"code": "2"}, kind="activate")
    assert SmsCount.objects.get(kind="activate", outcome="sent").count == 2


def test_notifications_reach_phones_through_the_same_sender(outbox, cast):
    from accounts.actions import create_user
    from notifications.actions import notify

    user = create_user(acting_user=None, username="liu", password=None, phone=PHONE)
    notify(recipients=[user], kind="test", title="您有新的需求")
    SmsChannel().send(user.notifications.get(kind="test"))
    assert SENT[-1] == (PHONE, "notice", {"title": "您有新的需求"})
    assert SmsCount.objects.get(kind="notification", outcome="sent").count == 1
