"""Open311 API keys of other city systems, kept by the platform administrator: shown once, only their hash
stored; each files cases inside its area only (cases/open311.py). Audited."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import scope_for
from audit.actions import record_event
from cases.models import (
    Open311Key,
)
from cases.steps import clean_text
from places.models import Area

# --- Open311 keys ------------------------------------------------------------------------------------


def key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_open311_key(*, acting_user, name: str, area: Area, request=None) -> tuple[Open311Key, str]:
    """A key for a submitting system, shown once: only its hash is kept. Platform administrators only."""
    if not scope_for(acting_user).everything:
        raise PermissionDenied(_("Only the platform administrator manages Open311 keys."))
    name = clean_text(name, field="name", message=_("Name the system that will use the key."), limit=64)
    raw = "o311_" + secrets.token_urlsafe(30)
    user = get_user_model().objects.create_user(username=f"open311-{secrets.token_hex(6)}", password=None)
    key = Open311Key.objects.create(
        name=name, prefix=raw[5:11], key_hash=key_digest(raw), area=area, user=user, created_by=acting_user
    )
    record_event(actor=acting_user, action="open311.key_create", request=request, target=key)
    return key, raw


@transaction.atomic
def revoke_open311_key(*, acting_user, key: Open311Key, request=None) -> Open311Key:
    if not scope_for(acting_user).everything:
        raise PermissionDenied(_("Only the platform administrator manages Open311 keys."))
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        key.user.is_active = False
        key.user.save(update_fields=["is_active"])
    record_event(actor=acting_user, action="open311.key_revoke", request=request, target=key)
    return key


def key_for(raw: str) -> Open311Key | None:
    """The active key a raw API key names, or None (the Open311 views answer 403)."""
    if not raw:
        return None
    key = (
        Open311Key.objects.select_related("area", "user")
        .filter(key_hash=key_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if key is not None:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key
