"""Points pages (积分, 爱心储蓄, 积分超市): the member's points, the reward catalogue and redemptions;
the community's or street's shop and ledger; rankings for everyone who works with points.

Thin views: objects are looked up through ``visible_to`` (outside the scope: 404), every change is
one call of points/actions.py, refusals come back as the action's message with what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access import is_member_themself, own_member, served_community_ids, staffs
from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from checkin.reconciliation import Period
from gongjian.charts import bar_chart
from gongjian.pages import paginate, public_id_or_404
from gongjian.refusals import refusal_message
from points import actions, queries
from points.exports import LEDGER_ROLES, RANKING_ROLES
from points.forms import LedgerFilter, RankingFilter, RestockForm, RewardForm
from points.models import EntryKind, PointEntry, Redemption, RedemptionState, Reward

PER_PAGE = 30
RANKING_LIMIT = 100
CHART_BARS = 10  # bars in a ranking's chart: readable on a phone
SHOP_ROLES = R.REWARD_STAFF_ROLES
REVERSIBLE_KINDS = (EntryKind.SERVICE, EntryKind.BONUS, EntryKind.ADJUSTMENT)


# --- the member -------------------------------------------------------------------------------------


@role_required(Role.MEMBER)
def my_points(request: HttpRequest) -> HttpResponse:
    """Balance, time bank, ledger and the member's rank in their communities this month and year."""
    member = own_member(request.user)
    context: dict = {"member": member}
    if member is not None:
        entries = (
            PointEntry.objects.visible_to(request.user)
            .filter(member=member)
            .select_related("record__category", "redemption__reward", "community")
        )
        served = served_community_ids(scope_for(request.user))
        communities = sorted(served, key=lambda pk: (pk != member.residence_area_id, pk))
        month, year = Period.of("month"), Period.of("year")
        minutes = actions.time_bank_minutes(member)
        context.update(
            balance=actions.balance_of(member),
            hours=round(minutes / 60, 1),
            pager=paginate(request, entries, per_page=PER_PAGE),
            ranks=queries.my_ranks(
                member_id=member.pk,
                community_ids=communities,
                month=month.bounds(),
                year_start=year.bounds()[0],
            ),
        )
    return render(request, "points/my_points.html", context)


def _refusal(reward: Reward, balance: int) -> str:
    """Why the member cannot redeem ``reward`` now ('' when they can)."""
    if reward.available < 1:
        return _("Out of stock")
    if balance < reward.cost:
        return _("You need %(short)d more points") % {"short": reward.cost - balance}
    return ""


@role_required(Role.MEMBER)
def rewards(request: HttpRequest) -> HttpResponse:
    """The catalogues of the member's communities (and their streets): cost, stock, redeem."""
    member = own_member(request.user)
    balance = actions.balance_of(member) if member is not None else 0
    catalogue = (
        Reward.objects.visible_to(request.user)
        .offered()
        .with_stock()
        .select_related("area")
        .order_by("area__path", "cost", "id")
    )
    items = [{"reward": r, "refusal": _refusal(r, balance)} for r in catalogue] if member else []
    return render(
        request,
        "points/rewards.html",
        {
            "member": member,
            "balance": balance,
            "items": items,
        },
    )


