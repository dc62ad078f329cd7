"""The page where a member's move is recorded (by the member or their unit's party admin): choose the
new community, then the compound and building in it; checkin.moves.move_member_house records it and
the check-in follows the rule (docs/CHECKIN.md, "Moving house")."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles as R
from accounts.decorators import role_required
from checkin.moves import Move, move_member_house
from gongjian.pages import AuthedRequest, get_visible_or_404, lookup_or_404, run_action
from people.forms import HomeFields
from people.models import Member
from places.models import Area, AreaLevel

OUTCOMES = {
    "none": gettext_lazy("The move is recorded."),
    "kept": gettext_lazy("The move is recorded; the check-in stays with the same community."),
    "transferred": gettext_lazy(
        "The move is recorded; the check-in moved to %(community)s and waits for its certificate."
    ),
    "checked_out": gettext_lazy(
        "The move is recorded; the member is checked out and reports again where the rule says."
    ),
}


def _said(move: Move) -> str:
    community = move.new_checkin.community.name if move.new_checkin is not None else ""
    return (
        str(OUTCOMES[move.checkin]) % {"community": community}
        if move.checkin == "transferred"
        else str(OUTCOMES[move.checkin])
    )


@role_required(*R.MEMBER_MOVE_ROLES)
def member_move(request: AuthedRequest, public_id) -> HttpResponse:
    member = get_visible_or_404(Member.objects.select_related("residence_area"), request.user, public_id)
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY).select_related("parent").order_by("path")
    wanted = request.POST.get("area") or request.GET.get("community")
    chosen = lookup_or_404(communities, wanted) if wanted else None
    form = None
    if chosen is not None:
        form = HomeFields(
            request.POST or None, communities=communities.filter(pk=chosen.pk), initial={"area": chosen}
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            done = run_action(
                request,
                move_member_house,
                form=form,
                member=member,
                area=data["area"],
                compound=data["compound"],
                building=data["building"],
                success=_said,
            )
            if done.ok:
                return redirect("people:member_detail", member.public_id)
    return render(
        request,
        "checkin/member_move.html",
        {
            "member": member,
            "communities": communities,
            "chosen": chosen,
            "form": form,
            "breadcrumbs": [
                {"label": member.name, "url": reverse("people:member_detail", args=[member.public_id])},
                {"label": _("Moved house"), "url": ""},
            ],
        },
        status=400 if form is not None and form.is_bound else 200,
    )
