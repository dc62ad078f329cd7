"""Input shapes of the check-in pages. Forms parse and check what was typed; the business rules
(which community, who may, which state) live in checkin/actions.py and team_actions.py."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from checkin.models import TeamKind, VanguardKind
from places.forms import PublicIdChoiceField
from places.models import Area, AreaLevel, Building, Compound
from places.paths import subtree_q

REASON_MAX = 200
COMMUNITY_CHOICES_LIMIT = 400


def _communities():
    return Area.objects.filter(level=AreaLevel.COMMUNITY)


def community_choices(around=None, *, search: str = "", extra=None) -> list:
    """Communities for a select, grouped by street: the district around ``around`` (its street
    first), or those whose name contains ``search`` anywhere in the city."""
    queryset = _communities().select_related("parent")
    if search.strip():
        queryset = queryset.filter(name__icontains=search.strip())
    elif around is not None:
        district = (
            Area.objects.filter(code__in=[c for c in around.path.split(".") if c], level=AreaLevel.DISTRICT)
            .only("path")
            .first()
        )
        if district is not None:
            queryset = queryset.filter(subtree_q("path", district.path))
    rows = list(queryset.order_by("path")[:COMMUNITY_CHOICES_LIMIT])
    if extra is not None and all(row.pk != extra.pk for row in rows):
        rows.append(extra)
    home_street = around.path if around is not None and around.level == AreaLevel.STREET else None
    if around is not None and around.level == AreaLevel.COMMUNITY:
        home_street = around.path[: around.path.rstrip(".").rfind(".") + 1]
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.parent.name if row.parent_id else "", []).append((str(row.public_id), row.name))
    first = [row.parent.name for row in rows if row.parent_id and row.parent.path == home_street][:1]
    order = first + [name for name in groups if name not in first]
    return [(name, groups[name]) for name in order]


def _style(form: forms.Form) -> None:
    """Bootstrap classes on the widgets (checkbox lists are laid out by the template)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        widget.attrs.setdefault(
            "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
        )


def _offering(groups: list, community) -> list:
    """The grouped choices, with ``community`` added if it is not among them (found by a search)."""
    if community is None or any(str(community.public_id) == value for _, opts in groups for value, _ in opts):
        return groups
    street = community.parent.name if community.parent_id else ""
    return [*groups, (street, [(str(community.public_id), community.name)])]


class CheckInForm(forms.Form):
    """Submit or resubmit: where the member lives, how they will serve, and another community if
    they ask for one (with a reason)."""

    compound = PublicIdChoiceField(
        Compound.objects.none(), required=False, label=_("Compound"), empty_label=_("Not listed")
    )
    building = PublicIdChoiceField(
        Building.objects.none(), required=False, label=_("Building"), empty_label=_("Not listed")
    )
    vanguard_kinds = forms.MultipleChoiceField(
        choices=VanguardKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label=_("How I will serve"),
    )
    skills = forms.CharField(
        max_length=200,
        required=False,
        label=_("Skills"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. law, first aid, computers")}),
    )
    community = PublicIdChoiceField(_communities(), required=False, label=_("Community"))
    override_reason = forms.CharField(
        max_length=REASON_MAX,
        required=False,
        label=_("Why this community"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, proposed=None, choices=(), residence=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposed = proposed
        _style(self)
        self.place = self._place_community()
        self.community_groups = _offering(list(choices), self.place if self.place != proposed else None)
        self.fields["community"].widget.choices = [("", _("Choose a community")), *self.community_groups]
        self._fill_places(residence)

    def _place_community(self):
        """The community whose compounds and buildings are offered: the one chosen, else the proposal."""
        try:
            chosen = self.fields["community"].clean(self["community"].value())
        except ValidationError:
            chosen = None
        return chosen or self.proposed

    def _fill_places(self, residence) -> None:
        compounds = Compound.objects.filter(community=self.place) if self.place else Compound.objects.none()
        buildings = (
            Building.objects.filter(compound__community=self.place).select_related("compound")
            if self.place
            else Building.objects.none()
        )
        cast(PublicIdChoiceField, self.fields["compound"]).queryset = compounds
        cast(PublicIdChoiceField, self.fields["building"]).queryset = buildings
        grouped: dict[str, list] = {}
        for building in buildings.order_by("compound__name", "name"):
            grouped.setdefault(building.compound.name, []).append((str(building.public_id), building.name))
        self.fields["building"].widget.choices = [("", _("Not listed")), *grouped.items()]
        if not self.is_bound and residence is not None and self.place is not None:
            compound, building = residence
            if compound is not None and compound.community_id == self.place.pk:
                self.initial.setdefault("compound", compound)
                self.initial.setdefault("building", building)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.proposed is None and not data.get("community"):
            self.add_error("community", _("Choose a community."))
        if data.get("building") and not data.get("compound"):
            data["compound"] = data["building"].compound
        return data

    def chosen_community(self):
        return self.cleaned_data.get("community") or self.proposed

    @property
    def asks_other(self) -> bool:
        """The member chose a community other than the proposal."""
        return self.place is not None and (self.proposed is None or self.place.pk != self.proposed.pk)


class TransferForm(forms.Form):
    """Moving house: check out here and check in to the new community in one step."""

    community = PublicIdChoiceField(_communities(), label=_("New community"))
    reason = forms.CharField(
        max_length=REASON_MAX,
        required=False,
        label=_("Why you move"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. moved house")}),
    )
    override_reason = forms.CharField(
        max_length=REASON_MAX,
        required=False,
        label=_("Why this community (if it is not where the roster says you live)"),
    )

    def __init__(self, *args, choices=(), **kwargs):
        kwargs.setdefault("prefix", "move")
        super().__init__(*args, **kwargs)
        try:
            chosen = self.fields["community"].clean(self["community"].value())
        except ValidationError:
            chosen = None
        self.community_groups = _offering(list(choices), chosen)
        self.fields["community"].widget.choices = [("", _("Choose a community")), *self.community_groups]
        _style(self)


class ReasonForm(forms.Form):
    """A reason for returning, rejecting or checking out (the action says when one is required)."""

    reason = forms.CharField(max_length=REASON_MAX, required=False, label=_("Reason"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=64, required=False, label=_("Team name"))
    kind = forms.ChoiceField(choices=TeamKind.choices, label=_("Kind"))
    vanguard_kind = forms.ChoiceField(
        choices=[("", _("Any")), *VanguardKind.choices], required=False, label=_("Focus")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class TeamMemberForm(forms.Form):
    team = PublicIdChoiceField(None, label=_("Team"), empty_label=_("Choose a team"))
    member = PublicIdChoiceField(None, label=_("Member"), empty_label=_("Choose a member"))

    def __init__(self, *args, teams, members, member_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(PublicIdChoiceField, self.fields["team"]).queryset = teams
        cast(PublicIdChoiceField, self.fields["member"]).queryset = members
        if member_choices is not None:  # offer the confirmed members; accept any visible one
            self.fields["member"].widget.choices = [("", _("Choose a member")), *member_choices]
        _style(self)
