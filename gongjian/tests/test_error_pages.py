"""The product's own 403, 404 and 500 pages and its favicon (templates/403.html, 404.html, 500.html)."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.templatetags.static import static
from django.test import Client, RequestFactory
from django.views.defaults import server_error

HOME_LINK = 'href="/"'


@pytest.mark.parametrize(
    ("who", "url", "status", "heading", "django_words"),
    [
        ("member", "/no-such-page/", 404, "This page does not exist", "Not Found"),
        ("resident", "/checkin/unit/", 403, "You may not open this page", "403 Forbidden"),
    ],
)
def test_a_missing_or_forbidden_page_is_the_products_own(
    cast, client, who, url, status, heading, django_words
):
    cast.login(client, who)
    response = client.get(url)
    assert response.status_code == status
    assert f"{status}.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert heading in body and HOME_LINK in body
    assert "gj-navbar" in body  # in the product's frame, with its navigation
    assert django_words not in body  # not Django's bare page


def test_an_anonymous_visitor_gets_the_404_with_a_sign_in_link(db, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "This page does not exist" in body and "/accounts/login/?next=/no-such-page/" in body


@pytest.mark.urls("gongjian.tests.error_urls")
def test_a_refusal_raised_in_a_view_shows_its_own_words_on_the_403(cast, client):
    cast.login(client, "community")
    response = client.get("/test-refused/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "You may not open this page" in body
    assert "Only 龙津社区 can confirm this check-in." in body


def test_a_form_without_its_csrf_token_gets_the_products_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "This form could not be sent" in body and HOME_LINK in body
    assert "CSRF verification failed" not in body


@pytest.mark.urls("gongjian.tests.error_urls")
def test_a_crash_shows_the_products_500(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test-broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body and HOME_LINK in body
    assert "a bug" not in body  # nothing of the error itself reaches the page


def test_the_500_page_renders_without_the_database_or_context_processors():
    # No db fixture: any query raises. server_error renders the template with no request context.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    source = get_template("500.html").template.source
    assert "extends" not in source and "user" not in source and "{% url" not in source


def test_pages_link_the_favicon_and_favicon_ico_does_not_404(db, client):
    body = client.get("/accounts/login/").content.decode()
    assert static("favicon.svg") in body and static("favicon.png") in body
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == static("favicon.png")
    for name in ("favicon.svg", "favicon.png", "apple-touch-icon.png"):
        served = client.get(static(name))
        assert served.status_code == 200, name
        assert b"".join(served.streaming_content if served.streaming else [served.content])
