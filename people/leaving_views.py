"""The member's page's "end membership" button (people/leaving.py): a POST with the reason, confirmed
on the page. The lookup goes through ``visible_to`` (an outsider's try is a 404); the rule of who may is
``may_end_membership``, in the action."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from gongjian.pages import AuthedRequest, lookup_or_404, run_action
from people.leaving import END_MEMBERSHIP_ROLES, end_membership
from people.models import Member


@require_POST
@role_required(*END_MEMBERSHIP_ROLES)
def member_end(request: AuthedRequest, public_id) -> HttpResponse:
    member = lookup_or_404(
        Member.objects.visible_to(request.user).select_related("party_org__area"), public_id
    )
    run_action(
        request,
        end_membership,
        member=member,
        reason=request.POST.get("reason", ""),
        success=_("The membership of %(name)s has ended.") % {"name": member.name},
    )
    return redirect("people:member_detail", member.public_id)
