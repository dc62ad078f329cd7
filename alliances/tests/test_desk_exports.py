"""The desk's exports: what is owed and meeting compliance, as the pages count them."""

import csv
import io

import pytest
from django.urls import reverse

from alliances.tests.desk_fixtures import desk_alliance

pytestmark = pytest.mark.django_db


def rows(client, name, query=""):
    response = client.get(reverse("jobs:export_start_as", args=[name, "csv"]) + query)
    assert response.status_code == 200
    text = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def test_the_owed_export_holds_each_commitment_with_what_it_delivered(client, cast):
    a = desk_alliance(cast)
    cast.login(client, "street")
    found = rows(client, "alliance_owed", f"?alliance={a.alliance.public_id}")
    assert len(found) == 1 + 5
    by_description = {row[5]: row for row in found[1:]}
    assert by_description["hours承诺"][8] == "5.0" and by_description["hours承诺"][9] == "50%"
    assert by_description["funds承诺"][9] == "—"
    cast.login(client, "unit2")
    assert rows(client, "alliance_owed") == found[:1]


def test_the_compliance_export_holds_each_period(client, cast):
    a = desk_alliance(cast)
    cast.login(client, "street")
    found = rows(client, "alliance_compliance", f"?alliance={a.alliance.public_id}")
    assert len(found) > 1
    assert {row[0] for row in found[1:]} == {a.alliance.name}
    cast.login(client, "street2")
    assert rows(client, "alliance_compliance") == found[:1]
