"""Error reports (gongjian/reporting.py): off unless SENTRY_DSN is set; no personal data; masked."""

import sentry_sdk

from gongjian.reporting import before_send, init_sentry
from gongjian.testing import id_number

PHONE = "13912345678"


def test_error_reporting_is_off_without_a_dsn(settings):
    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


def test_before_send_masks_numbers_everywhere_in_an_event():
    number = id_number(3)
    event = {
        "message": f"bad {number}",
        "exception": {"values": [{"type": "IntegrityError", "value": f"Key (phone)=({PHONE}) exists"}]},
        "request": {"query_string": f"q={PHONE}", "data": {"id_number": number}},
        "breadcrumbs": {"values": [{"message": f"SELECT … WHERE phone = '{PHONE}'"}]},
        "extra": {"n": int(PHONE), "ok": 3, "flag": True},
        "frames": [("local", number)],
    }
    masked = before_send(event, {})
    text = repr(masked)
    assert number not in text and PHONE not in text
    assert masked["exception"]["values"][0]["value"] == "Key (phone)=(139****5678) exists"
    assert masked["extra"] == {"n": "139****5678", "ok": 3, "flag": True}


def test_init_sends_no_personal_data_and_masks(monkeypatch):
    sent = []
    try:
        init_sentry(dsn="https://key@sentry.invalid/1", environment="test")
        client = sentry_sdk.get_client()
        assert client.is_active()
        assert not client.options["send_default_pii"]
        assert not client.should_send_default_pii()
        assert client.options["before_send"] is before_send
        monkeypatch.setattr(client.transport, "capture_envelope", sent.append)
        sentry_sdk.capture_message(f"member {PHONE}")
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # back to the inactive client
    body = b"".join(envelope.serialize() for envelope in sent)
    assert b"139****5678" in body and PHONE.encode() not in body
