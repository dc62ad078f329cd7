"""A themed activity on a 360 px phone: the organiser's page with the big QR code, a resident who scans it
and signs in on the spot, and the rotation and board pages, each fitting the phone. Screenshots in
/tmp/shots/alliances-act/ (and test-artifacts/)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from alliances import board
from alliances.models import ActivitySignup, BoardPostKind, ChairTurn
from alliances.tests.fixtures import street_alliance
from alliances.tests.test_activities import an_activity
from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, PHONE, fits_the_phone, signed_in

SHOTS = Path("/tmp/shots/alliances-act")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for where in (SHOTS, ARTIFACTS):
        page.screenshot(path=str(where / f"alliances-act-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_activity_on_a_phone(live_server, browser):
    cast = build_cast()
    world = street_alliance(cast)
    start = timezone.now() + timedelta(minutes=20)  # sign-in is already open
    activity = an_activity(cast, world, starts_at=start, ends_at=start + timedelta(hours=2), capacity=20)
    ChairTurn.objects.create(
        alliance=world.alliance,
        month=timezone.localdate().replace(day=1),
        unit=cast.places.unit_a,
        theme="健康进社区",
    )
    board.publish_post(
        acting_user=cast.street,
        alliance=world.alliance,
        kind=BoardPostKind.TASK,
        title="迎检任务",
        body="落实",
    )

    organiser = signed_in(browser, live_server, "unit", cast.password, PHONE)
    organiser.goto(live_server.url + reverse("alliances:activity_detail", args=[activity.public_id]))
    qr = organiser.locator("[data-qr] img")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 280
    assert fits_the_phone(organiser)
    shot(organiser, "organiser")
    organiser.goto(live_server.url + reverse("alliances:rotation", args=[world.alliance.public_id]))
    assert fits_the_phone(organiser)
    shot(organiser, "rotation")
    organiser.goto(live_server.url + reverse("alliances:board", args=[world.alliance.public_id]))
    assert fits_the_phone(organiser)
    shot(organiser, "board")

    resident = signed_in(browser, live_server, "resident", cast.password, PHONE)
    resident.goto(
        live_server.url
        + reverse("alliances:activity_check_in", args=[activity.public_id, activity.signin_secret])
    )
    assert fits_the_phone(resident)
    shot(resident, "check-in")
    resident.click("[data-check-in-form] button")
    resident.wait_for_selector("[data-signed-in]")
    shot(resident, "signed-in")
    assert ActivitySignup.objects.get(activity=activity, user=cast.resident).checked_in_at is not None
