"""Structured logs: every line carries time, level, logger, message, the request id and the user id,
and no line carries an unmasked ID card or phone number.

- ``RequestIdMiddleware`` takes the request id from the ``X-Request-ID`` header (a proxy's or a load
  balancer's; a well-formed one only) or makes one, echoes it in the response's ``X-Request-ID`` and
  keeps it, with the signed-in user's id, for the log lines written while the request is served.
- ``RequestContextFilter`` puts both on every record (``-`` outside a request).
- ``MaskNumbersFilter`` masks ID-card and phone numbers in the message, its arguments, the traceback
  and any extra field, with gongjian.privacy's masks (the one rule).
- ``logging_config`` is the one logging set-up, for Django (settings.LOGGING) and gunicorn
  (deploy/gunicorn.conf.py): JSON lines through python-json-logger in production (LOG_FORMAT=json),
  readable lines in development (LOG_FORMAT=text).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty
from pythonjsonlogger.json import JsonFormatter

from gongjian.privacy import mask_numbers_in_text

REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
user_id_var: ContextVar[str] = ContextVar("user_id", default="-")

# Attributes every LogRecord has; anything else on a record is an extra field a caller added.
_RECORD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id", "user_id"}


def _clear_context(**kwargs: Any) -> None:
    """A thread serves many requests: what one request set must not label the next one's lines."""
    request_id_var.set("-")
    user_id_var.set("-")


# Cleared when the response is closed, after Django has logged the request's 4xx/5xx (which it does
# once the middleware has answered), so those lines still carry the request id.
request_finished.connect(_clear_context, dispatch_uid="gongjian.logs.clear_context")


class RequestIdMiddleware:
    """Gives each request an id (the proxy's X-Request-ID if well formed) and echoes it in the response.
    Sits after AuthenticationMiddleware so it can name the user, once something has loaded it, so
    logging never costs a query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _WELL_FORMED_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        request_id_var.set(request_id)
        user_id_var.set("-")
        response = self.get_response(request)
        _label_user(request)
        response[REQUEST_ID_HEADER] = request_id
        return response

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        _label_user(request)


def _label_user(request: HttpRequest) -> None:
    """The user's id on the log lines, if the request has already loaded the user: never a query of its
    own (request.user is lazy until a view or the API's token check reads it)."""
    user = getattr(request, "user", None)
    loaded = getattr(user, "_wrapped", user)  # Django's SimpleLazyObject holds `empty` until read
    if loaded is not None and loaded is not empty and loaded.is_authenticated:
        user_id_var.set(str(loaded.pk))


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user_id`` to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        return True


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_numbers_in_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        text = str(value)
        return value if mask_numbers_in_text(text) == text else mask_numbers_in_text(text)
    return mask_numbers_in_text(str(value))


class MaskNumbersFilter(logging.Filter):
    """Masks ID-card and phone numbers in everything a record carries, before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_numbers_in_text(record.getMessage())
        record.args = ()
        if record.exc_info:
            # Formatted (and masked) here; exc_info is dropped so no formatter prints it unmasked.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = mask_numbers_in_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_numbers_in_text(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _RECORD_ATTRS:
                setattr(record, name, _masked(value))
        return True


class GongjianJsonFormatter(JsonFormatter):
    """One JSON object a line: time, level, logger, message, request_id, user_id (and any extra)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", ["asctime", "levelname", "name", "message", "request_id", "user_id"])
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__(**kwargs)

    # Every process writes UTC: gunicorn's master logs its first lines before Django has set the city's
    # time zone, so local times came out +0000 there and +0800 in the workers. One clock reads in order.
    converter = time.gmtime

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: _masked(value) for key, value in log_data.items()}


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s user=%(user_id)s] %(message)s"


def logging_config(*, json: bool, level: str, loggers: dict[str, Any] | None = None) -> dict[str, Any]:
    """The dictConfig for the web process, the worker and gunicorn: one handler to stderr, filtered."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "gongjian.logs.RequestContextFilter"},
            "mask_numbers": {"()": "gongjian.logs.MaskNumbersFilter"},
        },
        "formatters": {
            "json": {"()": "gongjian.logs.GongjianJsonFormatter"},
            "text": {"format": TEXT_FORMAT},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if json else "text",
                "filters": ["context", "mask_numbers"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # The worker's own lines through the same handler (run_huey adds its own format otherwise).
        "loggers": {"huey": {"handlers": ["console"], "level": level, "propagate": False}, **(loggers or {})},
    }
