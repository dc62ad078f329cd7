"""Reads about cases that need more than a queryset method: possible duplicates of a report."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from cases.models import Case, CaseState


def possible_duplicates(case: Case, *, limit: int = 5):
    """Cases of the same category at the same place (the same building, else compound, else grid, else
    community or street) reported within CASE_DUPLICATE_DAYS before or after it, not merged away: offered
    for merging on the case's page."""
    window = timedelta(days=settings.CASE_DUPLICATE_DAYS)
    if case.building_id:
        place = Q(building_id=case.building_id)
    elif case.compound_id:
        place = Q(compound_id=case.compound_id)
    elif case.grid_id:
        place = Q(grid_id=case.grid_id)
    elif case.community_id:
        place = Q(community_id=case.community_id)
    else:
        place = Q(street_id=case.street_id, community__isnull=True)
    return (
        Case.objects.filter(place, category_id=case.category_id)
        .filter(reported_at__gte=case.reported_at - window, reported_at__lte=case.reported_at + window)
        .exclude(pk=case.pk)
        .exclude(state=CaseState.MERGED)
        .order_by("reported_at", "id")[:limit]
    )
