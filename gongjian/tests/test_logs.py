"""Structured logs (gongjian/logs.py): request id in and out, user id, JSON lines, and no unmasked ID
or phone number in any line, whatever part of the record carries it."""

import io
import json
import logging
import logging.config
import re

import pytest
from django.urls import reverse

from gongjian.logs import MaskNumbersFilter, RequestContextFilter, logging_config
from gongjian.testing import id_number

PHONE = "13812345678"


@pytest.fixture
def captured():
    """The project's logging set-up (JSON), writing to a buffer; the test's settings restored after."""
    from django.conf import settings

    stream = io.StringIO()
    config = logging_config(json=True, level="INFO")
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_a_line_is_json_with_time_level_logger_and_ids(captured):
    logging.getLogger("gongjian.test").warning("hello %s", "world")
    [line] = lines(captured)
    assert (
        line["message"] == "hello world" and line["level"] == "WARNING" and line["logger"] == "gongjian.test"
    )
    assert line["request_id"] == "-" and line["user_id"] == "-"
    # UTC in every process, whatever time zone the process happens to be in (settings: Asia/Shanghai)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", line["time"]), line["time"]


def test_numbers_are_masked_in_message_args_extras_and_tracebacks(captured):
    number = id_number(7)
    log = logging.getLogger("gongjian.test")
    log.warning("member %s phone %s", number, PHONE, extra={"query": f"q={PHONE}", "raw": int(PHONE)})
    try:
        raise ValueError(f"duplicate {number}")
    except ValueError:
        log.exception("failed for +86 138 1234 5678")
    out = captured.getvalue()
    assert number not in out and PHONE not in out and "138 1234 5678" not in out
    first, second = lines(captured)
    assert first["message"] == f"member {number[:6]}********{number[-4:]} phone 138****5678"
    assert first["query"] == "q=138****5678" and first["raw"] == "138****5678"
    assert "ValueError: duplicate " in second["exc_info"] and number[-4:] in second["exc_info"]


def test_the_text_format_masks_too():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s", (PHONE,), None)
    RequestContextFilter().filter(record)
    MaskNumbersFilter().filter(record)
    formatted = logging.Formatter("%(message)s %(request_id)s").format(record)
    assert formatted == "call 138****5678 -"


def test_request_id_is_echoed_or_made(cast, client):
    given = client.get(reverse("accounts:login"), headers={"X-Request-ID": "lb-abc.123"})
    assert given["X-Request-ID"] == "lb-abc.123"
    made = client.get(reverse("accounts:login"))
    assert len(made["X-Request-ID"]) == 32
    hostile = client.get(reverse("accounts:login"), headers={"X-Request-ID": 'x" evil' * 20})
    assert hostile["X-Request-ID"] != 'x" evil' * 20 and len(hostile["X-Request-ID"]) == 32


def test_a_request_line_carries_request_and_user_ids(cast, client, captured):
    cast.login(client, "street")
    client.get("/no-such-page/", headers={"X-Request-ID": "req-1"})
    line = next(line for line in lines(captured) if line["logger"] == "django.request")
    assert line["request_id"] == "req-1" and line["user_id"] == str(cast.street.pk)
    assert line["level"] == "WARNING" and "Not Found" in line["message"]
