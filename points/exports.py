"""Export specs of this app's lists (registered in jobs.exports.APP_SPEC_MODULES): the ledger, the
rankings and the redemptions. Each reads through the same scope and FilterSet as its page, so a
sheet holds what the page shows (the rankings sheet: every ranked member, not only the page's best)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from jobs.exports import Col, ExportSpec
from points import queries
from points.forms import LedgerFilter, PointRuleFilter, RankingFilter, RedemptionFilter
from points.models import PointEntry, PointRule, Redemption

LEDGER_ROLES = R.SERVICE_STAFF_ROLES
RANKING_ROLES = R.POINTS_READ_ROLES
REDEMPTION_ROLES = R.REWARD_STAFF_ROLES


class RankingExportSpec(ExportSpec):
    """The rankings' rows are grouped dicts; they get their ranks while they are written."""

    def prepare(self, objects: Iterator[Any]) -> Iterator[Any]:
        return queries.ranked(objects)


SPECS: dict[str, ExportSpec] = {
    spec.name: spec
    for spec in (
        ExportSpec(
            "points_ledger",
            _("Points ledger"),
            lambda u: PointEntry.objects.visible_to(u).select_related(
                "member", "community", "unit", "record__category", "redemption__reward"
            ),
            LedgerFilter,
            LEDGER_ROLES,
            (
                Col(_("Booked at"), "created_at", 17),
                Col(_("Member"), "member.name", 12),
                Col(_("Kind"), "get_kind_display", 14),
                Col(_("Points"), "amount", 8),
                Col(_("Minutes of service"), "minutes", 10),
                Col(_("Service date"), "served_on", 12),
                Col(_("Service category"), "record.category.name", 14),
                Col(_("Reward"), "redemption.reward.name", 16),
                Col(_("Community"), "community.name", 14),
                Col(_("Unit"), "unit.name", 24),
                Col(_("Note"), "note", 30),
            ),
        ),
        RankingExportSpec(
            "points_rankings",
            _("Points rankings"),
            queries.rankable_entries,
            RankingFilter,
            RANKING_ROLES,
            (
                Col(_("Rank"), "rank", 6),
                Col(_("Member"), "name", 12),
                Col(_("Unit"), "unit", 28),
                Col(_("Points"), "points", 8),
                Col(_("Hours"), "hours", 8),
            ),
        ),
        ExportSpec(
            "point_rules",
            _("Point rules"),
            lambda u: PointRule.objects.visible_to(u).select_related(
                "city", "category__parent", "created_by"
            ),
            PointRuleFilter,
            R.CITY_RULE_ROLES,
            (
                Col(_("City"), "city.name", 10),
                Col(_("Big category"), "category.parent.name", 14),
                Col(_("Category"), "category.name", 14),
                Col(_("In force from"), "effective_from", 12),
                Col(_("In force"), "active", 8),
                Col(_("Points per hour"), "points_per_hour", 10),
                Col(_("Bonus for an urgent need"), "urgent_bonus", 10),
                Col(_("Most points a day"), "daily_cap", 10),
                Col(_("Recorded by"), "created_by.username", 12),
                Col(_("Recorded at"), "created_at", 17),
            ),
        ),
        ExportSpec(
            "points_redemptions",
            _("Redemptions"),
            lambda u: Redemption.objects.visible_to(u).select_related("reward__area", "member", "closed_by"),
            RedemptionFilter,
            REDEMPTION_ROLES,
            (
                Col(_("Redeemed at"), "placed_at", 17),
                Col(_("Member"), "member.name", 12),
                Col(_("Reward"), "reward.name", 18),
                Col(_("Points"), "cost", 8),
                Col(_("Catalogue"), "reward.area.name", 14),
                Col(_("State"), "get_state_display", 12),
                Col(_("Closed at"), "closed_at", 17),
                Col(_("Reason"), "cancel_reason", 24),
            ),
        ),
    )
}
