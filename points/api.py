"""API of points (积分), the time bank and the points supermarket (积分超市): the ledger, balances,
rankings, corrections, rewards and redemptions.

Every write calls points/actions.py: redeeming locks the member and the reward there, so neither the
balance nor the stock can be overdrawn. A refused action answers 422 or 403 with ``{"detail"}`` and
changes nothing; an object outside the caller's scope answers 404 exactly like a missing one.
"""

from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce, Rank
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts import roles
from accounts.api import require_roles
from accounts.models import Role
from checkin.reconciliation import Period as Months
from gongjian.api_shapes import ErrorOut, ListPage, Ref
from orgs.models import Unit
from people.models import Member
from places.models import Area
from places.paths import subtree_q
from points import actions
from points.models import EntryKind, PointEntry, Redemption, RedemptionState, Reward
from service.schemas import Period, ReasonIn

router = Router(tags=["points"])

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
READ_ROLES = roles.POINTS_READ_ROLES
STAFF = roles.REWARD_STAFF_ROLES


# --- shapes ---------------------------------------------------------------------------------------


class EntryOut(Schema):
    id: UUID = Field(alias="public_id")
    member: Ref
    amount: int
    kind: EntryKind
    minutes: int = Field(description="Service time banked (negative on a correction).")
    community: Ref | None
    unit: Ref | None
    record: UUID | None = Field(None, alias="record_uuid", description="The service record booked.")
    redemption: UUID | None = Field(None, alias="redemption_uuid")
    reverses: UUID | None = Field(None, alias="reverses_uuid", description="The entry this one corrects.")
    reversed: bool = Field(description="A correction of this entry exists.")
    served_on: date | None
    note: str
    created_at: datetime


class EntryQuery(Period):
    member: UUID | None = None
    kind: EntryKind | None = None


class BalanceOut(Schema):
    member: Ref
    unit: Ref | None
    balance: int = Field(description="Points: the sum of the member's ledger.")
    minutes: int = Field(description="Time bank (爱心储蓄): confirmed service minutes, net of corrections.")

    @staticmethod
    def resolve_member(obj):
        return obj


class BalanceQuery(Schema):
    unit: UUID | None = None
    community: UUID | None = Field(None, description="Members living in this community.")


class RankingOut(Schema):
    rank: int = Field(description="Equal points share a rank (1, 1, 3…).")
    member: Ref
    unit: Ref | None
    points: int = Field(description="Points earned in the period (service, bonuses, corrections).")
    minutes: int

    @staticmethod
    def resolve_member(obj) -> dict:
        return {"public_id": obj["member__public_id"], "name": obj["member__name"]}

    @staticmethod
    def resolve_unit(obj) -> dict | None:
        if obj["member__unit__public_id"] is None:
            return None
        return {"public_id": obj["member__unit__public_id"], "name": obj["member__unit__name"]}


class RankingQuery(Period):
    community: UUID | None = Field(None, description="Entries booked in this community (or street).")
    unit: UUID | None = Field(None, description="Entries of this unit's members.")


class RewardOut(Schema):
    id: UUID = Field(alias="public_id")
    area: Ref = Field(description="The community's or street's catalogue.")
    name: str
    description: str
    cost: int
    stock: int = Field(description="Everything ever put on the shelf.")
    available: int = Field(description="Still on the shelf.")
    active: bool
    created_at: datetime


class RewardQuery(Schema):
    area: UUID | None = None
    offered: bool | None = Field(None, description="true: still offered.")


class RewardIn(Schema):
    area: UUID = Field(description="A community or a street.")
    name: str = Field(..., max_length=60)
    cost: int = Field(..., ge=1, le=actions.MAX_COST)
    stock: int = Field(..., ge=0, le=actions.MAX_ADDED)
    description: str = Field("", max_length=300)


class RestockIn(Schema):
    added: int = Field(..., ge=1, le=actions.MAX_ADDED)


class OfferedIn(Schema):
    offered: bool


class RedemptionOut(Schema):
    id: UUID = Field(alias="public_id")
    reward: Ref
    member: Ref
    cost: int
    state: RedemptionState
    placed_at: datetime
    closed_at: datetime | None
    cancel_reason: str


class RedemptionQuery(Schema):
    state: RedemptionState | None = None
    member: UUID | None = None
    reward: UUID | None = None


class CancelIn(Schema):
    reason: str = Field("", max_length=200, description="Needed when the community cancels.")


# --- the ledger -----------------------------------------------------------------------------------


def _entries(request: HttpRequest) -> QuerySet[PointEntry]:
    return (
        PointEntry.objects.visible_to(request.auth)
        .select_related("member", "community", "unit")
        .annotate(
            record_uuid=F("record__public_id"),
            redemption_uuid=F("redemption__public_id"),
            reverses_uuid=F("reverses__public_id"),
            reversed=Exists(PointEntry.objects.filter(reverses=OuterRef("pk"))),
        )
    )


