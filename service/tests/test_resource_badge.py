"""A resource on offer is 可提供 (msgctxt "resource"), not the points shop's 可兑换: one English word,
"Available", meant two things under one msgid."""

from django.urls import reverse
from django.utils import translation

from service.models import ResourceKind
from service.resources import actions as resource_actions


def test_the_two_meanings_have_two_msgids():
    with translation.override("zh-hans"):
        assert translation.pgettext("resource", "Available") == "可提供"
        assert translation.gettext("Available") == "可兑换"  # the shop's stock left to redeem


def test_the_resource_list_badge_says_on_offer(client, cast, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    resource_actions.add_resource(
        acting_user=cast.unit,
        unit=cast.places.unit_a,
        kind=ResourceKind.PEOPLE_HOURS,
        title="律师志愿服务",
        quantity=40,
        measure="小时",
    )
    cast.login(client, "unit")
    body = client.get(reverse("service:resource_list")).content.decode()
    assert "律师志愿服务" in body
    assert '<span class="badge text-bg-success">可提供</span>' in body
    assert "可兑换" not in body
