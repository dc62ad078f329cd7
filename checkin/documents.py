"""Certificate (报到证) and receipt (回执) PDFs, and the page that verifies a certificate's code.

The certificate carries a QR code of the verification URL with the signed code; the community opens it
on a phone (or types the code), sees whom it belongs to, and confirms the member in person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import role_required
from accounts.models import Role
from audit.actions import record_event
from checkin import codes
from checkin.access import administered_units, administers_unit, prints_certificate, serves_community
from checkin.actions import confirm_by_code
from checkin.models import Certificate, CheckIn, CheckInEvent, CheckInState, VanguardKind
from checkin.pdf import chinese_date, pdf_response, qr_data_uri, render_pdf, render_pdf_pages
from gongjian.pages import AuthedRequest, get_visible_or_404, lookup_or_404, parse_uuids
from orgs.models import PartyOrg

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_DOCUMENT_RELATED = (
    "member",
    "unit",
    "community__parent",
    "compound",
    "building",
    "grid_branch",
)


def verification_url(request: HttpRequest, certificate: Certificate) -> str:
    """The QR code's payload: the absolute URL of the verification page with the signed code."""
    return (
        request.build_absolute_uri(reverse("checkin:verify"))
        + "?"
        + urlencode({"code": codes.certificate_code(certificate)})
    )


def _place_lines(checkin: CheckIn) -> dict[str, str]:
    community = checkin.community
    parent = community.parent if community.parent_id else None
    street = parent.name if parent is not None else ""
    compound, building = checkin.compound, checkin.building
    if compound is not None and building is not None and building.name.startswith(compound.name):
        compound = None  # the demo names buildings "香樟苑 1号楼" already
    residence = " ".join(p.name for p in (compound, building) if p is not None)
    return {"community_full": f"{street}{community.name}", "residence": residence}


def _vanguard_labels(checkin: CheckIn) -> list[StrOrPromise]:
    return [VanguardKind(kind).label for kind in checkin.vanguard_kinds if kind in VanguardKind.values]


# --- the certificate ------------------------------------------------------------------------------

CERTIFICATE_TEMPLATE = "checkin/pdf/certificate.html"
# Certificates in one PDF: a page of the unit's list (rendering takes about half a second a page, in
# the request); a unit with more prints its list page by page ("select all on this page").
PRINT_ALL_MAX = 50


def _certificate_context(request: HttpRequest, checkin: CheckIn, certificate: Certificate) -> dict:
    return {
        "checkin": checkin,
        "member": checkin.member,
        "certificate": certificate,
        "code": codes.certificate_code(certificate),
        "qr": qr_data_uri(verification_url(request, certificate)),
        "issued_on": chinese_date(timezone.localtime(certificate.issued_at).date()),
        "vanguards": _vanguard_labels(checkin),
        **_place_lines(checkin),
    }


@require_GET
@role_required(Role.UNIT_ADMIN, Role.MEMBER)
def certificate_pdf(request: HttpRequest, public_id) -> HttpResponse:
    """The 报到证, for the member's unit admin and the member themself."""
    checkin = get_visible_or_404(CheckIn.objects.select_related(*_DOCUMENT_RELATED), request.user, public_id)
    if not prints_certificate(request.user, checkin):
        raise PermissionDenied
    certificate = checkin.certificates.filter(revoked_at__isnull=True).select_related("party_org").first()
    if certificate is None:
        raise Http404(_("This check-in has no valid certificate."))
    pdf = render_pdf(
        CERTIFICATE_TEMPLATE, _certificate_context(request, checkin, certificate), request=request
    )
    record_event(
        actor=request.user,
        action="checkin.certificate_pdf",
        target=checkin,
        request=request,
        detail={"serial": certificate.serial},
    )
    return pdf_response(pdf, f"{certificate.serial}.pdf")


@require_GET
@role_required(Role.UNIT_ADMIN)
def unit_certificates_pdf(request: AuthedRequest) -> HttpResponse:
    """All the unit's valid certificates (or the ticked ones, ``?checkins=``) as one PDF, one
    certificate a page, for the unit's party admin; each printed certificate is audited as the single
    one is. None to print: back to the unit page with a message, never an empty PDF."""
    unit = lookup_or_404(administered_units(request.user), request.GET.get("unit", ""))
    checkins = (
        CheckIn.objects.visible_to(request.user)
        .filter(unit=unit, state__in=(CheckInState.CERTIFIED, CheckInState.CONFIRMED))
        .select_related(*_DOCUMENT_RELATED)
        .prefetch_related(
            Prefetch(
                "certificates",
                queryset=Certificate.objects.filter(revoked_at__isnull=True).select_related("party_org"),
                to_attr="valid_certificates",
            )
        )
        .order_by("community__path", "member__name_initials", "id")
    )
    ticked = request.GET.getlist("checkins")
    if ticked:
        checkins = checkins.filter(public_id__in=parse_uuids(ticked))
    printed = [
        (checkin, checkin.valid_certificates[0])
        for checkin in checkins[: PRINT_ALL_MAX + 1]
        if checkin.valid_certificates and prints_certificate(request.user, checkin)
    ]
    back = reverse("checkin:unit_page") + "?" + urlencode({"unit": str(unit.public_id)}) + "#issued"
    if not printed:
        messages.warning(
            request,
            _("None of the ticked members has a valid certificate to print.")
            if ticked
            else _("%(unit)s has no valid certificate to print yet.") % {"unit": unit.name},
        )
        return redirect(back)
    if len(printed) > PRINT_ALL_MAX:
        messages.error(
            request,
            _("More than %(n)d certificates: tick the ones to print, %(n)d at most at a time.")
            % {"n": PRINT_ALL_MAX},
        )
        return redirect(back)
    pdf = render_pdf_pages(
        CERTIFICATE_TEMPLATE,
        [_certificate_context(request, checkin, certificate) for checkin, certificate in printed],
        request=request,
    )
    for checkin, certificate in printed:
        record_event(
            actor=request.user,
            action="checkin.certificate_pdf",
            target=checkin,
            request=request,
            detail={"serial": certificate.serial, "printed_with": len(printed)},
        )
    day = timezone.localdate().isoformat()
    return pdf_response(pdf, f"{unit.name}-{day}-certificates.pdf")


