"""Role-aware navigation: each item shows only to the roles whose pages accept them."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from accounts.models import Role
from accounts.scope import scope_for


class HELD(tuple):
    """Roles the user must actually hold; platform administrators do not pass by default."""

    def __new__(cls, *roles):
        return super().__new__(cls, roles)


NAV = [
    ("portal:home", _("Home"), None),
    ("places:area_list", _("Areas"), R.AREA_TREE_ROLES),
    ("orgs:party_org_list", _("Party organisations"), R.ORG_CHART_ROLES),
    ("orgs:unit_list", _("Units"), R.UNIT_LIST_ROLES),
    ("people:member_list", _("Members"), R.MEMBER_LIST_ROLES),
    ("people:resident_list", _("Residents"), R.RESIDENT_LIST_ROLES),
    ("places:grid_list", _("Grids"), R.AREA_TREE_ROLES),
    ("people:registry_index", _("Registries"), R.REGISTRY_ROLES),
    # Work pages of one role: shown only to those who hold it (not to platform administrators).
    ("checkin:my_checkin", _("Check in"), HELD(Role.MEMBER)),
    ("checkin:unit_page", _("Check-ins"), HELD(Role.UNIT_ADMIN)),
    ("checkin:community_page", _("Check-ins"), HELD(Role.COMMUNITY)),
    ("checkin:reconciliation", _("Reconciliation"), R.RECONCILIATION_ROLES),
    ("jobs:import_members", _("Roster import"), R.IMPORT_ROLES),
    ("jobs:job_list", _("Jobs"), None),
    ("audit:event_list", _("Audit log"), (Role.PLATFORM_ADMIN,)),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    scope = scope_for(user)
    items = []
    for name, label, roles in NAV:
        if isinstance(roles, HELD):
            if not scope.roles.intersection(roles):
                continue
        elif roles is not None and not scope.has(*roles):
            continue
        url = reverse(name)
        active = request.path.startswith(url) and url != "/" or request.path == url
        items.append({"url": url, "label": label, "active": active})
    return {"nav_items": items, "user_scope": scope, "user_roles": sorted(scope.roles)}
