"""The small steps every case action takes inside its own transaction: lock the case, require a state, clean
a text, store checked photos, write the CaseEvent row. No permission checks here: the calling action has
made them (cases/actions.py, cases/meetings.py, cases/deadlines.py)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, CasePhoto, CaseUpdate
from orgs.models import Unit
from service.records.checks import checked_photos


def case_url(case: Case) -> str:
    return reverse("cases:case_detail", args=[case.public_id])


def case_event(
    case: Case, previous: str, action: str, actor, reason: str = "", unit: Unit | None = None
) -> CaseEvent:
    case.updated_at = timezone.now()
    Case.objects.filter(pk=case.pk).update(updated_at=case.updated_at)
    return CaseEvent.objects.create(
        case=case,
        from_state=previous,
        to_state=case.state,
        action=action,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        reason=(reason or "")[:200],
        unit=unit,
    )


def lock_case(case: Case) -> Case:
    """Re-read the case under a row lock, so two people cannot move it at once."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("street", "community", "holder_area", "category")
        .get(pk=case.pk)
    )


def require_state(case: Case, *states: str, doing: str) -> None:
    if case.state not in states:
        raise ValidationError(
            _("This case is %(state)s; it cannot be %(doing)s.")
            % {"state": case.get_state_display(), "doing": doing}
        )


def clean_text(value: str, *, field: str, message: str, limit: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": limit}})
    return value


def store_photos(update: CaseUpdate, photos: Sequence) -> list[CasePhoto]:
    """Photos checked by their content and size (service/records/checks.py: the same rules as a service
    record's), each kept at the phone size and as a thumbnail, without metadata."""
    from django.core.files.base import ContentFile

    stored = []
    for made in checked_photos(photos) if photos else []:
        phone, thumb = made["phone"], made["thumb"]
        photo = CasePhoto(update=update, width=phone.width, height=phone.height)
        photo.image.save(f"p.{phone.ext}", ContentFile(phone.content), save=False)
        photo.thumb.save(f"t.{thumb.ext}", ContentFile(thumb.content), save=False)
        photo.save()
        stored.append(photo)
    return stored
