"""Exports of the readiness lists (found by ``jobs.exports.all_specs``): each gap's rows, as its page
shows them, masked."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from golive.readiness import GAPS, READINESS_ROLES
from jobs.exports import AreaNameFilter, Col, ExportSpec
from orgs.filters import UnitFilter
from people.filters import MemberFilter

_FILTERS = {
    "communities": AreaNameFilter,
    "admins": UnitFilter,
    "rosters": UnitFilter,
    "activation": MemberFilter,
}
_COLUMNS = {
    "communities": (
        Col(_("Code"), "code", 14),
        Col(_("Community"), "name", 16),
        Col(_("Street"), "parent.name", 16),
    ),
    "admins": (
        Col(_("Unit"), "name", 28),
        Col(_("Kind"), "get_kind_display", 14),
        Col(_("Located in"), "address_area.name", 16),
    ),
    "rosters": (
        Col(_("Unit"), "name", 28),
        Col(_("Kind"), "get_kind_display", 14),
        Col(_("Located in"), "address_area.name", 16),
    ),
    "activation": (
        Col(_("Name"), "name", 12),
        Col(_("Unit"), "unit.name", 28),
        Col(_("Phone"), "masked_phone", 15),
    ),
}


def _scoped(key: str):
    return lambda user: GAPS[key].listed(user)


SPECS: dict[str, ExportSpec] = {
    f"golive_{key}": ExportSpec(
        f"golive_{key}", gap.label, _scoped(key), _FILTERS[key], READINESS_ROLES, _COLUMNS[key]
    )
    for key, gap in GAPS.items()
}
