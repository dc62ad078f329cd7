"""The city's check-in policy page: its organisation department sets how often members report again
(the renewal period). Cities are looked up among those the user keeps (``access.keeps_city``): another
city answers 404; a role other than the organisation department 403. The change is one call of
checkin/renewal_actions.py."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import roles as R
from accounts.decorators import role_required
from checkin.access import kept_cities
from checkin.models import CheckInPolicy, RenewalPeriod
from checkin.renewal_actions import set_renewal_period
from gongjian.pages import AuthedRequest, lookup_or_404, run_action


@require_GET
@role_required(*R.CITY_RULE_ROLES)
def policy_page(request: AuthedRequest) -> HttpResponse:
    """Each city the user keeps, with its renewal period and a form to change it."""
    cities = list(kept_cities(request.user).order_by("code")[:100])
    policies = {
        p.city_id: p for p in CheckInPolicy.objects.filter(city__in=cities).select_related("updated_by")
    }
    rows = [{"city": city, "policy": policies.get(city.pk)} for city in cities]
    return render(
        request,
        "checkin/policy.html",
        {
            "rows": rows,
            "periods": RenewalPeriod.choices,
            "breadcrumbs": [{"label": _("Check-in policy"), "url": ""}],
        },
    )


@require_POST
@role_required(*R.CITY_RULE_ROLES)
def policy_change(request: AuthedRequest, public_id: object) -> HttpResponse:
    city = lookup_or_404(kept_cities(request.user), public_id)
    try:
        months = int(request.POST.get("renewal_months", ""))
    except ValueError:
        months = -1
    run_action(
        request,
        set_renewal_period,
        city=city,
        months=months,
        success=_("The check-in policy of %(city)s is saved.") % {"city": city.name},
    )
    return redirect("checkin:policy")