@router.get("/points/entries", response=list[EntryOut])
@paginate(ListPage)
def list_entries(request: HttpRequest, filters: Query[EntryQuery]):
    """The points ledger (append-only), newest first: entries of members in the caller's areas, of
    their units' members, and the member's own. Roles: areas, unit admin, inspector, member."""
    require_roles(request, READ_ROLES)
    entries = _entries(request)
    if filters.member:
        entries = entries.filter(member__public_id=filters.member)
    if filters.kind:
        entries = entries.filter(kind=filters.kind)
    start, end = filters.bounds()
    if start:
        entries = entries.filter(created_at__gte=start)
    if end:
        entries = entries.filter(created_at__lt=end)
    return entries


@router.post("/points/entries/{entry_id}/reverse", response={201: EntryOut, **REFUSALS})
def reverse_entry(request: HttpRequest, entry_id: UUID, payload: ReasonIn):
    """Correct an entry with a reversing one (answered); an entry is corrected once, corrections and
    redemptions never. Roles: community, street where it was booked; else 403."""
    require_roles(request, roles.SERVICE_STAFF_ROLES)
    entry = get_object_or_404(_entries(request), public_id=entry_id)
    reversal = actions.reverse_entry(
        acting_user=request.auth, entry=entry, reason=payload.reason, request=request
    )
    return Status(201, get_object_or_404(_entries(request), pk=reversal.pk))


@router.get("/points/balances", response=list[BalanceOut])
@paginate(ListPage)
def list_balances(request: HttpRequest, filters: Query[BalanceQuery]):
    """Members the caller may see with their balance and time bank, highest balance first (one
    aggregate query a page). Roles: areas, unit admin, inspector, member (their own); else 403."""
    require_roles(request, READ_ROLES)
    members = Member.objects.visible_to(request.auth).select_related("unit")
    if filters.unit:
        members = members.filter(unit__public_id=filters.unit)
    if filters.community:
        members = members.filter(residence_area__public_id=filters.community)
    return members.annotate(
        balance=Coalesce(Sum("point_entries__amount"), Value(0)),
        minutes=Coalesce(Sum("point_entries__minutes"), Value(0)),
    ).order_by("-balance", "name", "pk")


@router.get("/points/rankings", response=list[RankingOut])
@paginate(ListPage)
def rankings(request: HttpRequest, filters: Query[RankingQuery]):
    """Members ranked by the points their service earned in the period (redemptions do not lower a
    rank): this month, as on the page, unless ``start`` or ``end`` is given. ``community``: everything
    booked there (a published ranking); ``unit``: the unit's members; neither: the entries the caller
    may see. A community or unit the caller cannot see
    answers 404. Roles: areas, unit admin, inspector, member; else 403."""
    require_roles(request, READ_ROLES)
    entries = PointEntry.objects.filter(redemption__isnull=True)
    if filters.community:
        area = get_object_or_404(Area.objects.visible_to(request.auth), public_id=filters.community)
        entries = entries.filter(subtree_q("community_path", area.path))
    else:
        # the scope's own predicate (path ranges, unit and member ids) on the entries themselves: as
        # ``pk__in`` a sub-select of every visible entry, it read the whole ledger for a city
        entries = entries & PointEntry.objects.visible_to(request.auth)
    if filters.unit:
        unit = get_object_or_404(Unit.objects.visible_to(request.auth), public_id=filters.unit)
        entries = entries.filter(unit=unit)
    start, end = filters.bounds()
    if start is None and end is None:  # the page's default period: this month (a ranking is of a period)
        start, end = Months.of("month").bounds()
    if start:
        entries = entries.filter(created_at__gte=start)
    if end:
        entries = entries.filter(created_at__lt=end)
    return (
        entries.values("member__public_id", "member__name", "member__unit__public_id", "member__unit__name")
        .annotate(points=Sum("amount"), minutes=Sum("minutes"))
        .annotate(rank=Window(Rank(), order_by=F("points").desc()))
        .order_by("-points", "member__name")
    )


# --- rewards and redemptions ----------------------------------------------------------------------


def _rewards(request: HttpRequest) -> QuerySet[Reward]:
    return Reward.objects.visible_to(request.auth).with_stock().select_related("area")


def _reward(request: HttpRequest, reward_id: UUID) -> Reward:
    return get_object_or_404(_rewards(request), public_id=reward_id)


@router.get("/rewards", response=list[RewardOut])
@paginate(ListPage)
def list_rewards(request: HttpRequest, filters: Query[RewardQuery]):
    """The points supermarket: rewards of the caller's areas' catalogues, and for a member those of
    the communities they serve and their streets, cheapest first. Roles: areas, unit admin,
    inspector, member; else 403."""
    require_roles(request, READ_ROLES)
    rewards = _rewards(request)
    if filters.area:
        rewards = rewards.filter(area__public_id=filters.area)
    if filters.offered is not None:
        rewards = rewards.filter(active=filters.offered)
    return rewards


