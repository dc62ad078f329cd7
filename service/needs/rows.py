"""How a need shows as a row of the desk's lists (the board and the list of needs): its place, its age,
whom it is for (or the placeholder), and who has it now."""

from __future__ import annotations

from django.db.models import Prefetch

from access import beneficiary_label
from service.models import Assignment, AssignmentState, Need


def place_of(need: Need, with_community: bool = False) -> str:
    """Building, else compound; the community's name first when the list spans several."""
    parts = [need.community.name] if with_community else []
    if need.building_id:
        parts.append(f"{need.compound.name if need.compound_id else ''}{need.building.name}")
    elif need.compound_id:
        parts.append(need.compound.name)
    return " · ".join(parts)


def age_of(moment, now) -> dict:
    delta = now - moment
    return {"days": delta.days, "hours": max(int(delta.total_seconds() // 3600), 0)}


def current_assignments() -> Prefetch:
    """Prefetch who the need is offered to, taken by or served by (at most one) as ``current``."""
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(
            state__in=(AssignmentState.OFFERED, AssignmentState.ACCEPTED, AssignmentState.DONE)
        ).select_related("member", "team", "unit"),
        to_attr="current",
    )


def dress_needs(user, needs, *, now, late=frozenset(), with_community=False) -> list[Need]:
    """What a row shows: place, age, beneficiary (or the placeholder), the current assignee."""
    for need in needs:
        need.place = place_of(need, with_community)
        need.age = age_of(need.created_at, now)
        need.beneficiary_shown = beneficiary_label(user, need)
        current = getattr(need, "current", None)
        need.assignment = current[0] if current else None
        need.reply_late = need.pk in late
    return needs
