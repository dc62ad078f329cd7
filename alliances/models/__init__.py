"""The alliances' tables, one module a part of the capability."""

from alliances.models.activities import Activity, ActivitySignup, ActivityState, OpenTo
from alliances.models.agreements import (
    Agreement,
    AgreementFile,
    AgreementState,
    Commitment,
    CommitmentKind,
)
from alliances.models.alliances import (
    Alliance,
    AllianceEvent,
    AllianceKind,
    AllianceMember,
    AlliancePost,
    AllianceState,
    ChairTurn,
    PostRole,
)
from alliances.models.board import BoardPost, BoardPostKind, BoardRead
from alliances.models.leaders import InspectionNote, LeaderLink, LeaderVisit
from alliances.models.meetings import (
    Invitation,
    Meeting,
    MeetingKind,
    MeetingState,
    MinutesRevision,
    MinutesState,
    Resolution,
    ResolutionFile,
    ResolutionState,
    ResolutionUpdate,
)

__all__ = [
    "Activity",
    "ActivitySignup",
    "ActivityState",
    "Agreement",
    "AgreementFile",
    "AgreementState",
    "Alliance",
    "AllianceEvent",
    "AllianceKind",
    "AllianceMember",
    "AlliancePost",
    "AllianceState",
    "BoardPost",
    "BoardPostKind",
    "BoardRead",
    "ChairTurn",
    "Commitment",
    "CommitmentKind",
    "InspectionNote",
    "Invitation",
    "LeaderLink",
    "LeaderVisit",
    "Meeting",
    "MeetingKind",
    "MeetingState",
    "MinutesRevision",
    "MinutesState",
    "OpenTo",
    "PostRole",
    "Resolution",
    "ResolutionFile",
    "ResolutionState",
    "ResolutionUpdate",
]
