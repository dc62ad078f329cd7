"""Residents register themselves (phone, code, name, community → compound → building) and start
unverified; the community verifies them; their needs show as unverified to the community meanwhile."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Role
from accounts.registration import register_resident, start_registration, verify_resident
from accounts.scope import scope_for
from audit.models import AuditEvent
from gongjian.testing import item
from gongjian.work import items_for
from people.models import Resident

User = get_user_model()
PHONE = "13922223333"
T0 = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def register(outbox, cast, phone=PHONE, acting_user=None, **place):
    start_registration(acting_user=acting_user, phone=phone)
    place = place or {
        "community": cast.places.a1,
        "compound": cast.places.compound_a1,
        "building": cast.places.building_a1,
    }
    return register_resident(
        acting_user=acting_user, phone=phone, code=outbox.last_code(phone), name="吴阿姨", **place
    )


def test_a_resident_registers_and_waits_for_verification(outbox, cast, clock):
    user = register(outbox, cast)
    resident = Resident.objects.get(user=user)
    assert resident.verified_at is None and resident.residence_building == cast.places.building_a1
    assert resident.phone_hash == user.phone_hash and user.full_name == "吴阿姨"
    assert scope_for(user).roles == {Role.RESIDENT}
    assert AuditEvent.objects.filter(action="resident.register", actor=user).exists()
    # residents the community enters itself are verified by that act (the cast's)
    cast.r_a.refresh_from_db()
    assert cast.r_a.verified_at is not None


def test_a_place_out_of_its_parent_is_refused(outbox, cast, clock):
    start_registration(acting_user=None, phone=PHONE)
    with pytest.raises(ValidationError, match="not in"):
        register_resident(
            acting_user=None,
            phone=PHONE,
            code=outbox.last_code(PHONE),
            name="吴阿姨",
            community=cast.places.a2,
            compound=cast.places.compound_a1,
        )
    with pytest.raises(ValidationError, match="Choose a community"):
        register_resident(acting_user=None, phone=PHONE, code="1", name="吴", community=cast.places.street_a)


def test_a_resident_cannot_register_twice(outbox, cast, clock):
    register(outbox, cast)
    with pytest.raises(ValidationError, match="registered as a resident already"):
        start_registration(acting_user=None, phone=PHONE)
    with pytest.raises(ValidationError, match="registered as a resident already"):
        start_registration(acting_user=cast.resident, phone="13900001111")


def test_registering_links_the_existing_account(outbox, cast, clock):
    from accounts.actions import create_user

    grid_worker = create_user(acting_user=None, username="gw", password=None, phone=PHONE)
    users = User.objects.count()
    assert register(outbox, cast) == grid_worker and User.objects.count() == users


def test_the_community_verifies(outbox, cast, clock):
    user = register(outbox, cast)
    resident = Resident.objects.get(user=user)
    with pytest.raises(PermissionDenied):
        verify_resident(acting_user=cast.community2, resident=resident)
    with pytest.raises(PermissionDenied):
        verify_resident(acting_user=cast.grid, resident=resident)
    verify_resident(acting_user=cast.community, resident=resident)
    resident.refresh_from_db()
    assert resident.verified_at is not None and resident.verified_by == cast.community
    with pytest.raises(ValidationError, match="verified already"):
        verify_resident(acting_user=cast.street, resident=resident)


def test_the_community_home_has_the_to_do(outbox, cast, clock):
    register(outbox, cast)
    todo = {i.key: i for i in items_for(cast.community, scope_for(cast.community))}
    assert todo["accounts.verify_residents"].count == 1
    assert todo["accounts.verify_residents"].url == reverse("accounts:residents_to_verify")
    assert "accounts.verify_residents" not in {
        i.key for i in items_for(cast.community2, scope_for(cast.community2))
    }


def test_an_unverified_residents_need_is_marked_for_the_community(outbox, cast, clock, client):
    from service.needs.actions import post_need

    user = register(outbox, cast)
    need = post_need(acting_user=user, category=item(), title="修水管")
    cast.login(client, "community")
    assert b"data-unverified" in client.get(reverse("service:need_detail", args=[need.public_id])).content
    assert b"data-unverified" in client.get(reverse("service:workbench")).content
    verify_resident(acting_user=cast.community, resident=Resident.objects.get(user=user))
    assert b"data-unverified" not in client.get(reverse("service:need_detail", args=[need.public_id])).content
