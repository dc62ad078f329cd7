"""What every request costs before its view's own work (issue 12): a privileged user's page asks five
queries of its own — session, user, the second factor's device, role grants, the unread badge — and a
bearer-token API call two (the token with its user, the grants). The grants are read once however many
parts of the request ask for the scope, and an unchanged session is not written back
(accounts/tests/test_idle_sessions.py)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.actions import issue_api_token


def _tables(client, url, **headers) -> list[str]:
    """The first table each query of the request reads or writes."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    tables = []
    for query in captured.captured_queries:
        found = re.search(r'(?:FROM|UPDATE|INTO) "(\w+)"', query["sql"])
        tables.append(found.group(1) if found else query["sql"].split()[0])
    return tables


@pytest.mark.parametrize("who", ["street", "admin", "unit"])
def test_a_page_costs_five_queries_of_its_own(client, cast, who):
    """The jobs page as a privileged user: its own two queries (count, rows) and the request's five."""
    cast.login(client, who)
    url = reverse("jobs:job_list")
    client.get(url)  # the session's first page notes when it was saved
    tables = _tables(client, url)
    assert tables == [
        "django_session",
        "accounts_user",
        "otp_totp_totpdevice",  # django-otp: a reset second factor takes effect at once
        "accounts_rolegrant",
        "jobs_job",  # the jobs: counted no further than 1,000, then the page
        "jobs_job",
        "notifications_notification",
    ], tables


def test_the_home_page_reads_the_grants_once(client, cast):
    """The scope (middleware, navigation, the view's work) and the list of grants on the page share one read."""
    cast.login(client, "street")
    client.get(reverse("portal:home"))
    assert _tables(client, reverse("portal:home")).count("accounts_rolegrant") == 1


def test_a_member_page_asks_no_second_factor(client, cast):
    cast.login(client, "member")
    client.get(reverse("jobs:job_list"))
    assert "otp_totp_totpdevice" not in _tables(client, reverse("jobs:job_list"))


@pytest.mark.parametrize("who", ["street", "admin"])
def test_a_token_call_costs_two_queries_of_its_own(cast, who):
    token = issue_api_token(acting_user=getattr(cast, who))
    api = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert _tables(api, "/api/v1/me", **auth) == ["accounts_apitoken", "accounts_rolegrant"]
    tables = _tables(api, "/api/v1/members?limit=50", **auth)
    assert tables[:2] == ["accounts_apitoken", "accounts_rolegrant"] and len(tables) == 3, tables


def test_a_session_call_of_the_api_writes_nothing(client, cast):
    cast.login(client, "street")
    client.get("/api/v1/me")
    assert _tables(client, "/api/v1/me") == [
        "django_session",
        "accounts_user",
        "otp_totp_totpdevice",
        "accounts_rolegrant",
    ]
