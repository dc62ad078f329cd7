"""Role groups used by views, the API and navigation, so each rule is written once."""

from accounts.models import Role

AREA_ROLES = (Role.ORG_DEPT, Role.STREET, Role.COMMUNITY)
# Who works with the registries of people (lists of members).
MEMBER_LIST_ROLES = (*AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR, Role.GRID_WORKER)
RESIDENT_LIST_ROLES = (*AREA_ROLES, Role.GRID_WORKER)
UNIT_LIST_ROLES = (*AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR, Role.DEPARTMENT)
AREA_TREE_ROLES = (*AREA_ROLES, Role.GRID_WORKER)
ORG_CHART_ROLES = (*AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR, Role.GRID_WORKER, Role.MEMBER)
REGISTRY_ROLES = AREA_ROLES
IMPORT_ROLES = (Role.UNIT_ADMIN,)
# Check-ins: who reads reconciliation and pairings (the areas, the paired unit's admin and inspector),
# who reads check-ins (they, and the member their own), and who may move them.
RECONCILIATION_ROLES = (*AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR)
PAIRING_ROLES = RECONCILIATION_ROLES
CHECKIN_ROLES = (*RECONCILIATION_ROLES, Role.MEMBER)
CHECKIN_SUBMIT_ROLES = (Role.MEMBER, Role.UNIT_ADMIN)
CHECKIN_RETURN_ROLES = (Role.COMMUNITY, Role.UNIT_ADMIN)
CHECKIN_CHECK_OUT_ROLES = (Role.MEMBER, Role.UNIT_ADMIN, Role.COMMUNITY)
# A member or resident may open their own record (visible_to shows them nothing else).
MEMBER_DETAIL_ROLES = (*MEMBER_LIST_ROLES, Role.MEMBER)
RESIDENT_DETAIL_ROLES = (*RESIDENT_LIST_ROLES, Role.RESIDENT)
# The service loop (issue 4). Who reads needs and records of an area, who dispatches and confirms,
# who offers resources and runs projects, who takes and logs service, who asks and confirms as a resident.
SERVICE_STAFF_ROLES = (Role.COMMUNITY, Role.STREET)
SERVICE_AREA_ROLES = (*AREA_ROLES, Role.GRID_WORKER)
NEED_POST_ROLES = (Role.COMMUNITY, Role.STREET, Role.GRID_WORKER, Role.RESIDENT)
NEED_READ_ROLES = (*SERVICE_AREA_ROLES, Role.UNIT_ADMIN, Role.MEMBER, Role.RESIDENT)
RECORD_READ_ROLES = (*AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR, Role.MEMBER, Role.RESIDENT)
RESOURCE_ROLES = (*AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR)
PROJECT_ROLES = (*AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR, Role.MEMBER, Role.RESIDENT)
PAIRING_READ_ROLES = (*SERVICE_AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR, Role.MEMBER, Role.RESIDENT)
POINTS_READ_ROLES = (*AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR, Role.MEMBER)
REWARD_STAFF_ROLES = (Role.COMMUNITY, Role.STREET)
POST_READ_ROLES = (*AREA_ROLES, Role.MEMBER)
# Registries kept by their owners (issue 10, docs/SCOPES.md "Registries kept by their owners"): who
# writes residents and the area registries (the place's community or street), who reads and moves
# applicants (also the unit's party admin), who reads and acts on organisation transfers (转出 → 转入),
# and who records that a member moved house (the member, their unit's party admin).
KEEPER_ROLES = (Role.COMMUNITY, Role.STREET)
APPLICANT_ROLES = (*REGISTRY_ROLES, Role.UNIT_ADMIN)
APPLICANT_KEEPER_ROLES = (*KEEPER_ROLES, Role.UNIT_ADMIN)
TRANSFER_ROLES = (*AREA_ROLES, Role.UNIT_ADMIN)
TRANSFER_ACT_ROLES = (*KEEPER_ROLES, Role.UNIT_ADMIN)
MEMBER_MOVE_ROLES = (Role.MEMBER, Role.UNIT_ADMIN)
# The city's own rules (issue 10): its service menu, point rules and check-in renewal period are kept by
# the organisation department of the city (checkin.access.keeps_city says which city).
CITY_RULE_ROLES = (Role.ORG_DEPT,)
# Privileged sign-in (issue 11, docs/PRIVACY.md "Second factor"). Who may reveal the full ID numbers of
# people other than themselves (people.actions.can_reveal: the platform administrator, everything; a
# unit's party admin, the unit's members) — people/tests/test_second_factor_link.py fails if can_reveal
# lets any other role see one. Those roles, and the organisation departments and street committees, sign
# in with a second factor (accounts.second_factor.needs_second_factor reads this, and only this).
ID_NUMBER_REVEAL_ROLES = (Role.PLATFORM_ADMIN, Role.UNIT_ADMIN)
SECOND_FACTOR_ROLES = (Role.ORG_DEPT, Role.STREET, *ID_NUMBER_REVEAL_ROLES)
