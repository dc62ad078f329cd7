"""The area's registries (Changning's databases): commercial buildings, trade unions and youth league
organisations, added, corrected and retired by the keepers of their place (people.keepers.keeps_area:
the community party organisation or the street committee). A retired entry stays on the list, marked,
with its date and reason: the registry keeps its history; nothing is deleted."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import record_event
from people.keepers import keeps_area
from people.models import CommercialBuilding, RegistryEntry, TradeUnion, YouthLeagueOrg

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from places.models import Area

Entry = TypeVar("Entry", bound=RegistryEntry)

# What each registry records beyond name, place and unit: the only fields its writes accept.
REGISTRY_FIELDS: dict[type[RegistryEntry], tuple[str, ...]] = {
    CommercialBuilding: ("party_org", "floors", "tenant_count", "member_count"),
    TradeUnion: ("chair_name", "member_count"),
    YouthLeagueOrg: ("secretary_name", "member_count"),
}
# The registries by the name their pages, API and audit rows use.
REGISTRY_KINDS: dict[str, type[RegistryEntry]] = {
    "commercial_building": CommercialBuilding,
    "trade_union": TradeUnion,
    "youth_league_org": YouthLeagueOrg,
}
KIND_OF = {model: kind for kind, model in REGISTRY_KINDS.items()}


def _require_keeper(acting_user: User, *areas: Area) -> None:
    if not all(keeps_area(acting_user, area) for area in areas):
        raise PermissionDenied(
            _("Only the party organisation of the community or street keeps this registry.")
        )


@transaction.atomic
def save_registry_entry(
    *,
    acting_user: User,
    model: type[Entry],
    name: str,
    area: Area,
    unit: Any = None,
    fields: dict[str, Any] | None = None,
    entry: Entry | None = None,
    request: HttpRequest | None = None,
) -> Entry:
    """Add an entry to a registry (``entry`` None) or correct one. ``fields``: the registry's own fields
    (REGISTRY_FIELDS); a retired entry is not changed any more."""
    allowed = REGISTRY_FIELDS[model]
    unknown = sorted(set(fields or {}) - set(allowed))
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
    if entry is not None:
        _require_keeper(acting_user, entry.area, area)  # type: ignore[attr-defined]
        if entry.retired_on is not None:
            raise ValidationError(_("%(name)s is retired: it is kept as it was.") % {"name": entry.name})
    else:
        _require_keeper(acting_user, area)
    if not name.strip():
        raise ValidationError(_("Give a name."))
    creating = entry is None
    obj = entry if entry is not None else model()
    obj.name = name.strip()
    obj.area = area  # type: ignore[attr-defined]
    obj.unit = unit  # type: ignore[attr-defined]
    for field, value in (fields or {}).items():
        setattr(obj, field, value)
    obj.save()
    record_event(
        actor=acting_user,
        action="registry.create" if creating else "registry.update",
        target=obj,
        request=request,
        detail={"registry": KIND_OF[model]},
    )
    return obj


@transaction.atomic
def retire_registry_entry(
    *,
    acting_user: User,
    entry: Entry,
    reason: str,
    on: date | None = None,
    request: HttpRequest | None = None,
) -> Entry:
    """Retire an entry (closed, merged, moved away), with the reason; it stays on the list, marked."""
    _require_keeper(acting_user, entry.area)  # type: ignore[attr-defined]
    if entry.retired_on is not None:
        raise ValidationError(_("%(name)s is retired already.") % {"name": entry.name})
    if not reason.strip():
        raise ValidationError(_("Say why it is retired."))
    if on is not None and on > timezone.localdate():
        raise ValidationError(_("The date is in the future."))
    entry.retired_on = on or timezone.localdate()
    entry.retired_reason = reason.strip()[:200]
    entry.save(update_fields=["retired_on", "retired_reason"])
    record_event(
        actor=acting_user,
        action="registry.retire",
        target=entry,
        request=request,
        detail={"registry": KIND_OF[type(entry)], "reason": entry.retired_reason},
    )
    return entry
