"""Role-aware navigation: each item shows only to the roles whose pages accept them."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from accounts.models import Role
from accounts.scope import scope_for
from cases.exports import CASE_LIST_ROLES
from cases.measures import FIGURE_ROLES as CASE_FIGURE_ROLES


class HELD(tuple):
    """Roles the user must actually hold; platform administrators do not pass by default."""

    def __new__(cls, *roles):
        return super().__new__(cls, roles)


# Lists that belong together fold into one menu, so the bar fits a laptop screen.
REGISTERS = _("Registers")
SERVICE_LISTS = _("Service")
CITY_RULES = _("City rules")
CASES = _("Cases")

NAV = [
    ("portal:home", _("Home"), None, None),
    ("places:area_list", _("Areas"), R.AREA_TREE_ROLES, REGISTERS),
    ("orgs:party_org_list", _("Party organisations"), R.ORG_CHART_ROLES, REGISTERS),
    ("orgs:unit_list", _("Units"), R.UNIT_LIST_ROLES, REGISTERS),
    ("people:member_list", _("Members"), R.MEMBER_LIST_ROLES, REGISTERS),
    ("people:resident_list", _("Residents"), R.RESIDENT_LIST_ROLES, REGISTERS),
    ("places:grid_list", _("Grids"), R.AREA_TREE_ROLES, REGISTERS),
    ("people:registry_index", _("Registries"), R.REGISTRY_ROLES, REGISTERS),
    ("people:applicant_list", _("Party applicants"), HELD(Role.UNIT_ADMIN), REGISTERS),
    ("people:transfer_list", _("Organisation transfers"), R.TRANSFER_ROLES, REGISTERS),
    ("accounts:residents_to_verify", _("Residents to verify"), HELD(Role.COMMUNITY, Role.STREET), REGISTERS),
    # Work pages of one role: shown only to those who hold it (not to platform administrators).
    ("checkin:my_checkin", _("Check in"), HELD(Role.MEMBER), None),
    ("checkin:unit_page", _("Check-ins"), HELD(Role.UNIT_ADMIN), None),
    ("checkin:community_page", _("Check-ins"), HELD(Role.COMMUNITY), None),
    ("checkin:reconciliation", _("Reconciliation"), R.RECONCILIATION_ROLES, None),
    # The service loop: each role's own desk first, then the shared lists.
    ("service:member_home", _("Serve"), HELD(Role.MEMBER), None),
    ("points:my_points", _("My points"), HELD(Role.MEMBER), None),
    ("service:ask", _("Ask for help"), HELD(Role.RESIDENT), None),
    # The same page, for the grid worker who reports what a resident needs (not help for themself).
    ("service:ask", _("Report a need for a resident"), HELD(Role.GRID_WORKER), None),
    ("service:my_needs", _("My requests"), HELD(Role.RESIDENT), None),
    # The whistle (issue 13): the grid worker's grid, and everyone's own reports of problems.
    ("cases:my_grid", _("My grid"), HELD(Role.GRID_WORKER), None),
    ("cases:my_cases", _("My reports"), HELD(Role.GRID_WORKER, Role.RESIDENT, Role.MEMBER), None),
    ("service:workbench", _("Service desk"), HELD(Role.COMMUNITY, Role.STREET), None),
    ("service:unit_service", _("Members' service"), HELD(Role.UNIT_ADMIN, Role.INSPECTOR), SERVICE_LISTS),
    ("service:need_list", _("Needs"), R.SERVICE_AREA_ROLES, SERVICE_LISTS),
    (
        "service:record_list",
        _("Service records"),
        (*R.AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR),
        SERVICE_LISTS,
    ),
    ("service:post_list", _("Service posts"), HELD(Role.COMMUNITY, Role.STREET), SERVICE_LISTS),
    (
        "service:pairing_list",
        _("Household pairings"),
        (*R.SERVICE_AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR),
        SERVICE_LISTS,
    ),
    ("service:resource_list", _("Resources"), R.RESOURCE_ROLES, SERVICE_LISTS),
    ("service:project_list", _("Projects"), R.RESOURCE_ROLES, SERVICE_LISTS),
    ("points:rankings", _("Rankings"), R.POINTS_READ_ROLES, SERVICE_LISTS),
    ("points:shop", _("Points shop"), HELD(Role.COMMUNITY, Role.STREET), SERVICE_LISTS),
    ("points:ledger", _("Points ledger"), HELD(Role.COMMUNITY, Role.STREET), SERVICE_LISTS),
    # The city's own rules, kept by its organisation department (issue 10).
    ("service:menu", _("Service menu"), R.CITY_RULE_ROLES, CITY_RULES),
    ("points:rules", _("Point rules"), R.CITY_RULE_ROLES, CITY_RULES),
    ("checkin:policy", _("Check-in policy"), R.CITY_RULE_ROLES, CITY_RULES),
    # The whistle (issue 13): the department's inbox first, the boards and lists under one menu.
    ("cases:inbox", _("Case inbox"), HELD(Role.DEPARTMENT, Role.UNIT_ADMIN), None),
    ("cases:board", _("Dispatch board"), HELD(Role.COMMUNITY, Role.STREET, Role.ORG_DEPT), CASES),
    ("cases:stuck", _("Stuck cases"), HELD(Role.STREET, Role.ORG_DEPT), CASES),
    ("cases:case_list", _("All cases"), CASE_LIST_ROLES, CASES),
    ("cases:figures", _("Case figures"), CASE_FIGURE_ROLES, CASES),
    # Alliances (issue 14, desk): the areas' alliance list and workbench, a unit's view, an inspector's view.
    ("alliances:index", _("Alliances"), HELD(Role.STREET, Role.COMMUNITY, Role.ORG_DEPT), None),
    ("alliances:my_unit", _("Our alliances"), HELD(Role.UNIT_ADMIN, Role.DEPARTMENT), None),
    ("alliances:inspector", _("Units I inspect"), HELD(Role.INSPECTOR), None),
    ("jobs:import_members", _("Roster import"), R.IMPORT_ROLES, None),
    ("accounts:activation_codes", _("Activation codes"), HELD(Role.UNIT_ADMIN), None),
    ("jobs:job_list", _("Jobs"), None, None),
    ("audit:event_list", _("Audit log"), (Role.PLATFORM_ADMIN,), None),
    ("golive:index", _("City set-up"), (Role.PLATFORM_ADMIN,), None),
    ("golive:readiness", _("Readiness for go-live"), (Role.ORG_DEPT,), None),
    ("golive:residents", _("Import residents"), HELD(Role.COMMUNITY), None),
    ("accounts:sms_counts", _("Text messages"), (Role.PLATFORM_ADMIN,), None),
    ("cases:keys", _("Open311 API keys"), (Role.PLATFORM_ADMIN,), None),
    ("cases:hotline_import", _("Hotline tickets import"), (Role.STREET, Role.ORG_DEPT), None),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    scope = scope_for(user)
    items = []
    for name, label, roles, group in NAV:
        if isinstance(roles, HELD):
            if not scope.roles.intersection(roles):
                continue
        elif roles is not None and not scope.has(*roles):
            continue
        url = reverse(name)
        active = request.path.startswith(url) and url != "/" or request.path == url
        items.append({"url": url, "label": label, "active": active, "group": group})
    return {
        "nav_items": items,
        "nav_menu": _fold(items),
        "user_scope": scope,
        "user_roles": sorted(scope.roles),
    }


def _fold(items: list[dict]) -> list[dict]:
    """Links in order, with each group's links gathered into one menu where the group first appears
    (a group with a single link stays a plain link)."""
    menu: list[dict] = []
    groups: dict = {}
    for item in items:
        group = item["group"]
        if group is None:
            menu.append(item)
        elif group in groups:
            groups[group]["children"].append(item)
        else:
            groups[group] = {"label": group, "children": [item]}
            menu.append(groups[group])
    for entry in menu:
        if "children" in entry:
            entry["active"] = any(child["active"] for child in entry["children"])
            if len(entry["children"]) == 1:
                entry.update(entry.pop("children")[0])
    return menu
