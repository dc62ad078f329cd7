"""One English word that meant two things had one msgid, so one Chinese word: each meaning now has its
own (msgctxt). A resource on offer is 可提供, not the points shop's 可兑换 ("Available"); a service record's
history says it was 已登记, not the reveal badge's 已留痕 ("Logged")."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation

from gongjian.testing import item
from service.models import ResourceKind
from service.records import actions as record_actions
from service.resources import actions as resource_actions


def test_the_two_meanings_have_two_msgids():
    with translation.override("zh-hans"):
        assert translation.pgettext("resource", "Available") == "可提供"
        assert translation.gettext("Available") == "可兑换"  # the shop's stock left to redeem
        assert translation.pgettext("service record", "Logged") == "已登记"
        assert translation.gettext("Logged") == "已留痕"  # a number's reveal, written to the audit log


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


def test_a_record_history_says_logged_not_traced(client, cast, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    record = record_actions.log_service_record(
        acting_user=cast.member,
        category=item("elderly_care"),
        started_at=timezone.now() - timedelta(hours=3),
        minutes=60,
        description="陪老人聊天",
        community=cast.places.a1,
    )
    cast.login(client, "member")
    body = client.get(reverse("service:record_detail", args=[record.public_id])).content.decode()
    assert "陪老人聊天" in body and "已登记" in body
    assert "已留痕" not in body