@router.post("/rewards", response={201: RewardOut, **REFUSALS})
def add_reward(request: HttpRequest, payload: RewardIn):
    """Put a reward on a community's or street's shelf. Roles: community, street; else 403."""
    require_roles(request, STAFF)
    area = Area.objects.filter(public_id=payload.area).first()
    if area is None:
        raise ValidationError(_("Rewards belong to a community or a street."))
    reward = actions.add_reward(
        acting_user=request.auth,
        area=area,
        name=payload.name,
        cost=payload.cost,
        stock=payload.stock,
        description=payload.description,
        request=request,
    )
    return Status(201, _reward(request, reward.public_id))


@router.get("/rewards/{reward_id}", response={200: RewardOut, 404: ErrorOut})
def get_reward(request: HttpRequest, reward_id: UUID):
    """One reward. Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, READ_ROLES)
    return _reward(request, reward_id)


@router.post("/rewards/{reward_id}/restock", response={200: RewardOut, **REFUSALS})
def restock_reward(request: HttpRequest, reward_id: UUID, payload: RestockIn):
    """More arrived: ``added`` more on the shelf. Roles: community, street; else 403."""
    require_roles(request, STAFF)
    actions.restock_reward(
        acting_user=request.auth, reward=_reward(request, reward_id), added=payload.added, request=request
    )
    return _reward(request, reward_id)


@router.post("/rewards/{reward_id}/offered", response={200: RewardOut, **REFUSALS})
def set_offered(request: HttpRequest, reward_id: UUID, payload: OfferedIn):
    """Retire a reward (``offered: false``) or offer it again. Roles: community, street; else 403."""
    require_roles(request, STAFF)
    actions.set_reward_offered(
        acting_user=request.auth, reward=_reward(request, reward_id), offered=payload.offered, request=request
    )
    return _reward(request, reward_id)


@router.post("/rewards/{reward_id}/redeem", response={201: RedemptionOut, **REFUSALS})
def redeem(request: HttpRequest, reward_id: UUID):
    """积分兑换: the calling member spends points on the reward; beyond their balance or the stock
    is refused (422). Role: member; else 403."""
    require_roles(request, (Role.MEMBER,))
    redemption = actions.redeem_reward(
        acting_user=request.auth, reward=_reward(request, reward_id), request=request
    )
    return Status(201, _redemption(request, redemption.public_id))


def _redemptions(request: HttpRequest) -> QuerySet[Redemption]:
    return Redemption.objects.visible_to(request.auth).select_related("reward", "member")


def _redemption(request: HttpRequest, redemption_id: UUID) -> Redemption:
    return get_object_or_404(_redemptions(request), public_id=redemption_id)


@router.get("/redemptions", response=list[RedemptionOut])
@paginate(ListPage)
def list_redemptions(request: HttpRequest, filters: Query[RedemptionQuery]):
    """Redemptions from the caller's areas' catalogues, and the member's own, newest first.
    Roles: areas, unit admin, inspector, member; else 403."""
    require_roles(request, READ_ROLES)
    redemptions = _redemptions(request)
    if filters.state:
        redemptions = redemptions.filter(state=filters.state)
    if filters.member:
        redemptions = redemptions.filter(member__public_id=filters.member)
    if filters.reward:
        redemptions = redemptions.filter(reward__public_id=filters.reward)
    return redemptions


@router.get("/redemptions/{redemption_id}", response={200: RedemptionOut, 404: ErrorOut})
def get_redemption(request: HttpRequest, redemption_id: UUID):
    """One redemption. Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, READ_ROLES)
    return _redemption(request, redemption_id)


@router.post("/redemptions/{redemption_id}/hand-over", response={200: RedemptionOut, **REFUSALS})
def hand_over(request: HttpRequest, redemption_id: UUID):
    """The community hands the item over. Roles: community, street; else 403."""
    require_roles(request, STAFF)
    actions.hand_over_redemption(
        acting_user=request.auth, redemption=_redemption(request, redemption_id), request=request
    )
    return _redemption(request, redemption_id)


@router.post("/redemptions/{redemption_id}/cancel", response={200: RedemptionOut, **REFUSALS})
def cancel(request: HttpRequest, redemption_id: UUID, payload: CancelIn):
    """The member (before collecting) or the community (with a reason) calls it off; the points come
    back as a reversing entry. Roles: member, community, street; else 403."""
    require_roles(request, (Role.MEMBER, *STAFF))
    actions.cancel_redemption(
        acting_user=request.auth,
        redemption=_redemption(request, redemption_id),
        reason=payload.reason,
        request=request,
    )
    return _redemption(request, redemption_id)


router.add_router("", "points.rules_api.router")
