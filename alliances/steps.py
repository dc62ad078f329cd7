"""The steps every alliance action shares: lock a row, write its event, clean a text."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from alliances.models import AllianceEvent

M = TypeVar("M", bound=models.Model)

SUBJECT_TYPES = {
    "alliance": "alliance",
    "alliancemember": "member",
    "alliancepost": "post",
    "agreement": "agreement",
    "chairturn": "chair",
    "meeting": "meeting",
    "resolution": "resolution",
    "activity": "activity",
    "boardpost": "board",
    "leaderlink": "leader",
    "inspectionnote": "inspection",
}


def lock(obj: M) -> M:
    """The row again, locked for the rest of the transaction (its fresh state)."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def subject_type(subject: models.Model) -> str:
    """The name a record's events are filed under."""
    return SUBJECT_TYPES[str(subject._meta.model_name)]


def event(subject: Any, action: str, actor, *, alliance=None, reason: str = "", **detail) -> AllianceEvent:
    """The record's history line: who did what to it, when (``AllianceEvent``)."""
    if alliance is None:
        alliance = subject if subject._meta.model_name == "alliance" else getattr(subject, "alliance", None)
    return AllianceEvent.objects.create(
        alliance=alliance,
        subject_type=subject_type(subject),
        subject_id=subject.public_id,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        reason=(reason or "")[:300],
        detail=detail,
    )


def history(subject: Any):
    """A record's events, oldest first."""
    return AllianceEvent.objects.filter(
        subject_type=subject_type(subject), subject_id=subject.public_id
    ).select_related("actor")


def clean_text(value: str | None, *, field: str, max_length: int, required: bool = True) -> str:
    """Stripped text within its limit, or a refusal naming the field."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(_("%(field)s cannot be empty.") % {"field": field})
    if len(value) > max_length:
        raise ValidationError(
            _("%(field)s is too long: keep it under %(n)d characters.") % {"field": field, "n": max_length}
        )
    return value
