import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from alliances.tests.fixtures import street_alliance
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_plaque_is_a_pdf_naming_the_unit_and_the_alliance_with_a_qr(client, cast):
    a = street_alliance(cast)
    cast.login(client, "unit")
    response = client.get(reverse("alliances:plaque", args=[a.member_a.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf).replace(" ", "")
    assert (
        "龙岩市烟草公司" in text and "东城街道党建联盟" in text and "Memberunit" in text
    )  # in the reader's language (English in the tests; the title's letter spacing drops the space)
    assert AuditEvent.objects.filter(action="alliances.plaque_printed").count() == 1


def test_the_plaque_is_404_outside(cast):
    a = street_alliance(cast)
    for who in ("street2", "unit2"):
        client = cast.login(Client(), who)
        assert client.get(reverse("alliances:plaque", args=[a.member_a.public_id])).status_code == 404, who


def test_the_public_page_shows_public_facts_only(cast):
    from alliances import posts

    a = street_alliance(cast)
    posts.appoint(
        acting_user=cast.street, alliance=a.alliance, role="envoy", user=cast.member, unit=cast.places.unit_a
    )
    response = Client().get(reverse("alliances:public", args=[a.alliance.public_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "东城街道党建联盟" in body and "龙岩市烟草公司" in body and "共驻共建" in body
    assert "member" not in [line.strip() for line in body.splitlines()]  # the holder's name is not shown
    assert cast.member.full_name not in body.split("<main", 1)[-1]
