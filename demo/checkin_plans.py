"""What happens to a demo check-in, as a plan: where the member reports and the steps it went
through. ``replay`` walks the steps through the actions' transition table (checkin.transitions.TRANSITIONS)
and says what they leave behind: the state, the timestamps the actions set, the events and the
certificates. demo/checkins.py writes check-ins from these replays, in bulk or through the actions.

The words here (reasons, notes, team names) are what people type, so they are data in Chinese,
not translated interface strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from checkin.models import CheckInRule, CheckInState, TeamKind, VanguardKind
from checkin.transitions import TRANSITIONS
from demo.layout import CommunityPlace, Weighted

SHARE_REPORTED = 0.75
MIN_PENDING_AT_DEMO_COMMUNITY = 3
DEMO_UNIT_STAFF = 4  # the fewest other members that can show every state (see DEMO_STORIES)
TEAM_CANDIDATES = 200  # confirmed members kept per community to form its teams from

# What happened to a check-in, and how often (the "moved" ones reported again elsewhere).
STORIES = Weighted(
    ["confirmed", "certified", "submitted", "returned", "rejected", "away", "moved"],
    [62, 12, 9, 4, 3, 3, 7],
)
KINDS = VanguardKind.values  # the five vanguards, in their order
AFTER_MOVE = Weighted(["confirmed", "certified", "submitted"], [70, 15, 15])
# The unit account's members, in order: these four show every state between them.
DEMO_STORIES = ["away", "certified", "rejected", "returned"]
DEMO_MORE = ["confirmed", "submitted", "certified", "confirmed", None]

OVERRIDE_REASONS = [  # for the unit's community, or a neighbour of home
    "父母居住在该社区，便于就近照料并参加服务",
    "工作日驻点该社区，便于参加社区活动",
    "单位驻点帮扶该社区，申请在此报到",
]
OUTSIDE_REASON = "居住在市外，单位尚未结对社区，申请在单位所在社区报到"
RETURN_REASONS_UNIT = [
    "请补充居住小区和楼栋",
    "服务意向未填写，请补充后重新提交",
    "联系电话与花名册不一致，请核对",
]
RETURN_REASONS_COMMUNITY = ["居住楼栋填写有误，请核对后重新提交", "报到证信息与本人不符，请单位重新核实"]
REJECT_REASONS = [
    "经核实不在本社区居住，请向居住地社区报到",
    "报到信息与单位花名册不符，请单位核实后重新报到",
]
AWAY_REASONS = ["外派援疆一年，暂停社区报到", "长期驻村帮扶，暂停社区报到", "借调外地工作，暂停社区报到"]
MOVED_REASON = "搬家，转到新居住地社区报到"
PAIRING_NOTES = [
    "共建文明社区",
    "联合开展志愿服务",
    "共享党群活动阵地",
    "结对帮扶困难群众",
    "共上党课、共办活动",
]
TEAMS = [
    ("红色先锋志愿服务队", TeamKind.VOLUNTEER, VanguardKind.VOLUNTEERING),
    ("邻里互助队", TeamKind.VOLUNTEER, VanguardKind.MODEL_RESIDENT),
    ("政策宣讲小分队", TeamKind.VOLUNTEER, VanguardKind.POLICY_OUTREACH),
    ("和事佬调解队", TeamKind.VOLUNTEER, VanguardKind.DISPUTE_MEDIATION),
    ("民情收集队", TeamKind.VOLUNTEER, VanguardKind.OPINION_COLLECTION),
    ("党员突击队", TeamKind.COMMANDO, VanguardKind.VOLUNTEERING),
    ("银发关爱服务队", TeamKind.VOLUNTEER, VanguardKind.VOLUNTEERING),
    ("文明创建志愿队", TeamKind.VOLUNTEER, VanguardKind.MODEL_RESIDENT),
    ("平安巡逻队", TeamKind.VOLUNTEER, ""),
]


class MemberRow(NamedTuple):
    pk: int
    unit_id: int
    party_org_id: int
    residence_area_id: int | None
    residence_compound_id: int | None
    residence_building_id: int | None
    skills: str


@dataclass
class Step:
    action: str  # "submit" or a key of TRANSITIONS
    at: datetime
    reason: str = ""
    via: str = ""
    actor: object | None = None


@dataclass
class Plan:
    """One check-in as it happened: where, why, and the steps it went through."""

    member: MemberRow
    place: CommunityPlace
    rule: str
    rule_note: str
    override_reason: str = ""
    kinds: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    @property
    def with_home(self) -> bool:  # the action records the member's compound and building by the rule
        return self.rule == CheckInRule.RESIDENCE


@dataclass
class Replay:
    state: str
    stamps: dict[str, datetime]
    events: list[tuple[str, str, Step]]
    certificates: list[list]  # [certify step, withdrawn at]


def replay(steps: list[Step]) -> Replay:
    """Walk the steps through the actions' transition table: the state, timestamps, events and
    certificates they leave behind (the same fields the actions set). Raises on an impossible plan."""
    state, stamps, events, certificates = "", {}, [], []
    for n, step in enumerate(steps):
        if n and step.at <= steps[n - 1].at:
            raise ValueError(f"steps out of order: {steps}")
        if step.action == "submit":
            allowed, target = frozenset({""}), CheckInState.SUBMITTED
        else:
            allowed, target = TRANSITIONS[step.action]
        if state not in allowed:
            raise ValueError(f"cannot {step.action} a {state or 'new'} check-in")
        if target == CheckInState.SUBMITTED:
            stamps["submitted_at"] = step.at
        elif target == CheckInState.CERTIFIED:
            stamps["certified_at"] = step.at
            certificates.append([step, None])
        elif target == CheckInState.CONFIRMED:
            stamps["confirmed_at"] = step.at
        elif target in (CheckInState.REJECTED, CheckInState.CHECKED_OUT):
            stamps["closed_at"] = step.at
        if step.action in ("reject", "return", "check_out"):  # the actions withdraw the certificate
            for certificate in certificates:
                certificate[1] = certificate[1] or step.at
        events.append((state, target, step))
        state = target
    return Replay(state, stamps, events, certificates)
