"""The service loop: the menu, the three lists (needs, resources, projects), dispatch, posts, household
pairings, service records and their confirmation, and satisfaction. Points live in the ``points`` app."""

from service.models.menu import ServiceCategory
from service.models.needs import (
    CURRENT_ASSIGNMENT_STATES,
    LIVE_NEED_STATES,
    Assignment,
    AssignmentState,
    AssignmentVia,
    Need,
    NeedEvent,
    NeedKind,
    NeedState,
    PostedAs,
    Urgency,
)
from service.models.posts import HouseholdPairing, PairingVisit, PostClaim, ServicePost
from service.models.records import (
    ConfirmedVia,
    Flag,
    Rating,
    RecordPhoto,
    RecordState,
    ServiceRecord,
    ServiceRecordEvent,
)
from service.models.units import (
    Milestone,
    Project,
    ProjectCommitment,
    ProjectEvent,
    ProjectState,
    ProjectUnit,
    Resource,
    ResourceKind,
)

__all__ = [
    "CURRENT_ASSIGNMENT_STATES",
    "LIVE_NEED_STATES",
    "Assignment",
    "AssignmentState",
    "AssignmentVia",
    "ConfirmedVia",
    "Flag",
    "HouseholdPairing",
    "Milestone",
    "Need",
    "NeedEvent",
    "NeedKind",
    "NeedState",
    "PairingVisit",
    "PostClaim",
    "PostedAs",
    "Project",
    "ProjectCommitment",
    "ProjectEvent",
    "ProjectState",
    "ProjectUnit",
    "Rating",
    "RecordPhoto",
    "RecordState",
    "Resource",
    "ResourceKind",
    "ServiceCategory",
    "ServicePost",
    "ServiceRecord",
    "ServiceRecordEvent",
    "Urgency",
]
