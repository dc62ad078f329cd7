"""Pages for those who let people in: the community verifies self-registered residents, a unit's party
admin prints activation codes for members without a usable phone, and the platform administrator reads
the SMS counters. Lookups go through ``visible_to`` (an outsider's try is a 404); writes are actions."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.activation import members_without_account, print_activation_codes
from accounts.codes import format_printed
from accounts.decorators import role_required
from accounts.models import Role, SmsCount
from accounts.registration import VERIFY_ROLES, verifiable_residents, verify_resident
from gongjian.pages import AuthedRequest, lookup_or_404, paginate, parse_uuids, run_action
from gongjian.pdf import pdf_response, render_pdf
from people.models import Resident

SLIP_ROLES = (Role.UNIT_ADMIN,)
SMS_DAYS = 14


# --- residents awaiting verification --------------------------------------------------------------


@role_required(*VERIFY_ROLES)
def residents_to_verify(request: AuthedRequest) -> HttpResponse:
    waiting = (
        verifiable_residents(request.user)
        .awaiting_verification()
        .select_related("residence_area", "residence_compound", "residence_building")
        .order_by("created_at", "id")
    )
    return render(
        request,
        "accounts/residents_to_verify.html",
        {
            "pager": paginate(request, waiting),
            "breadcrumbs": [{"label": _("Residents awaiting verification"), "url": ""}],
        },
    )


@require_POST
@role_required(*VERIFY_ROLES)
def resident_verify(request: AuthedRequest, public_id) -> HttpResponse:
    resident = lookup_or_404(
        Resident.objects.visible_to(request.user).select_related("residence_area"), public_id
    )
    run_action(
        request,
        verify_resident,
        resident=resident,
        success=_("%(name)s is verified.") % {"name": resident.name},
    )
    return redirect("accounts:residents_to_verify")


# --- printed activation codes ---------------------------------------------------------------------


@never_cache
@role_required(*SLIP_ROLES)
def activation_codes(request: AuthedRequest) -> HttpResponse:
    """GET: the unit's members without an account, to choose from. POST: print slips for those chosen
    (new codes, replacing older slips) as one PDF."""
    members = members_without_account(request.user).select_related("unit").order_by("name_initials", "id")
    if request.method == "POST":
        chosen = list(members.filter(public_id__in=parse_uuids(request.POST.getlist("member"))))
        done = run_action(request, print_activation_codes, members=chosen)
        if done.ok and done.result:
            slips = [
                {"member": member, "code": format_printed(code), "unit": member.unit}
                for member, code in done.result
            ]
            pdf = render_pdf(
                "accounts/pdf/activation_slips.html",
                {
                    "slips": slips,
                    "activate_url": request.build_absolute_uri(reverse("accounts:activate_printed")),
                },
            )
            return pdf_response(pdf, "activation-codes.pdf")
        return redirect("accounts:activation_codes")
    return render(
        request,
        "accounts/activation_codes.html",
        {
            "pager": paginate(request, members),
            "days": settings.ACTIVATION_CODE_DAYS,
            "breadcrumbs": [{"label": _("Activation codes"), "url": ""}],
        },
    )


# --- SMS counters ---------------------------------------------------------------------------------


@role_required(Role.PLATFORM_ADMIN)
def sms_counts(request: AuthedRequest) -> HttpResponse:
    """Messages sent and failed per day and kind, the last two weeks."""
    since = timezone.localdate() - timedelta(days=SMS_DAYS - 1)
    rows = SmsCount.objects.filter(day__gte=since).order_by("-day", "kind", "outcome")
    totals = dict(rows.values_list("outcome").annotate(n=Sum("count")).order_by())
    return render(
        request,
        "accounts/sms_counts.html",
        {
            "rows": rows,
            "sent": totals.get("sent", 0),
            "failed": totals.get("failed", 0),
            "days": SMS_DAYS,
            "breadcrumbs": [{"label": _("Text messages"), "url": ""}],
        },
    )
