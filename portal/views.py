"""The home page: what the signed-in user looks after, in figures, with links down to the lists."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.scope import scope_for
from orgs.models import PartyOrg, Unit
from people.models import Member, Resident
from places.models import Area


@login_required
def home(request):
    user = request.user
    scope = scope_for(user)
    members = Member.objects.visible_to(user)
    figures = {
        "areas": Area.objects.visible_to(user).count(),
        "party_orgs": PartyOrg.objects.visible_to(user).count(),
        "units": Unit.objects.visible_to(user).count(),
        "members": members.count(),
        "in_service": members.in_service().count(),
        "residents": Resident.objects.visible_to(user).count(),
    }
    grants = user.role_grants.select_related("area", "unit", "grid")
    return render(request, "portal/home.html", {"figures": figures, "grants": grants, "scope": scope})
