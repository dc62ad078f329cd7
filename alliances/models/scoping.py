"""The one reading rule of the alliances (docs/SCOPES.md, "Alliances"), as ``Q`` filters that every
``visible_to`` of this app builds on.

An alliance is seen by the staff of its area and of the areas above it (the street's committee, the
district's organisation department, whose grants cover its subtree), by the staff of the areas under it
(a community's party organisation sits in its street's alliance), by the admins, inspectors and
departments of its member units, and by whoever holds one of its posts. Records of one member unit (its
agreements, its tasks) are seen by the alliance's area staff and by that unit's own people, not by the
other units."""

from __future__ import annotations

from django.db.models import Q

from accounts.scope import Scope
from places.paths import ancestor_paths


def area_q(scope: Scope, path_field: str) -> Q:
    """Rows whose alliance area lies in, or above, one of the user's areas."""
    above = {ancestor for path in scope.area_paths for ancestor in ancestor_paths(path)}
    q = scope.area_q(path_field)
    if above:
        q |= Q(**{f"{path_field}__in": sorted(above)})
    return q
