"""The registry figures of an area (docs/FIGURES.md): members and residents who live in it, units
located in it, party organisations in it — each what the user may see. Counted by
``places.queries.subtree_counts`` in four grouped queries however many areas."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from accounts.scope import scope_for
from gongjian.figures import Definition, counts, define
from places.queries import subtree_counts


def _list(name: str, roles: tuple[str, ...]):
    def url(user: Any, area: Any) -> str:
        if not scope_for(user).has(*roles):
            return ""
        return f"{reverse(name)}?{urlencode({'area': area.public_id})}"

    return url


MEMBERS = define(
    Definition(
        "members",
        _("Members"),
        _(
            "Party members whose home on record is in the area (in service or not), that you may see. As of today."
        ),
        url=_list("people:member_list", R.MEMBER_LIST_ROLES),
    )
)
RESIDENTS = define(
    Definition(
        "residents",
        _("Residents"),
        _("Residents on record whose home is in the area, that you may see. As of today."),
        url=_list("people:resident_list", R.RESIDENT_LIST_ROLES),
    )
)
UNITS = define(
    Definition(
        "units",
        _("Units"),
        _("Units whose address is in the area, that you may see. As of today."),
        url=_list("orgs:unit_list", R.UNIT_LIST_ROLES),
    )
)
PARTY_ORGS = define(
    Definition(
        "party_orgs",
        _("Party organisations"),
        _("Party organisations of the area, or else of a unit located in it, that you may see. As of today."),
        url=_list("orgs:party_org_list", R.ORG_CHART_ROLES),
    )
)


@counts("members", "residents", "units", "party_orgs")
def registry_counts(user: Any, areas: Sequence[Any], on: date) -> dict[int, dict[str, Any]]:
    return {
        pk: {"members": c.members, "residents": c.residents, "units": c.units, "party_orgs": c.party_orgs}
        for pk, c in subtree_counts(user, areas).items()
    }
