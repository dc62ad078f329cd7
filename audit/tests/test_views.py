"""The audit log pages: platform administrators only, read-only, filterable."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.actions import record_event
from audit.models import AuditEvent, Outcome


def get(client, cast, who, url, **params):
    cast.login(client, who)
    return client.get(url, params)


def body(response) -> str:
    return response.content.decode()


def act(action: str) -> str:
    """An action as the list renders it: breakable after each dot."""
    return action.replace(".", ".<wbr>")


@pytest.fixture
def events(cast):
    record_event(
        actor=cast.unit,
        action="privacy.reveal.id_number",
        target=cast.m_member,
        detail={"note": "证书", "fields": ["id_number"]},
    )
    record_event(
        actor=cast.street, action="privacy.reveal.id_number", target=cast.m_member, outcome=Outcome.DENIED
    )
    record_event(actor=cast.admin, action="export.members", detail={"rows": 5})


LIST = reverse("audit:event_list")


def test_admin_sees_the_log(client, cast, events):
    response = get(client, cast, "admin", LIST)
    assert response.status_code == 200
    html = body(response)
    assert (
        act("privacy.reveal.id_number") in html
        and act("export.members") in html
        and act("member.create") in html
    )
    assert "张三丰" in html
    assert "/admin/audit/" not in html  # read-only: no edit links


@pytest.mark.parametrize("who", ["street", "orgdept", "unit", "member", "community", "nobody"])
def test_others_are_refused(client, cast, events, who):
    assert get(client, cast, who, LIST).status_code == 403
    event = AuditEvent.objects.first()
    assert get(client, cast, who, reverse("audit:event_detail", args=[event.public_id])).status_code == 403


def test_times_are_local_and_chinese_ordered(client, cast, events):
    event = AuditEvent.objects.get(action="export.members")
    local = timezone.localtime(event.at)
    html = body(get(client, cast, "admin", LIST))
    assert local.strftime('<span class="gj-hide-sm">%Y-</span>%m-%d %H:%M') in html
    detail = body(get(client, cast, "admin", reverse("audit:event_detail", args=[event.public_id])))
    assert local.strftime("%Y-%m-%d %H:%M:%S") in detail


def test_filters(client, cast, events):
    html = body(get(client, cast, "admin", LIST, action="privacy."))
    assert act("privacy.reveal.id_number") in html and act("export.members") not in html
    html = body(get(client, cast, "admin", LIST, outcome="denied"))
    assert html.count(act("privacy.reveal.id_number")) == 1 and act("member.create") not in html
    html = body(get(client, cast, "admin", LIST, actor="unit"))
    assert act("privacy.reveal.id_number") in html and act("export.members") not in html
    today = timezone.localdate()
    html = body(get(client, cast, "admin", LIST, since=today.isoformat(), until=today.isoformat()))
    assert act("export.members") in html
    html = body(get(client, cast, "admin", LIST, until=(today - timedelta(days=1)).isoformat()))
    assert act("export.members") not in html and "gj-card p-4 text-center" in html


def test_detail_pretty_prints_the_json(client, cast, events):
    event = AuditEvent.objects.get(action="privacy.reveal.id_number", outcome=Outcome.SUCCESS)
    response = get(client, cast, "admin", reverse("audit:event_detail", args=[event.public_id]))
    assert response.status_code == 200
    html = body(response)
    assert "&quot;note&quot;: &quot;证书&quot;" in html  # indented, not ASCII-escaped
    assert "\n  &quot;fields&quot;: [\n    &quot;id_number&quot;\n  ]" in html
    assert str(event.target_id) in html


def test_detail_of_unknown_event_is_missing(client, cast):
    url = reverse("audit:event_detail", args=["00000000-0000-0000-0000-000000000000"])
    assert get(client, cast, "admin", url).status_code == 404


def test_list_query_count_does_not_grow(client, cast, events, django_assert_num_queries):
    cast.login(client, "admin")
    client.get(LIST)
    with django_assert_num_queries(7):  # + the second factor's device (django-otp: a privileged session)
        client.get(LIST)
    for n in range(60):
        record_event(actor=cast.admin, action="test.bulk", detail={"n": n})
    with django_assert_num_queries(7):
        response = client.get(LIST)
    assert body(response).count(act("test.bulk")) == 50  # one page
