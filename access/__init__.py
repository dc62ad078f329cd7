"""Who may do what, written once: named rules and queryset filters that the pages, the API, the exports,
the actions and the notifications of the service loop and the points all ask (docs/SCOPES.md).

A plain package, not an app: no models. It sits above the core (accounts, places, orgs, people) and
check-ins, whose ``checkin.access`` it builds on, and below service, points and portal. It never imports
those (objects come in as arguments). ``visible_to(user)`` stays each model's one door for reading;
these rules answer the finer questions: is this user the community's staff, does this unit reach that
community, may this viewer read whom a need is for."""

from access.assignees import answers_for, assignee_users, helps_household
from access.beneficiaries import (
    HIDDEN,
    beneficiary_label,
    exports_beneficiary_q,
    record_beneficiary_label,
    sees_beneficiary,
    sees_record_beneficiary,
)
from access.origin import Origin, origin_of
from access.people import (
    SERVING_CHECKIN_STATES,
    is_member_themself,
    is_resident_themself,
    own_member,
    own_resident,
    serves_in,
)
from access.served import served_communities_q, served_community_ids
from access.staff import (
    STAFF_ROLES,
    communities_where,
    community_staff,
    staffed_areas,
    staffed_communities,
    staffed_q,
    staffs,
)
from access.units import (
    administered_units,
    administers_unit,
    admins_of_units,
    communities_reached_by,
    held_units,
    holds_unit,
    paired_now,
    reached_q,
    require_unit_reaches,
    served_by_units_q,
    unit_admins,
    unit_reaches,
    unit_serves,
    units_serving_q,
)
from checkin.access import keeps_city, kept_cities

__all__ = [
    "HIDDEN",
    "SERVING_CHECKIN_STATES",
    "STAFF_ROLES",
    "Origin",
    "admins_of_units",
    "administered_units",
    "administers_unit",
    "answers_for",
    "assignee_users",
    "beneficiary_label",
    "communities_reached_by",
    "communities_where",
    "community_staff",
    "exports_beneficiary_q",
    "held_units",
    "helps_household",
    "holds_unit",
    "is_member_themself",
    "is_resident_themself",
    "keeps_city",
    "kept_cities",
    "origin_of",
    "own_member",
    "own_resident",
    "paired_now",
    "reached_q",
    "record_beneficiary_label",
    "require_unit_reaches",
    "sees_beneficiary",
    "sees_record_beneficiary",
    "served_by_units_q",
    "served_communities_q",
    "served_community_ids",
    "serves_in",
    "staffed_areas",
    "staffed_communities",
    "staffed_q",
    "staffs",
    "unit_admins",
    "unit_reaches",
    "unit_serves",
    "units_serving_q",
]