@require_POST
@role_required(Role.MEMBER)
def redeem(request: HttpRequest, public_id) -> HttpResponse:
    reward = get_object_or_404(Reward.objects.visible_to(request.user), public_id=public_id)
    try:
        redemption = actions.redeem_reward(acting_user=request.user, reward=reward, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
        return redirect("points:rewards")
    messages.success(
        request,
        _("You redeemed %(name)s for %(cost)d points. Collect it at %(area)s.")
        % {"name": reward.name, "cost": redemption.cost, "area": reward.area.name},
    )
    return redirect("points:my_redemptions")


@role_required(Role.MEMBER)
def my_redemptions(request: HttpRequest) -> HttpResponse:
    member = own_member(request.user)
    redemptions = (
        Redemption.objects.visible_to(request.user).filter(member=member).select_related("reward__area")
        if member is not None
        else Redemption.objects.none()
    )
    return render(
        request,
        "points/my_redemptions.html",
        {
            "member": member,
            "pager": paginate(request, redemptions, per_page=PER_PAGE),
        },
    )


@require_POST
@role_required(Role.MEMBER, *SHOP_ROLES)
def redemption_cancel(request: HttpRequest, public_id) -> HttpResponse:
    """The member calls off their own redemption before collecting it; the community or street calls
    one off with a reason. The points come back either way."""
    redemption = get_object_or_404(
        Redemption.objects.visible_to(request.user).select_related("reward__area", "member"),
        public_id=public_id,
    )
    own = is_member_themself(request.user, redemption.member)
    reason = request.POST.get("reason", "")
    try:
        actions.cancel_redemption(
            acting_user=request.user, redemption=redemption, reason=reason, request=request
        )
    except (ValidationError, PermissionDenied) as exc:
        if own:
            messages.error(request, refusal_message(exc))
            return redirect("points:my_redemptions")
        kept = {
            "row": str(redemption.public_id),
            "action": "cancel",
            "reason": reason,
            "error": refusal_message(exc),
        }
        return _shop_page(request, area=redemption.reward.area, kept=kept, status=400)
    messages.success(
        request,
        _("The redemption of %(name)s is cancelled; %(cost)d points are back.")
        % {"name": redemption.reward.name, "cost": redemption.cost},
    )
    if own:
        return redirect("points:my_redemptions")
    return _to_shop(redemption.reward.area)


# --- the shop (积分超市) of a community or street ----------------------------------------------------


def _to_shop(area) -> HttpResponse:
    return redirect(f"{reverse('points:shop')}?{urlencode({'area': area.public_id})}")


def _catalogue_area(request: HttpRequest, value):
    return get_object_or_404(queries.catalogue_areas(request.user), public_id=public_id_or_404(value))


def _shop_page(
    request: HttpRequest, *, area=None, add_form=None, kept=None, status: int = 200
) -> HttpResponse:
    areas = list(queries.catalogue_areas(request.user).order_by("path")[:500])
    if area is None and request.GET.get("area"):
        area = _catalogue_area(request, request.GET["area"])
    area = area or (areas[0] if areas else None)
    context: dict = {
        "areas": areas,
        "area": area,
        "kept": kept or {},
        "add_form": add_form or RewardForm(),
    }
    if area is not None:
        rewards = Reward.objects.visible_to(request.user).filter(area=area).with_stock()
        redemptions = Redemption.objects.visible_to(request.user).filter(reward__area=area)
        context.update(
            rewards=list(rewards.order_by("-active", "cost", "id")),
            pager=paginate(
                request,
                redemptions.filter(state=RedemptionState.PLACED)
                .select_related("reward", "member")
                .order_by("placed_at", "id"),
                per_page=PER_PAGE,
            ),
            recent=list(
                redemptions.exclude(state=RedemptionState.PLACED)
                .select_related("reward", "member")
                .order_by("-closed_at", "-id")[:10]
            ),
            export_query=urlencode({"area": area.public_id}),
        )
    return render(request, "points/shop.html", context, status=status)


@role_required(*SHOP_ROLES)
def shop(request: HttpRequest) -> HttpResponse:
    """One catalogue of the user's areas: stock supplied, redeemed and left; redemptions to hand over."""
    return _shop_page(request)


@require_POST
@role_required(*SHOP_ROLES)
def reward_add(request: HttpRequest) -> HttpResponse:
    area = _catalogue_area(request, request.POST.get("area"))
    form = RewardForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            reward = actions.add_reward(
                acting_user=request.user,
                area=area,
                name=data["name"],
                cost=data["cost"],
                stock=data["stock"],
                description=data["description"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("%(name)s is on the shelf.") % {"name": reward.name})
            return _to_shop(area)
    return _shop_page(request, area=area, add_form=form, status=400)


def _shop_reward(request: HttpRequest, public_id) -> Reward:
    return get_object_or_404(
        Reward.objects.visible_to(request.user).select_related("area"), public_id=public_id
    )


@require_POST
@role_required(*SHOP_ROLES)
def reward_restock(request: HttpRequest, public_id) -> HttpResponse:
    reward = _shop_reward(request, public_id)
    form = RestockForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            actions.restock_reward(
                acting_user=request.user, reward=reward, added=form.cleaned_data["added"], request=request
            )
        except (ValidationError, PermissionDenied) as exc:
            error = refusal_message(exc)
        else:
            messages.success(
                request,
                _("%(added)d more of %(name)s on the shelf.")
                % {"added": form.cleaned_data["added"], "name": reward.name},
            )
            return _to_shop(reward.area)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    kept = {
        "row": str(reward.public_id),
        "action": "restock",
        "value": request.POST.get("added", ""),
        "error": error,
    }
    return _shop_page(request, area=reward.area, kept=kept, status=400)


@require_POST
@role_required(*SHOP_ROLES)
def reward_offered(request: HttpRequest, public_id) -> HttpResponse:
    reward = _shop_reward(request, public_id)
    offered = request.POST.get("offered") == "1"
    try:
        actions.set_reward_offered(acting_user=request.user, reward=reward, offered=offered, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(
            request,
            (_("%(name)s is offered again.") if offered else _("%(name)s is no longer offered."))
            % {"name": reward.name},
        )
    return _to_shop(reward.area)


@require_POST
@role_required(*SHOP_ROLES)
def redemption_hand_over(request: HttpRequest, public_id) -> HttpResponse:
    redemption = get_object_or_404(
        Redemption.objects.visible_to(request.user).select_related("reward__area", "member"),
        public_id=public_id,
    )
    try:
        actions.hand_over_redemption(acting_user=request.user, redemption=redemption, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(
            request,
            _("%(name)s handed over to %(member)s.")
            % {"name": redemption.reward.name, "member": redemption.member.name},
        )
    return _to_shop(redemption.reward.area)


# --- rankings ---------------------------------------------------------------------------------------


@role_required(*RANKING_ROLES)
def rankings(request: HttpRequest) -> HttpResponse:
    """Members ranked by points earned in a period, per community or unit (one grouped query)."""
    filterset = RankingFilter(request.GET, queryset=queries.rankable_entries(request.user), request=request)
    rows = list(queries.ranked(filterset.qs[:RANKING_LIMIT]))
    member = own_member(request.user) if Role.MEMBER in scope_for(request.user).roles else None
    entries, (start, end) = filterset.entries, filterset.period.bounds()
    mine = None
    if member is not None and all(row.member_id != member.pk for row in rows):
        mine = queries.rank_of(entries, start, end, member.pk)
    return render(
        request,
        "points/rankings.html",
        {
            "filter": filterset,
            "rows": rows,
            **_ranking_charts(filterset, rows),
            "mine": mine,
            "me": member.pk if member is not None else None,
            "period": filterset.period,
            "community": filterset.chosen_community,
            "limit": RANKING_LIMIT,
            "totals": queries.ranking_totals(entries, start, end),
        },
        status=400 if filterset.form.errors else 200,
    )


def _ranking_charts(filterset: RankingFilter, rows: list[queries.RankRow]) -> dict:
    """The best members and, across units, the units whose members earned most: bars to look at
    beside the table (which stays)."""
    best = [row for row in rows[:CHART_BARS] if row.points > 0]
    charts: dict = {"member_chart": None, "unit_chart": None}
    if len(best) > 1:
        charts["member_chart"] = bar_chart(
            _("Members with the most points"),
            [row.name for row in best],
            [(_("Points"), [r.points for r in best])],
        )
    entries = getattr(filterset, "entries", None)
    if entries is not None and not filterset.form.cleaned_data.get("unit"):
        start, end = filterset.period.bounds()
        units = queries.unit_ranking(entries, start, end, CHART_BARS)
        if len(units) > 1:
            charts["unit_chart"] = bar_chart(
                _("Units whose members earned the most points"),
                [u["name"] for u in units],
                [(_("Points"), [u["points"] for u in units])],
            )
    return charts


# --- the ledger -------------------------------------------------------------------------------------


def _ledger_page(request: HttpRequest, *, kept=None, status: int = 200) -> HttpResponse:
    entries = (
        PointEntry.objects.visible_to(request.user)
        .select_related(
            "member", "community", "record__category", "redemption__reward", "reverses", "reversed_by"
        )
        .order_by("-created_at", "-id")
    )
    filterset = LedgerFilter(request.GET, queryset=entries, request=request)
    pager = paginate(request, filterset.qs, per_page=PER_PAGE)
    kept = kept or {}
    rows = [
        {"entry": e, "reversible": _reversible(request.user, e) or kept.get("row") == str(e.public_id)}
        for e in pager["page"].object_list
    ]
    return render(
        request,
        "points/ledger.html",
        {
            "filter": filterset,
            "pager": pager,
            "rows": rows,
            "kept": kept,
            "query": request.GET.urlencode(),
        },
        status=400 if filterset.form.errors and status == 200 else status,
    )


def _reversible(user, entry: PointEntry) -> bool:
    if entry.kind not in REVERSIBLE_KINDS or entry.community is None:
        return False
    if getattr(entry, "reversed_by", None) is not None:
        return False
    return staffs(user, entry.community)


@role_required(*LEDGER_ROLES)
def ledger(request: HttpRequest) -> HttpResponse:
    """Entries booked in the user's areas: filter by member, kind, community and period; correct one."""
    return _ledger_page(request)


@require_POST
@role_required(*LEDGER_ROLES)
def entry_reverse(request: HttpRequest, public_id) -> HttpResponse:
    entry = get_object_or_404(PointEntry.objects.visible_to(request.user), public_id=public_id)
    reason = request.POST.get("reason", "")
    try:
        actions.reverse_entry(acting_user=request.user, entry=entry, reason=reason, request=request)
    except (ValidationError, PermissionDenied) as exc:
        kept = {
            "row": str(entry.public_id),
            "action": "reverse",
            "reason": reason,
            "error": refusal_message(exc),
        }
        return _ledger_page(request, kept=kept, status=400)
    messages.success(
        request,
        _("%(points)+d points corrected for %(name)s.")
        % {"points": -entry.amount, "name": entry.member.name},
    )
    query = request.GET.urlencode()
    return redirect(reverse("points:ledger") + (f"?{query}" if query else ""))
