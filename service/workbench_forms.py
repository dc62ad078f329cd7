"""Input shapes of the workbench, the need page, posts and household pairings. Forms parse and check
what was typed; who may do what, and in which state, is decided by service/actions.py.

Choices offered on the pages come from the user's scope (``visible_to``): who serves a community
(members living there or reporting to it), its teams, the units that can take a need, its households."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Role
from accounts.scope import scope_for
from checkin.models import CheckIn, CheckInState, Team, UnitPairing
from orgs.models import Unit
from people.models import Member, Resident
from places.models import Area, AreaLevel
from places.paths import any_subtree_q
from service.models import ServiceCategory

REASON_MAX = 200
NOTE_MAX = 200
OPTIONS_LIMIT = 60
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def date_widget() -> forms.DateInput:
    """A browser date picker: its value must be ISO (YYYY-MM-DD) whatever the language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- what a user may choose -----------------------------------------------------------------------


def staffed_communities(user):
    """Communities the user works for as the community or its street (all of them for administrators)."""
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY)
    scope = scope_for(user)
    if scope.everything:
        return communities
    paths = (*scope.paths_for(Role.COMMUNITY), *scope.paths_for(Role.STREET))
    return communities.filter(any_subtree_q("path", paths))


def serving_members(user, community):
    """Members who serve ``community``: those who live there and those who report to it (check-in)."""
    reported = CheckIn.objects.visible_to(user).filter(
        community=community,
        state__in=(CheckInState.SUBMITTED, CheckInState.CERTIFIED, CheckInState.CONFIRMED),
    )
    living = Member.objects.visible_to(user).filter(residence_area=community)
    return Member.objects.filter(
        Q(pk__in=reported.values("member_id")) | Q(pk__in=living.values("pk"))
    ).select_related("unit")


def community_teams(user, community):
    return Team.objects.visible_to(user).filter(community=community)


def serving_units(user, community):
    """Units that can take a need of ``community``: units in the user's areas, units paired with the
    community, and units offering resources the user can see."""
    from service.models import Resource

    paired = UnitPairing.objects.visible_to(user).filter(community=community, ended_on__isnull=True)
    offering = Resource.objects.visible_to(user).available()
    return Unit.objects.filter(
        Q(pk__in=Unit.objects.visible_to(user).values("pk"))
        | Q(pk__in=paired.values("unit_id"))
        | Q(pk__in=offering.values("unit_id"))
    )


def administered_units(user):
    scope = scope_for(user)
    return Unit.objects.filter(pk__in=scope.units_for(Role.UNIT_ADMIN))


def category_choices() -> list:
    """The service menu's items, grouped under their big categories."""
    groups: dict[str, list] = {}
    items = ServiceCategory.objects.active().items().select_related("parent")
    for item in items.order_by("parent__sort", "parent__code", "sort", "code"):
        groups.setdefault(item.parent.name, []).append((str(item.public_id), item.name))
    return [("", _("Choose an item")), *groups.items()]


# --- fields ---------------------------------------------------------------------------------------


