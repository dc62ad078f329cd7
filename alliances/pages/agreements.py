"""The agreements' pages: the list (by alliance, unit, state, expiring within 30 days, expired), a draft's
form, the agreement's page (terms, responsibility list, signatures, files, history, inspection notes and
the buttons the viewer may use), its actions (one POST address with an ``op``), and a file's download.
A pairing (结对共建) is an agreement with a community: its page is this one."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role
from alliances import agreements as actions
from alliances.access import inspects, leads, speaks_for_unit, spoken_units
from alliances.leaders import answer_inspection_note, write_inspection_note
from alliances.models import (
    Agreement,
    AgreementFile,
    AgreementState,
    Alliance,
    Commitment,
    CommitmentKind,
    InspectionNote,
)
from alliances.steps import history
from gongjian.pages import get_visible_or_404, lookup_or_404, paginate, run_action
from orgs.models import Unit
from places.forms import PublicIdChoiceField
from places.models import Area, AreaLevel
from places.paths import subtree_q
from service.forms import StyledForm
from service.models import Project, Resource

AGREEMENT_ROLES = (*R.AREA_ROLES, Role.UNIT_ADMIN, Role.DEPARTMENT, Role.INSPECTOR)
DRAFT_ROLES = (Role.STREET, Role.COMMUNITY, Role.UNIT_ADMIN, Role.DEPARTMENT)
EXPIRING_DAYS = 30
PER_PAGE = 25
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# The words for an agreement's history lines (alliances/agreements.py writes these actions).
EVENT_LABELS = {
    "draft": _("Drafted"),
    "commit": _("Commitment added"),
    "uncommit": _("Commitment removed"),
    "attach": _("File attached"),
    "sign": _("Signed"),
    "in_force": _("In force"),
    "end": _("Ended"),
    "renew": _("Renewal drafted"),
    "renewed": _("Renewed"),
    "remind": _("Renewal reminder sent"),
}

STATE_FILTERS = {
    "draft": _("Drafts"),
    "in_force": _("In force"),
    "expiring": _("Expiring within 30 days"),
    "expired": _("Expired"),
    "ended": _("Ended early"),
    "renewed": _("Renewed"),
}


def filter_state(queryset, state: str, day):
    if state == "draft":
        return queryset.filter(state=AgreementState.DRAFT)
    if state == "in_force":
        return queryset.in_force_on(day)
    if state == "expiring":
        return queryset.expiring_within(day, EXPIRING_DAYS)
    if state == "expired":
        return queryset.expired_on(day)
    if state == "ended":
        return queryset.filter(state=AgreementState.ENDED)
    if state == "renewed":
        return queryset.filter(state=AgreementState.RENEWED)
    return queryset


def state_label(agreement: Agreement, day) -> str:
    if agreement.expired(day):
        return str(_("Expired"))
    if agreement.state == AgreementState.SIGNED and agreement.starts_on > day:
        return str(_("Signed, not yet in force"))
    if agreement.in_force(day):
        return str(_("In force"))
    return str(agreement.get_state_display())


# --- the list --------------------------------------------------------------------------------------------
class ListFilter(StyledForm):
    alliance = PublicIdChoiceField(
        Alliance.objects.none(), label=_("Alliance"), required=False, widget=forms.Select
    )
    unit = PublicIdChoiceField(Unit.objects.none(), label=_("Unit"), required=False, widget=forms.Select)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *STATE_FILTERS.items()]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = Alliance.objects.visible_to(user).order_by("name")
        self.fields["unit"].queryset = Unit.objects.filter(
            pk__in=Agreement.objects.visible_to(user).values("unit_id")
        ).order_by("name")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


@require_GET
@role_required(*AGREEMENT_ROLES)
def agreement_list(request: HttpRequest) -> HttpResponse:
    """The agreements the viewer may see (a unit: its own), filtered."""
    today = timezone.localdate()
    form = ListFilter(request.GET or None, user=request.user)
    queryset = Agreement.objects.visible_to(request.user).select_related("alliance", "unit", "community")
    chosen: dict = {}
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data
    if chosen.get("alliance"):
        queryset = queryset.filter(alliance=chosen["alliance"])
    if chosen.get("unit"):
        queryset = queryset.filter(unit=chosen["unit"])
    queryset = filter_state(queryset, chosen.get("state") or "", today).order_by("ends_on", "id")
    pager = paginate(request, queryset, per_page=PER_PAGE)
    for agreement in pager["page"]:
        agreement.state_label = state_label(agreement, today)
        agreement.expiring = agreement.in_force(today) and agreement.ends_on <= today + timedelta(
            days=EXPIRING_DAYS
        )
    return render(
        request,
        "alliances/agreement_list.html",
        {
            "pager": pager,
            "form": form,
            "searching": any(chosen.values()) if chosen else bool(request.GET),
            "alliance": chosen.get("alliance"),
            "today": today,
        },
    )


# --- drafting --------------------------------------------------------------------------------------------
class DraftForm(StyledForm):
    unit = PublicIdChoiceField(Unit.objects.none(), label=_("Member unit"), widget=forms.Select)
    title = forms.CharField(label=_("Title"), max_length=80)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    community = PublicIdChoiceField(
        Area.objects.none(),
        label=_("Paired community (结对共建)"),
        required=False,
        widget=forms.Select,
        help_text=_("For a co-building pairing of the unit with one community."),
    )
    terms = forms.CharField(
        label=_("Terms"), max_length=8000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, alliance: Alliance, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(pk__in=alliance.members.current().values("unit_id"))
        if not leads(user, alliance):
            units = units.filter(pk__in=spoken_units(user))
        self.fields["unit"].queryset = units.order_by("name")
        self.fields["community"].queryset = Area.objects.filter(
            subtree_q("path", alliance.area_path), level=AreaLevel.COMMUNITY
        ).order_by("path")


@require_http_methods(["GET", "POST"])
@role_required(*DRAFT_ROLES)
def agreement_create(request: HttpRequest, public_id) -> HttpResponse:
    """The lead or a member unit drafts an agreement; the responsibility list follows on its page."""
    alliance = get_visible_or_404(Alliance.objects.select_related("area"), request.user, public_id)
    today = timezone.localdate()
    initial = {"starts_on": today, "ends_on": today.replace(year=today.year + 1) - timedelta(days=1)}
    form = DraftForm(request.POST or None, alliance=alliance, user=request.user, initial=initial)
    if (
        not form.fields["unit"].queryset.exists()
        and request.method == "GET"
        and not leads(request.user, alliance)
    ):
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        outcome = run_action(
            request,
            actions.draft_agreement,
            form=form,
            success=_("The draft is saved. Add its responsibility list, then sign it."),
            alliance=alliance,
            unit=d["unit"],
            title=d["title"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            community=d["community"],
            terms=d["terms"],
        )
        if outcome.ok:
            return redirect("alliances:agreement_detail", outcome.result.public_id)
    return render(request, "alliances/agreement_form.html", {"alliance": alliance, "form": form})


# --- the agreement's page and its actions ----------------------------------------------------------------
class CommitmentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=CommitmentKind.choices)
    description = forms.CharField(label=_("Commitment"), max_length=200)
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    measure = forms.CharField(label=_("Measure"), max_length=16, required=False)
    resource = PublicIdChoiceField(
        Resource.objects.none(), label=_("The unit's resource"), required=False, widget=forms.Select
    )
    project = PublicIdChoiceField(
        Project.objects.none(), label=_("Co-building project"), required=False, widget=forms.Select
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(unit=agreement.unit).order_by("title")
        self.fields["project"].queryset = Project.objects.filter(
            subtree_q("community_path", agreement.alliance.area_path)
        ).order_by("title")


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RenewForm(StyledForm):
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)


class AttachForm(StyledForm):
    upload = forms.FileField(label=_("File (PDF, JPEG, PNG or DOCX)"))


class NoteForm(StyledForm):
    note = forms.CharField(
        label=_("Inspection note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(StyledForm):
    note_id = forms.UUIDField(widget=forms.HiddenInput)
    answer = forms.CharField(label=_("Answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


def _agreement(request, public_id) -> Agreement:
    return get_visible_or_404(
        Agreement.objects.select_related(
            "alliance", "alliance__area", "unit", "community", "previous", "unit_signed_by", "lead_signed_by"
        ),
        request.user,
        public_id,
    )


def _render_detail(request, agreement: Agreement, status: int = 200, **forms_given) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    can_draft = actions.drafts_for(user, agreement.alliance, agreement.unit)
    inspector = inspects(user, agreement.unit)
    notes = list(
        InspectionNote.objects.visible_to(user)
        .filter(alliance=agreement.alliance, unit=agreement.unit)
        .select_related("author", "answered_by")
    )
    renewal = Agreement.objects.filter(previous=agreement).exclude(state=AgreementState.ENDED).first()
    forms_all = {
        "commitment_form": CommitmentForm(prefix="c", agreement=agreement),
        "end_form": ReasonForm(prefix="end"),
        "renew_form": RenewForm(
            prefix="renew",
            initial={"ends_on": agreement.ends_on.replace(year=agreement.ends_on.year + 1)},
        ),
        "attach_form": AttachForm(prefix="file"),
        "note_form": NoteForm(prefix="note"),
    }
    forms_all.update(forms_given)
    return render(
        request,
        "alliances/agreement_detail.html",
        {
            "agreement": agreement,
            "state_label": state_label(agreement, today),
            "commitments": list(agreement.commitments.select_related("resource", "project")),
            "files": list(agreement.files.all()),
            "history": [(line, EVENT_LABELS.get(line.action, line.action)) for line in history(agreement)],
            "notes": notes,
            "renewal": renewal,
            "is_draft": agreement.state == AgreementState.DRAFT,
            "can_draft": can_draft,
            "sign_side": actions.signs_as(user, agreement)
            if agreement.state == AgreementState.DRAFT
            else None,
            "can_end": can_draft and agreement.state in (AgreementState.DRAFT, AgreementState.SIGNED),
            "can_renew": can_draft and agreement.state == AgreementState.SIGNED and renewal is None,
            "can_attach": can_draft and agreement.state in (AgreementState.DRAFT, AgreementState.SIGNED),
            "can_note": inspector,
            "can_answer": speaks_for_unit(user, agreement.unit),
            **forms_all,
        },
        status=status,
    )


@require_GET
@role_required(*AGREEMENT_ROLES)
def agreement_detail(request: HttpRequest, public_id) -> HttpResponse:
    return _render_detail(request, _agreement(request, public_id))


@require_POST
@role_required(*AGREEMENT_ROLES)
def agreement_act(request: HttpRequest, public_id) -> HttpResponse:
    """Every step on an agreement's page: ``op`` names it; a refusal shows on the page with what was typed."""
    agreement = _agreement(request, public_id)
    op = request.POST.get("op", "")
    back = redirect("alliances:agreement_detail", agreement.public_id)
    if op == "sign":
        run_action(request, actions.sign_agreement, success=_("Signed."), agreement=agreement)
        return back
    if op == "commit":
        form = CommitmentForm(request.POST, prefix="c", agreement=agreement)
        if (
            form.is_valid()
            and run_action(
                request,
                actions.add_commitment,
                form=form,
                success=_("The commitment is added."),
                agreement=agreement,
                **form.cleaned_data,
            ).ok
        ):
            return back
        return _render_detail(request, agreement, status=400, commitment_form=form)
    if op == "uncommit":
        commitment = lookup_or_404(
            Commitment.objects.filter(agreement=agreement), request.POST.get("commitment") or ""
        )
        run_action(
            request, actions.remove_commitment, success=_("The commitment is removed."), commitment=commitment
        )
        return back
    if op == "end":
        form = ReasonForm(request.POST, prefix="end")
        if (
            form.is_valid()
            and run_action(
                request,
                actions.end_agreement,
                form=form,
                field="reason",
                success=_("The agreement has ended."),
                agreement=agreement,
                reason=form.cleaned_data["reason"],
            ).ok
        ):
            return back
        return _render_detail(request, agreement, status=400, end_form=form)
    if op == "renew":
        form = RenewForm(request.POST, prefix="renew")
        if form.is_valid():
            outcome = run_action(
                request,
                actions.renew_agreement,
                form=form,
                success=_("The renewal is drafted: sign it on both sides."),
                agreement=agreement,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
            )
            if outcome.ok:
                return redirect("alliances:agreement_detail", outcome.result.public_id)
        return _render_detail(request, agreement, status=400, renew_form=form)
    if op == "attach":
        form = AttachForm(request.POST, request.FILES, prefix="file")
        if (
            form.is_valid()
            and run_action(
                request,
                actions.attach_file,
                form=form,
                field="upload",
                success=_("The file is attached."),
                agreement=agreement,
                upload=form.cleaned_data["upload"],
            ).ok
        ):
            return back
        return _render_detail(request, agreement, status=400, attach_form=form)
    if op == "note":
        form = NoteForm(request.POST, prefix="note")
        if (
            form.is_valid()
            and run_action(
                request,
                write_inspection_note,
                form=form,
                field="note",
                success=_("The note is sent to the unit."),
                alliance=agreement.alliance,
                unit=agreement.unit,
                note=form.cleaned_data["note"],
            ).ok
        ):
            return back
        return _render_detail(request, agreement, status=400, note_form=form)
    if op == "answer":
        form = AnswerForm(request.POST)
        if form.is_valid():
            note = get_object_or_404(
                InspectionNote.objects.visible_to(request.user),
                public_id=form.cleaned_data["note_id"],
                alliance=agreement.alliance,
                unit=agreement.unit,
            )
            run_action(
                request,
                answer_inspection_note,
                success=_("Your answer is sent."),
                note=note,
                answer=form.cleaned_data["answer"],
            )
        return back
    raise Http404


@require_GET
@role_required(*AGREEMENT_ROLES)
def agreement_file(request: HttpRequest, public_id) -> HttpResponse:
    """A file of an agreement the viewer may see."""
    attached = get_object_or_404(
        AgreementFile.objects.filter(agreement__in=Agreement.objects.visible_to(request.user)),
        public_id=public_id,
    )
    try:
        handle = attached.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=attached.name, content_type=attached.content_type
    )


urlpatterns: list = [
    path("alliances/agreements/", agreement_list, name="agreement_list"),
    path("alliances/<uuid:public_id>/agreements/new/", agreement_create, name="agreement_create"),
    path("alliances/agreements/<uuid:public_id>/", agreement_detail, name="agreement_detail"),
    path("alliances/agreements/<uuid:public_id>/act/", agreement_act, name="agreement_act"),
    path("alliances/agreements/files/<uuid:public_id>/", agreement_file, name="agreement_file"),
]

__all__ = ["AGREEMENT_ROLES", "filter_state", "state_label"]
