"""Pages of 转出 → 转入: the member's party organisation starts a transfer from the member's page; the
receiving side finds it on its home (people/work.py) and in the list, and accepts or declines it.
Lookups through ``visible_to`` (404 outside); the actions in people/transfers.py decide who may act."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts import roles as R
from accounts.decorators import role_required
from gongjian.pages import AuthedRequest, get_visible_or_404, run_action
from orgs.models import PartyOrg
from people import transfers
from people.filters import TransferFilter
from people.forms import ReasonForm, TransferForm
from people.keepers import speaks_for_org
from people.models import Member, MemberTransfer, TransferState
from people.tables import TransferTable
from people.views import list_page

CRUMBS = [{"label": _("Organisation transfers"), "url": ""}]


@role_required(*R.TRANSFER_ROLES)
def transfer_list(request: AuthedRequest) -> HttpResponse:
    queryset = MemberTransfer.objects.visible_to(request.user).select_related("member", "from_org", "to_org")
    return list_page(
        request,
        title=_("Organisation transfers"),
        queryset=queryset,
        filterset_class=TransferFilter,
        table_class=TransferTable,
        export_kind="member_transfers",
        breadcrumbs=CRUMBS,
    )


def _transfer(request: AuthedRequest, public_id) -> MemberTransfer:
    return get_visible_or_404(
        MemberTransfer.objects.select_related(
            "member", "from_org__unit", "from_org__area", "to_org__unit", "to_org__area", "started_by"
        ),
        request.user,
        public_id,
    )


@role_required(*R.TRANSFER_ROLES)
def transfer_detail(request: AuthedRequest, public_id) -> HttpResponse:
    transfer = _transfer(request, public_id)
    waiting = transfer.state == TransferState.OPEN
    return render(
        request,
        "people/transfer_detail.html",
        {
            "transfer": transfer,
            "events": transfer.events.select_related("actor"),
            "can_answer": waiting and speaks_for_org(request.user, transfer.to_org),
            "can_cancel": waiting and speaks_for_org(request.user, transfer.from_org),
            "reason_form": ReasonForm(),
            "breadcrumbs": [
                {"label": _("Organisation transfers"), "url": reverse("people:transfer_list")},
                {"label": transfer.member.name, "url": ""},
            ],
        },
    )


@role_required(*R.TRANSFER_ACT_ROLES)
def transfer_start(request: AuthedRequest, public_id) -> HttpResponse:
    """转出: from the member's page, choose the receiving party organisation (any on the platform:
    organisations' names and codes are not private, and the receiving side must be reachable)."""
    member = get_visible_or_404(Member.objects.select_related("party_org"), request.user, public_id)
    orgs = PartyOrg.objects.exclude(pk=member.party_org_id).order_by("path")
    form = TransferForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            transfers.start_transfer,
            form=form,
            member=member,
            to_org=form.cleaned_data["to_org"],
            note=form.cleaned_data["note"],
            success=_("The transfer is sent to the receiving organisation."),
        )
        if done.ok and done.result is not None:
            return redirect("people:transfer_detail", done.result.public_id)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": _("Transfer %(name)s to another party organisation") % {"name": member.name},
            "subtitle": _("Now: %(org)s") % {"org": member.party_org.name},
            "submit": _("Start the transfer"),
            "cancel_url": reverse("people:member_detail", args=[member.public_id]),
        },
        status=400 if form.is_bound else 200,
    )


def _answer(request: AuthedRequest, public_id, action, success) -> HttpResponse:
    transfer = _transfer(request, public_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    arguments = (
        {"reason": form.cleaned_data.get("reason", "")} if action is not transfers.accept_transfer else {}
    )
    run_action(request, action, transfer=transfer, success=success, **arguments)
    return redirect("people:transfer_detail", transfer.public_id)


@require_POST
@role_required(*R.TRANSFER_ACT_ROLES)
def transfer_accept(request: AuthedRequest, public_id) -> HttpResponse:
    return _answer(
        request,
        public_id,
        transfers.accept_transfer,
        _("Accepted: the member belongs to your organisation now."),
    )


@require_POST
@role_required(*R.TRANSFER_ACT_ROLES)
def transfer_decline(request: AuthedRequest, public_id) -> HttpResponse:
    return _answer(request, public_id, transfers.decline_transfer, _("Declined."))


@require_POST
@role_required(*R.TRANSFER_ACT_ROLES)
def transfer_cancel(request: AuthedRequest, public_id) -> HttpResponse:
    return _answer(request, public_id, transfers.cancel_transfer, _("The transfer is cancelled."))
