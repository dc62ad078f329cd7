"""Shared helpers of the case tests: a category and a case reported by the cast's grid worker."""

from __future__ import annotations

from cases.actions import report_case
from cases.models import CaseCategory


def category(code: str = "piles") -> CaseCategory:
    return CaseCategory.objects.get(code=code)


def grid_case(cast, **kwargs):
    """A case the grid worker reports at building 1 of 阳光小区 (community 龙津, street 东城)."""
    values = {"title": "楼道堆放杂物", "category": category(), "building": cast.places.building_a1}
    values.update(kwargs)
    return report_case(acting_user=cast.grid, **values)