# --- the receipt ----------------------------------------------------------------------------------


@require_GET
@role_required(Role.COMMUNITY, Role.UNIT_ADMIN)
def receipt_pdf(request: HttpRequest, public_id) -> HttpResponse:
    """The 回执 the community prints once it confirmed the member (for the community and the unit)."""
    checkin = get_visible_or_404(CheckIn.objects.select_related(*_DOCUMENT_RELATED), request.user, public_id)
    if not (
        serves_community(request.user, checkin.community) or administers_unit(request.user, checkin.unit)
    ):
        raise PermissionDenied
    if checkin.state != CheckInState.CONFIRMED:
        raise Http404(_("A receipt exists only for a confirmed check-in."))
    confirmation = (
        CheckInEvent.objects.filter(checkin=checkin, to_state=CheckInState.CONFIRMED)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    certificate = (
        checkin.certificates.select_related("party_org").order_by("revoked_at", "-issued_at").first()
    )
    community_org = PartyOrg.objects.filter(area=checkin.community).order_by("path").first()
    confirmed_at = timezone.localtime(checkin.confirmed_at) if checkin.confirmed_at else None
    context = {
        "checkin": checkin,
        "member": checkin.member,
        "certificate": certificate,
        "confirmed_on": chinese_date(confirmed_at.date() if confirmed_at else None),
        "confirmed_by": str(confirmation.actor) if confirmation and confirmation.actor else "",
        "confirmed_via": confirmation.via if confirmation else "",
        "issuer": community_org.name if community_org else checkin.community.name,
        "addressee": certificate.party_org.name if certificate else getattr(checkin.unit, "name", ""),
        "printed_on": chinese_date(timezone.localdate()),
        "vanguards": _vanguard_labels(checkin),
        **_place_lines(checkin),
    }
    pdf = render_pdf("checkin/pdf/receipt.html", context, request=request)
    record_event(
        actor=request.user,
        action="checkin.receipt_pdf",
        target=checkin,
        request=request,
        detail={"serial": certificate.serial if certificate else ""},
    )
    return pdf_response(pdf, f"{certificate.serial if certificate else checkin.public_id}-receipt.pdf")


# --- verifying a code -----------------------------------------------------------------------------


def _inspect(user, code: str) -> dict:
    """What the page may say about a code: an error, "another community", or the check-in."""
    found = {"error": "", "other_community": False, "checkin": None, "certificate": None}
    if not code:
        return found
    try:
        certificate = codes.verify(code)
    except codes.InvalidCode as exc:
        found["error"] = str(exc)
        return found
    checkin = (
        CheckIn.objects.visible_to(user)
        .select_related(*_DOCUMENT_RELATED)
        .filter(pk=certificate.checkin_id)
        .first()
    )
    if checkin is None or not serves_community(user, checkin.community):
        found["other_community"] = True
        return found
    found.update(checkin=checkin, certificate=certificate)
    return found


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(Role.COMMUNITY)
def verify_code(request: AuthedRequest) -> HttpResponse:
    """Scan or type a certificate code; confirm the member when the code is genuine and theirs."""
    if request.method == "POST":
        code = codes.normalize(request.POST.get("code", ""))
        via = "typed" if request.POST.get("via") == "typed" else "scan"
        try:
            checkin = confirm_by_code(acting_user=request.user, code=code, via=via, request=request)
        except ValidationError as exc:
            action_error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("%(name)s is confirmed in %(community)s.")
                % {"name": checkin.member.name, "community": checkin.community.name},
            )
            return redirect("checkin:community_page")
    else:
        code = codes.normalize(request.GET.get("code", ""))
        via = "typed" if request.GET.get("via") == "typed" else "scan"
        action_error = ""
    found = _inspect(request.user, code)
    if found["error"] or found["other_community"]:
        action_error = ""  # the page already says why; the action's message may name the other community
    checkin = found["checkin"]
    context = {
        **found,
        "code": code,
        "via": via,
        "action_error": action_error,
        "can_confirm": checkin is not None and checkin.state == CheckInState.CERTIFIED,
        "vanguards": _vanguard_labels(checkin) if checkin else [],
        "residence": _place_lines(checkin)["residence"] if checkin else "",
        "breadcrumbs": [
            {"label": _("Community check-ins"), "url": reverse("checkin:community_page")},
            {"label": _("Verify a certificate"), "url": ""},
        ],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "checkin/verify.html", context, status=status)
