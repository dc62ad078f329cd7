"""The set-up sheets in the order their parents need (divisions come first, from the picker)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from accounts.models import Role
from golive import org_sheets as o
from golive import people_sheets as p
from golive import place_sheets as g
from golive.sheets import Sheet

SHEETS: dict[str, Sheet] = {
    sheet.key: sheet
    for sheet in (
        Sheet("grids", gettext_lazy("Grids"), g.GRID_COLUMNS, ("divisions",), g.check_grids, g.write_grids),
        Sheet(
            "compounds",
            gettext_lazy("Compounds"),
            g.COMPOUND_COLUMNS,
            ("divisions",),
            g.check_compounds,
            g.write_compounds,
        ),
        Sheet(
            "buildings",
            gettext_lazy("Buildings"),
            g.BUILDING_COLUMNS,
            ("compounds", "grids"),
            g.check_buildings,
            g.write_buildings,
        ),
        Sheet(
            "units",
            gettext_lazy("Units"),
            o.UNIT_COLUMNS,
            ("divisions",),
            o.check_units,
            o.write_units,
            o.UNIT_CHOICES,
        ),
        Sheet(
            "party_orgs",
            gettext_lazy("Party organisations"),
            o.ORG_COLUMNS,
            ("units", "compounds", "grids"),
            o.check_party_orgs,
            o.write_party_orgs,
            o.ORG_CHOICES,
        ),
        Sheet(
            "unit_admins",
            gettext_lazy("Unit admins' accounts"),
            o.ADMIN_COLUMNS,
            ("units",),
            o.check_unit_admins,
            o.write_unit_admins,
        ),
        Sheet(
            "members",
            gettext_lazy("Member rosters"),
            p.MEMBER_COLUMNS,
            ("units", "party_orgs", "buildings"),
            p.check_members,
            p.write_members,
            {"gender": '"男,女"', "status": '"正式党员,预备党员"', "in_service": '"是,否"'},
        ),
        Sheet(
            "residents",
            gettext_lazy("Residents"),
            p.RESIDENT_COLUMNS,
            ("buildings",),
            p.check_residents,
            p.write_residents,
            p.RESIDENT_CHOICES,
            roles=(Role.COMMUNITY,),
        ),
    )
}


def sheet_or_none(key: str) -> Sheet | None:
    return SHEETS.get(key)
