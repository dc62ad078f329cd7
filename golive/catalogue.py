"""The set-up sheets in the order their parents need (divisions come first, from the picker)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l

from accounts.models import Role
from golive import org_sheets as o
from golive import people_sheets as p
from golive import place_sheets as g
from golive.sheets import Sheet

SHEETS: dict[str, Sheet] = {
    sheet.key: sheet
    for sheet in (
        Sheet("grids", _l("Grids"), g.GRID_COLUMNS, ("divisions",), g.check_grids, g.write_grids),
        Sheet(
            "compounds",
            _l("Compounds"),
            g.COMPOUND_COLUMNS,
            ("divisions",),
            g.check_compounds,
            g.write_compounds,
        ),
        Sheet(
            "buildings",
            _l("Buildings"),
            g.BUILDING_COLUMNS,
            ("compounds", "grids"),
            g.check_buildings,
            g.write_buildings,
        ),
        Sheet(
            "units", _l("Units"), o.UNIT_COLUMNS, ("divisions",), o.check_units, o.write_units, o.UNIT_CHOICES
        ),
        Sheet(
            "party_orgs",
            _l("Party organisations"),
            o.ORG_COLUMNS,
            ("units", "compounds", "grids"),
            o.check_party_orgs,
            o.write_party_orgs,
            o.ORG_CHOICES,
        ),
        Sheet(
            "unit_admins",
            _l("Unit admins' accounts"),
            o.ADMIN_COLUMNS,
            ("units",),
            o.check_unit_admins,
            o.write_unit_admins,
        ),
        Sheet(
            "members",
            _l("Member rosters"),
            p.MEMBER_COLUMNS,
            ("units", "party_orgs", "buildings"),
            p.check_members,
            p.write_members,
            {"gender": '"男,女"', "status": '"正式党员,预备党员"', "in_service": '"是,否"'},
        ),
        Sheet(
            "residents",
            _l("Residents"),
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
