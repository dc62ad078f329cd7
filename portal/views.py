"""The home page: what the signed-in user looks after, in figures, with links down to the lists."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

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
    own_records = (
        [
            (m.name, reverse("people:member_detail", args=[m.public_id]))
            for m in Member.objects.filter(pk__in=scope.member_ids).only("public_id", "name")
        ]
        if scope.member_ids
        else []
    )
    own_records += (
        [
            (r.name, reverse("people:resident_detail", args=[r.public_id]))
            for r in Resident.objects.filter(pk__in=scope.resident_ids).only("public_id", "name")
        ]
        if scope.resident_ids
        else []
    )
    return render(
        request,
        "portal/home.html",
        {
            "figures": figures,
            "grants": grants,
            "scope": scope,
            "own_records": own_records,
        },
    )
