"""Reads from a streaming replica where lag cannot hurt, everything else on the primary
(docs/SCALE.md, "Read replicas").

The middleware decides once per web request where its reads go and keeps it in a context variable;
the router reads it. The replica serves the reads of a GET or HEAD request (pages, lists,
dashboards, API reads) unless the user wrote in the last REPLICA_PIN_SECONDS: every request with
another method leaves a signed cookie that pins the user's reads to the primary for that long, so
the page they are sent to after saving shows what they saved. Everything else stays on the
primary: writes, reads inside a transaction, unsafe-method requests, background tasks and
management commands (no middleware runs there, and the variable's default is the primary).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
READ_METHODS = frozenset({"GET", "HEAD"})
QUIET_METHODS = READ_METHODS | {"OPTIONS", "TRACE"}  # neither read from the replica nor pin
PIN_COOKIE = "gongjian_primary"
PIN_SALT = "gongjian.ops.replicas.pin"

reads_from: ContextVar[str] = ContextVar("gongjian_reads_from", default=PRIMARY)


def read_alias() -> str:
    """Where a read goes now: the replica only if replica reads are on, the running web request
    was sent there, and no transaction is open on the primary (an action's reads see its writes)."""
    if not settings.REPLICA_READS or reads_from.get() != REPLICA:
        return PRIMARY
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA


class ReplicaRouter:
    """DATABASE_ROUTERS entry: reads where read_alias() says, writes and migrations on the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        """A row read from the replica may point at one read from the primary: they are one database."""
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == PRIMARY  # a standby is read-only: it gets the schema by streaming


def pinned(request: HttpRequest) -> bool:
    """Whether this user wrote less than REPLICA_PIN_SECONDS ago (a valid, fresh pin cookie)."""
    value = request.get_signed_cookie(
        PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS
    )
    return value is not None


class ReplicaReadsMiddleware:
    """First in MIDDLEWARE, so that the whole request (session, user, view) reads from one place."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.REPLICA_READS:
            return self.get_response(request)
        to_replica = request.method in READ_METHODS and not pinned(request)
        token = reads_from.set(REPLICA if to_replica else PRIMARY)
        try:
            response = self.get_response(request)
        finally:
            reads_from.reset(token)
        if request.method not in QUIET_METHODS:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        return response
