"""The one way to write the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django.db import models
from django.http import HttpRequest

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
    batch_size: int = 1000,
) -> int:
    """Append one audit row per target, written in bulk (imports that write thousands of rows at once).
    Inserts only, like ``record_event``: the append-only guards hold. Called inside the writer's transaction."""
    user = cast("User", actor) if actor is not None and getattr(actor, "is_authenticated", False) else None
    label = user.get_username() if user is not None else ""
    ip = client_ip(request)
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    rows = [
        AuditEvent(
            actor=user,
            actor_label=label,
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(getattr(target, "public_id", None) or target.pk or ""),
            target_label=str(target)[:200],
            ip_address=ip,
            user_agent=agent,
            outcome=Outcome.SUCCESS,
            detail=detail or {},
        )
        for target in targets
    ]
    bulk.insert(AuditEvent, rows, batch_size=batch_size)
    return len(rows)
