"""The notification inbox: own notifications only, read marks, no open redirect, the unread badge,
and the periodic delivery retry."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from notifications.actions import notify
from notifications.context_processors import unread_count
from notifications.models import Notification
from notifications.periodic import retry_notification_delivery
from notifications.views import local_path


def note(user, title="Hello", url="/checkin/me/", **extra) -> Notification:
    return Notification.objects.create(recipient=user, kind="test", title=title, url=url, **extra)


def test_inbox_shows_own_notifications_newest_first_unread_bold(client, cast):
    note(cast.member, "older")
    newer = note(cast.member, "newer")
    note(cast.street, "someone else's")
    Notification.objects.filter(title="older").update(read_at=newer.created_at)
    cast.login(client, "member")
    body = client.get(reverse("notifications:inbox")).content.decode()
    assert body.index("newer") < body.index("older")
    assert "someone else" not in body
    assert body.count("text-body fw-bold") == 1 and "1 unread" in body


def test_inbox_needs_sign_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_inbox_queries_do_not_grow(client, cast, django_assert_num_queries):
    cast.login(client, "member")
    note(cast.member)
    client.get(reverse("notifications:inbox"))
    with django_assert_num_queries(INBOX_QUERIES):
        client.get(reverse("notifications:inbox"))
    for n in range(10):
        note(cast.member, f"n{n}")
    with django_assert_num_queries(INBOX_QUERIES):
        client.get(reverse("notifications:inbox"))


INBOX_QUERIES = 8  # session, user, count, unread count, navbar badge, grants + member (navigation), page


def test_mark_all_read(client, cast):
    mine, theirs = note(cast.member), note(cast.street)
    cast.login(client, "member")
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.url == reverse("notifications:inbox")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_open_marks_read_and_follows_a_local_link(client, cast):
    mine = note(cast.member, url="/checkin/me/")
    cast.login(client, "member")
    open_url = reverse("notifications:open", args=[mine.public_id])
    assert client.get(open_url).status_code == 405
    response = client.post(open_url)
    assert response.status_code == 302 and response.url == "/checkin/me/"
    mine.refresh_from_db()
    first_read = mine.read_at
    assert first_read is not None
    client.post(open_url)
    mine.refresh_from_db()
    assert mine.read_at == first_read  # the first reading stays


@pytest.mark.parametrize(
    "url",
    [
        "//evil.example",
        "https://evil.example",
        "http://evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "",
    ],
)
def test_open_never_leaves_the_site(client, cast, url):
    mine = note(cast.member, url=url)
    cast.login(client, "member")
    response = client.post(reverse("notifications:open", args=[mine.public_id]))
    assert response.url == reverse("notifications:inbox")
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_someone_elses_notification_is_missing(client, cast):
    theirs = note(cast.street)
    cast.login(client, "member")
    assert client.post(reverse("notifications:open", args=[theirs.public_id])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_local_path():
    assert local_path("/checkin/me/") and local_path("/a/?b=c")
    assert not any(local_path(u) for u in ["//x.example", "https://x.example", "x/y", "/\\x.example", ""])


def test_unread_count_context_is_lazy(cast, django_assert_num_queries):
    note(cast.member)
    note(cast.member, read_at=None)
    request = RequestFactory().get("/")
    request.user = cast.member
    with django_assert_num_queries(0):
        context = unread_count(request)
    with django_assert_num_queries(1):
        assert int(str(context["unread_notifications"])) == 2
        assert context["unread_notifications"] == 2
    request.user = __import__("django.contrib.auth.models", fromlist=["AnonymousUser"]).AnonymousUser()
    assert unread_count(request) == {}


def test_retry_delivers_what_is_undelivered(cast, settings):
    notify(recipients=[cast.member, cast.street], kind="test", title="Hi")
    assert Notification.objects.undelivered().count() == 2
    assert retry_notification_delivery.call_local() == 2
    assert Notification.objects.undelivered().count() == 0
    assert retry_notification_delivery.call_local() == 0
