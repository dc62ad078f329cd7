"""The one way to write the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from django.db import connections, models, router
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AuditEvent, Outcome
from gongjian import bulk

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_event(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    outcome: str = Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one audit row. Called inside the action's transaction, so it lands with it or not at all."""
    user = cast("User", actor) if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label or (user.get_username() if user is not None else ""),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(getattr(target, "public_id", None) or getattr(target, "pk", "") or "")
        if target is not None
        else "",
        target_label=str(target)[:200] if target is not None else "",
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        outcome=outcome,
        detail=detail or {},
    )


def record_events(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    targets: Sequence[models.Model],
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
    batch_size: int = 5000,
) -> int:
    """Append one audit row per target, written in bulk (imports that write thousands of rows at once).
    Inserts only, like ``record_event``: the append-only guards hold. Called inside the writer's transaction."""
    # a list, made before the COPY starts: a target's str() may query (none can run during a COPY)
    triples = [
        (target._meta.label_lower, str(getattr(target, "public_id", None) or target.pk or ""), str(target))
        for target in targets
    ]
    return record_target_events(
        actor=actor,
        action=action,
        targets=triples,
        request=request,
        detail=detail,
        batch_size=batch_size,
    )


def record_target_events(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    targets: Iterable[tuple[str, str, str]],
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
    batch_size: int = 5000,
) -> int:
    """``record_events`` for targets given as (type label, public id, label) triples, so a bulk writer
    that holds rows rather than model instances (the roster import: a million members) audits each
    without building one. Written with COPY on PostgreSQL (``gongjian.bulk.copy_rows``): ``targets`` may
    be a generator, but one that runs no query (the connection is busy with the COPY)."""
    user = cast("User", actor) if actor is not None and getattr(actor, "is_authenticated", False) else None
    connection = connections[router.db_for_write(AuditEvent)]
    fields = {f.attname: f for f in AuditEvent._meta.concrete_fields}
    same = {
        "at": timezone.now(),
        "actor_id": user.pk if user is not None else None,
        "actor_label": user.get_username() if user is not None else "",
        "action": action,
        "ip_address": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else "",
        "outcome": Outcome.SUCCESS,
        "detail": detail or {},
    }
    prepared = [fields[name].get_db_prep_save(value, connection) for name, value in same.items()]
    public_id = fields["public_id"]
    columns = ["public_id", "target_type", "target_id", "target_label", *same]
    rows = (
        [public_id.get_db_prep_save(uuid.uuid4(), connection), kind, target_id, label[:200], *prepared]
        for kind, target_id, label in targets
    )
    return bulk.copy_rows(AuditEvent, [fields[c].column for c in columns], rows, batch_size=batch_size)
