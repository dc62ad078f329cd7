"""The page helpers: paging keeps the rest of the query, lookups by public id answer 404 for a bad id
as for an object outside the scope, and run_action turns a refusal into the action's own words."""

import uuid

import pytest
from django import forms
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import RequestFactory

from gongjian.pages import (
    chosen_or_only,
    get_visible_or_404,
    lookup_or_404,
    paginate,
    parse_uuids,
    public_id_or_404,
    run_action,
)
from places.models import Area, AreaLevel


def _request(user=None, path="/", data=None, method="get"):
    request = getattr(RequestFactory(), method)(path, data or {})
    request.user = user
    request._messages = CookieStorage(request)
    return request


def _flashed(request) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in messages.get_messages(request)]


# --- paging ---------------------------------------------------------------------------------------


def test_paginate_keeps_every_other_parameter_and_drops_its_own():
    request = _request(data={"kind": ["a", "b"], "q": "龙", "p2": "2"})
    pager = paginate(request, list(range(120)), param="p2", per_page=50)
    assert list(pager["page"]) == list(range(50, 100))
    assert pager["param"] == "p2"
    assert "p2=" not in pager["query"]
    assert "kind=a" in pager["query"] and "kind=b" in pager["query"] and "q=%E9%BE%99" in pager["query"]


def test_paginate_answers_the_last_page_past_the_end_and_the_first_for_nonsense():
    assert paginate(_request(data={"page": "99"}), list(range(30)), per_page=10)["page"].number == 3
    assert paginate(_request(data={"page": "x"}), list(range(30)), per_page=10)["page"].number == 1


# --- public ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "not-a-uuid", "123", None, "1e2a-"])
def test_a_value_that_is_not_a_uuid_is_not_found(value):
    with pytest.raises(Http404):
        public_id_or_404(value)


def test_a_uuid_or_its_text_is_accepted():
    value = uuid.uuid4()
    assert public_id_or_404(value) is value
    assert public_id_or_404(str(value)) == value


def test_parse_uuids_drops_what_is_not_a_uuid():
    a, b = uuid.uuid4(), uuid.uuid4()
    assert parse_uuids([str(a), "x", "", str(b)]) == [a, b]


def test_get_visible_or_404_finds_what_the_user_may_see(cast):
    assert get_visible_or_404(Area, cast.street, cast.places.a1.public_id) == cast.places.a1
    by_text = get_visible_or_404(
        Area.objects.select_related("parent"), cast.street, str(cast.places.a1.public_id)
    )
    assert by_text == cast.places.a1


def test_get_visible_or_404_scopes_a_queryset_it_is_given(cast):
    """A queryset with joins is still narrowed to the user's scope: outside it is missing."""
    with pytest.raises(Http404):
        get_visible_or_404(Area, cast.street2, cast.places.a1.public_id)
    with pytest.raises(Http404):
        get_visible_or_404(Area.objects.select_related("parent"), cast.street2, cast.places.a1.public_id)


@pytest.mark.parametrize("value", ["not-a-uuid", "", "0"])
def test_get_visible_or_404_answers_404_for_a_bad_id_rather_than_an_error(cast, value):
    with pytest.raises(Http404):
        get_visible_or_404(Area, cast.admin, value)
    with pytest.raises(Http404):
        lookup_or_404(Area.objects.all(), value)


def test_chosen_or_only(cast):
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY, parent=cast.places.street_a)
    a1 = cast.places.a1
    assert chosen_or_only(_request(data={"c": str(a1.public_id)}), communities, "c") == a1
    assert chosen_or_only(_request(), communities, "c") is None  # two to choose from
    assert chosen_or_only(_request(), communities.filter(pk=a1.pk), "c") == a1
    for wanted in ("nonsense", str(cast.places.b1.public_id)):
        with pytest.raises(Http404):
            chosen_or_only(_request(data={"c": wanted}), communities, "c")


# --- running an action ----------------------------------------------------------------------------


class Thing:
    name = "东城"


def act(*, acting_user, request, refuse=None, **_kwargs):
    if refuse is not None:
        raise refuse
    return Thing()


def test_run_action_passes_the_user_and_request_and_flashes_success():
    request = _request(user="someone")
    seen = {}

    def action(*, acting_user, request, value):
        seen.update(acting_user=acting_user, request=request, value=value)
        return Thing()

    done = run_action(request, action, value=3, success=lambda thing: f"{thing.name} done")
    assert done.ok and isinstance(done.result, Thing) and done.refusal == ""
    assert seen == {"acting_user": "someone", "request": request, "value": 3}
    assert _flashed(request) == [("success", "东城 done")]


def test_run_action_flashes_the_refusal_in_the_actions_words():
    request = _request()
    done = run_action(request, act, refuse=ValidationError(["Not now.", "Try later."]), success="never")
    assert not done.ok and done.result is None
    assert done.refusal == "Not now. Try later."
    assert _flashed(request) == [("error", "Not now. Try later.")]


def test_run_action_puts_the_refusal_on_the_form_at_the_field():
    class ReasonForm(forms.Form):
        reason = forms.CharField(required=False)

    form = ReasonForm({"reason": ""})
    assert form.is_valid()
    request = _request()
    done = run_action(request, act, form=form, field="reason", refuse=PermissionDenied("Not yours."))
    assert not done.ok
    assert form.errors == {"reason": ["Not yours."]}
    assert _flashed(request) == []


def test_run_action_can_leave_the_refusal_to_the_page():
    request = _request()
    done = run_action(request, act, refuse=PermissionDenied(), flash_refusal=False)
    assert not done.ok and done.refusal  # PermissionDenied without words still says something
    assert _flashed(request) == []


def test_run_action_lets_other_errors_through():
    with pytest.raises(ZeroDivisionError):
        run_action(_request(), act, refuse=ZeroDivisionError())
