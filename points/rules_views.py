"""The point rules page (积分规则): a city's organisation department reads the rules in force in its city,
the changes to come and the past versions, records a change from a coming day, ends a rule of its own
or withdraws a change not yet in force. A platform administrator keeps every city's and the shared rules.

Cities come from ``access.kept_cities`` (another city: 404); a role other than the organisation
department: 403. Every change is one call of points/rule_actions.py; a refusal shows the form again
with what was typed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access import keeps_city, kept_cities
from accounts import roles as R
from accounts.decorators import role_required
from accounts.scope import scope_for
from gongjian.pages import lookup_or_404, run_action
from places.models import Area
from points import rule_actions
from points.forms import EndRuleForm, RuleForm
from points.models import PointRule
from points.rules import city_rules
from service.menu.views import chosen_city, city_param
from service.models import ServiceCategory


def _category_choices(city: Area | None) -> list:
    """The city's menu for the form: each big category (its rule covers its items) and its items."""
    rows = list(
        ServiceCategory.objects.active()
        .for_city(city)
        .select_related("parent")
        .order_by("parent__sort", "parent__code", "sort", "code")
    )
    bigs = sorted((r for r in rows if r.parent_id is None), key=lambda r: (r.sort, r.code))
    groups = []
    for big in bigs:
        options = [(str(big.public_id), _("All of %(name)s") % {"name": big.name})]
        options += [(str(r.public_id), r.name) for r in rows if r.parent_id == big.pk]
        groups.append((big.name, options))
    return groups


def _page(request: HttpRequest, city: Area | None, *, form=None, status: int = 200) -> HttpResponse:
    scope = scope_for(request.user)
    context = {
        "city": city,
        "param": city_param(city),
        "rows": city_rules(city),
        "form": form
        or RuleForm(
            categories=_category_choices(city), initial={"effective_from": rule_actions.earliest_start()}
        ),
        "earliest": rule_actions.earliest_start(),
        "keeps": keeps_city(request.user, city),
        "cities": list(kept_cities(request.user).order_by("code")[:100]) if scope.everything else [],
        "export_query": urlencode({"city": city.public_id}) if city is not None else "",
        "breadcrumbs": [{"label": _("Point rules"), "url": ""}],
    }
    return render(request, "points/rules.html", context, status=status)


@role_required(*R.CITY_RULE_ROLES)
def rules(request: HttpRequest) -> HttpResponse:
    """The rules in force in a city, the changes to come and the past versions."""
    city, chosen = chosen_city(request, request.GET.get("city"))
    if not chosen:
        return render(
            request,
            "points/rules.html",
            {
                "choose": True,
                "cities": list(kept_cities(request.user).order_by("code")[:100]),
                "shared": scope_for(request.user).everything,
                "breadcrumbs": [{"label": _("Point rules"), "url": ""}],
            },
        )
    return _page(request, city)


def _back(city: Area | None) -> HttpResponse:
    return redirect(f"{reverse('points:rules')}?{urlencode({'city': city_param(city)})}")


@require_POST
@role_required(*R.CITY_RULE_ROLES)
def rule_change(request: HttpRequest, city_value: str) -> HttpResponse:
    city, _chosen = chosen_city(request, city_value)
    choices = _category_choices(city)
    form = RuleForm(request.POST, categories=choices)
    if form.is_valid():
        data = form.cleaned_data
        category = (
            lookup_or_404(ServiceCategory.objects.visible_to(request.user).for_city(city), data["category"])
            if data["category"]
            else None
        )
        done = run_action(
            request,
            rule_actions.set_point_rule,
            form=form,
            city=city,
            category=category,
            points_per_hour=data["points_per_hour"],
            urgent_bonus=data["urgent_bonus"] or 0,
            daily_cap=data["daily_cap"],
            effective_from=data["effective_from"],
            success=lambda rule: (
                _("The change is recorded: in force from %(day)s.") % {"day": rule.effective_from.isoformat()}
            ),
        )
        if done.ok:
            return _back(city)
    return _page(request, city, form=form, status=400)


def _version_or_404(request: HttpRequest, public_id: object) -> PointRule:
    """A version of a rule the user keeps (another city's: 404)."""
    scope = scope_for(request.user)
    versions = PointRule.objects.visible_to(request.user).select_related("city", "category")
    if not scope.everything:
        versions = versions.filter(city__in=kept_cities(request.user))
    return lookup_or_404(versions, public_id)


@require_POST
@role_required(*R.CITY_RULE_ROLES)
def rule_withdraw(request: HttpRequest, public_id: object) -> HttpResponse:
    rule = _version_or_404(request, public_id)
    run_action(request, rule_actions.withdraw_point_rule, rule=rule, success=_("The change is withdrawn."))
    return _back(rule.city)


@require_POST
@role_required(*R.CITY_RULE_ROLES)
def rule_end(request: HttpRequest, public_id: object) -> HttpResponse:
    """End the city's own rule of the version's category from a coming day."""
    rule = _version_or_404(request, public_id)
    form = EndRuleForm(request.POST)
    if not form.is_valid():
        return _page(request, rule.city, status=400)
    run_action(
        request,
        rule_actions.end_point_rule,
        city=rule.city,
        category=rule.category,
        effective_from=form.cleaned_data["effective_from"],
        success=_("The rule ends: from then on the next rule down applies."),
    )
    return _back(rule.city)
