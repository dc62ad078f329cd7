"""One-time codes: kept hashed, expiring, a few tries each, bound to their purpose, rate limited per phone,
account and address, the refusal saying when to try again. The clock is frozen (time-machine)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from accounts import codes
from accounts.models import CodePurpose, OneTimeCode
from audit.models import AuditEvent

PHONE = "13912345678"
T0 = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def from_address(ip):
    return RequestFactory().post("/", REMOTE_ADDR=ip)


def send(purpose=CodePurpose.SIGN_IN, phone=PHONE, **kwargs):
    return codes.send_code(purpose=purpose, phone=phone, **kwargs)


def test_a_code_is_kept_only_as_a_keyed_hash(outbox, clock, db):
    row = send()
    code = outbox.last_code(PHONE)
    values = OneTimeCode.objects.filter(pk=row.pk).values().get()
    assert len(code) == 6 and code.isdigit()
    assert not any(code in str(v) for v in values.values())
    assert PHONE not in str(values)
    assert codes.check_code(purpose=CodePurpose.SIGN_IN, phone=PHONE, code=code).pk == row.pk


def test_a_wrong_code_is_refused_and_the_try_counted(outbox, clock, db):
    row = send()
    with pytest.raises(ValidationError, match="wrong. 4 more"):
        codes.check_code(
            purpose=CodePurpose.SIGN_IN,
            phone=PHONE,
            code="000000" if outbox.last_code(PHONE) != "000000" else "111111",
        )
    row.refresh_from_db()
    assert row.attempts == 1
    assert AuditEvent.objects.filter(action="code.refused", detail__reason="wrong").exists()


def test_an_expired_code_is_refused(outbox, clock, db, settings):
    send()
    code = outbox.last_code(PHONE)
    clock.shift(timedelta(minutes=settings.OTP_TTL_MINUTES, seconds=1))
    with pytest.raises(ValidationError, match="expired"):
        codes.check_code(purpose=CodePurpose.SIGN_IN, phone=PHONE, code=code)


def test_too_many_wrong_tries_end_the_code(outbox, clock, db, settings):
    send()
    code = outbox.last_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.OTP_MAX_ATTEMPTS - 1):
        with pytest.raises(ValidationError, match="wrong"):
            codes.check_code(purpose=CodePurpose.SIGN_IN, phone=PHONE, code=wrong)
    with pytest.raises(ValidationError, match="Too many wrong tries"):
        codes.check_code(purpose=CodePurpose.SIGN_IN, phone=PHONE, code=wrong)
    with pytest.raises(ValidationError, match="Too many wrong tries"):
        codes.check_code(purpose=CodePurpose.SIGN_IN, phone=PHONE, code=code)  # even the right one now


def test_a_code_serves_only_its_purpose(outbox, clock, db):
    send(CodePurpose.SIGN_IN)
    code = outbox.last_code(PHONE)
    with pytest.raises(ValidationError, match="another purpose"):
        codes.check_code(purpose=CodePurpose.ACTIVATE, phone=PHONE, code=code)


def test_a_new_code_replaces_the_old_one(outbox, clock, db, settings):
    send()
    old = outbox.last_code(PHONE)
    clock.shift(timedelta(seconds=settings.OTP_RESEND_SECONDS + 1))
    send()
    new = outbox.last_code(PHONE)
    if old != new:
        with pytest.raises(ValidationError):
            codes.check_code(purpose=CodePurpose.SIGN_IN, phone=PHONE, code=old)
    assert codes.check_code(purpose=CodePurpose.SIGN_IN, phone=PHONE, code=new)


def test_one_code_a_minute_per_phone(outbox, clock, db):
    send()
    with pytest.raises(codes.RateLimited, match="after 09:01"):
        send()


def test_rate_limit_per_phone_says_when(outbox, clock, db, settings):
    settings.OTP_PER_PHONE = 3
    for _ in range(3):
        send()
        clock.shift(timedelta(minutes=2))
    with pytest.raises(codes.RateLimited, match="this phone .* after 10:00"):
        send()
    clock.shift(timedelta(minutes=54, seconds=1))  # 10:00:01: the first code left the window
    send()


def test_rate_limit_per_address(outbox, clock, db, settings):
    settings.OTP_PER_ADDRESS = 2
    for n in range(2):
        send(phone=f"1391234560{n}", request=from_address("203.0.113.9"))
    with pytest.raises(codes.RateLimited, match="this network"):
        send(phone="13912345609", request=from_address("203.0.113.9"))
    send(phone="13912345609", request=from_address("203.0.113.10"))  # another address is free


def test_rate_limit_per_account(outbox, clock, cast, settings):
    settings.OTP_PER_ACCOUNT = 2
    for n in range(2):
        send(phone=f"1391234560{n}", user=cast.street)
    with pytest.raises(codes.RateLimited, match="this account"):
        send(phone="13912345609", user=cast.street)


def test_a_failed_send_is_refused_and_spends_the_code(settings, clock, db):
    settings.SMS_BACKEND = "accounts.tests.outbox.FailingSender"
    with pytest.raises(ValidationError, match="could not be sent"):
        send()
    assert OneTimeCode.objects.get().used_at is not None