class PublicIdChoiceField(forms.ModelChoiceField):
    """A model choice by public id (integer keys never leave the server)."""

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("to_field_name", "public_id")
        super().__init__(queryset, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as exc:  # also "not a UUID", which the model field raises
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from exc


class TargetField(forms.CharField):
    """``kind:<public id>`` — one member, team or unit, looked up among the querysets given."""

    default_error_messages = {"invalid_choice": _("Choose a member, a team or a unit from the list.")}

    def __init__(self, *, kinds: dict | None = None, **kwargs):
        self.kinds = kinds or {}
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        found = self.resolve(value)
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found

    def resolve(self, value) -> tuple[str, object] | None:
        kind, _sep, raw = str(value or "").partition(":")
        queryset = self.kinds.get(kind)
        try:
            public_id = uuid.UUID(raw)
        except ValueError:
            return None
        found = queryset.filter(public_id=public_id).first() if queryset is not None else None
        return (kind, found) if found is not None else None


def _target_select(form: forms.Form, name: str, groups: list) -> forms.Select:
    """The grouped options; what was posted stays chosen even when the list shown does not hold it
    (a suggestion, or a search since)."""
    if form.is_bound:
        posted = form.data.get(form.add_prefix(name), "")
        offered = {value for _label, options in groups for value, _text in options}
        chosen = form.fields[name].resolve(posted) if posted and posted not in offered else None
        if chosen is not None:
            kind, found = chosen
            label = member_label(found) if kind == "member" else str(found)
            groups = [(_("Chosen"), [(posted, label)]), *groups]
    return forms.Select(choices=[("", _("Choose whom")), *groups])


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        widget.attrs.setdefault(
            "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
        )


# --- the need page --------------------------------------------------------------------------------


class DispatchForm(forms.Form):
    """派单: to whom (a member who serves the community, one of its teams, or a unit), reply by when."""

    target = TargetField(label=_("Dispatch to"), required=True)
    respond_by = forms.DateTimeField(
        label=_("Reply by"),
        required=False,
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    note = forms.CharField(
        label=_("Note for them"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. call her daughter first")}),
    )
    suggestion_reason = forms.CharField(max_length=REASON_MAX, required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args, members, teams, units, member_options=(), team_options=(), unit_options=(), **kw
    ):
        super().__init__(*args, **kw)
        self.fields["target"].kinds = {"member": members, "team": teams, "unit": units}
        groups = []
        if member_options:
            groups.append(
                (_("Members"), [(f"member:{m.public_id}", member_label(m)) for m in member_options])
            )
        if team_options:
            groups.append((_("Teams"), [(f"team:{t.public_id}", t.name) for t in team_options]))
        if unit_options:
            groups.append((_("Units"), [(f"unit:{u.public_id}", u.name) for u in unit_options]))
        self.fields["target"].widget = _target_select(self, "target", groups)
        _style(self)

    def assignee(self) -> dict:
        kind, found = self.cleaned_data["target"]
        return {kind: found}


def member_label(member: Member) -> str:
    return f"{member.name} · {member.unit.name}" if member.unit_id else member.name


class ReasonForm(forms.Form):
    """A reason (declining, withdrawing, cancelling, ending). The action checks that one is given where it
    must be, with its own message; ``needed`` only marks the field so on the page."""

    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False)

    def __init__(self, *args, needed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if needed:
            self.fields["reason"].widget.attrs["required"] = True
        _style(self)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class TakeForm(forms.Form):
    """接单: a member takes it themself; a unit's party admin chooses the unit."""

    unit = PublicIdChoiceField(Unit.objects.none(), label=_("For the unit"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        _style(self)


# --- service posts --------------------------------------------------------------------------------


class PostForm(forms.Form):
    community = PublicIdChoiceField(Area.objects.none(), label=_("Community"), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=80)
    category = PublicIdChoiceField(ServiceCategory.objects.none(), label=_("Category"))
    schedule = forms.CharField(
        label=_("Schedule"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("For example: Saturdays 9:00–11:00")}),
    )
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=999, initial=5)
    starts_on = forms.DateField(label=pgettext_lazy("date range", "From"), widget=date_widget())
    ends_on = forms.DateField(
        label=pgettext_lazy("date range", "Until"),
        required=False,
        widget=date_widget(),
    )
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, communities, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("starts_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["category"].queryset = ServiceCategory.objects.active().items()
        self.fields["category"].widget.choices = category_choices()
        _style(self)


# --- household pairings ---------------------------------------------------------------------------


class PairingForm(forms.Form):
    """结对帮扶: which household, with whom (a member who serves the community, or a unit), and why."""

    household = PublicIdChoiceField(Resident.objects.none(), label=_("Household"), empty_label=_("Choose"))
    helper = TargetField(label=_("Paired with"))
    reason = forms.CharField(
        label=_("Why paired"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("For example: elderly living alone")}),
    )
    started_on = forms.DateField(label=_("Paired since"), required=False, widget=date_widget())

    def __init__(
        self,
        *args,
        households,
        members,
        units,
        household_options=(),
        member_options=(),
        unit_options=(),
        **kw,
    ):
        kw.setdefault("initial", {}).setdefault("started_on", timezone.localdate())
        super().__init__(*args, **kw)
        self.fields["household"].queryset = households
        self.fields["household"].widget.choices = [
            ("", _("Choose a household")),
            *[(str(r.public_id), _household_label(r)) for r in household_options],
        ]
        self.fields["helper"].kinds = {"member": members, "unit": units}
        groups = []
        if member_options:
            groups.append(
                (_("Members"), [(f"member:{m.public_id}", member_label(m)) for m in member_options])
            )
        if unit_options:
            groups.append((_("Units"), [(f"unit:{u.public_id}", u.name) for u in unit_options]))
        self.fields["helper"].widget = _target_select(self, "helper", groups)
        _style(self)

    def helper_kwargs(self) -> dict:
        kind, found = self.cleaned_data["helper"]
        return {kind: found}


def _household_label(resident: Resident) -> str:
    place = " ".join(
        str(p) for p in (resident.residence_compound, resident.residence_building) if p is not None
    )
    return f"{resident.name} · {place}" if place else resident.name


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=date_widget())
    note = forms.CharField(
        label=_("What was done"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. checked the gas, talked about her medicine")}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("visited_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        _style(self)
