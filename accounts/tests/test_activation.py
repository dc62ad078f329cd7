"""Members get accounts: SMS code to the roster's phone plus the ID's last four characters, or a printed
code; one person keeps one account with several roles; signing in by SMS code. Every refusal of issue 10
item 7 that concerns accounts has its test here (codes themselves: test_codes.py)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import activation, codes
from accounts.actions import create_user, grant_role
from accounts.models import Role
from accounts.registration import register_resident, start_registration
from accounts.scope import scope_for
from audit.models import AuditEvent
from gongjian.testing import id_number
from people.actions import MemberData, save_member

User = get_user_model()
LI_PHONE = "13800000002"  # 李四 (cast.m_a2): unit A, not activated
LI_DIGITS = id_number(2)[-4:]
T0 = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def activate_li(outbox, acting_user=None, digits=LI_DIGITS):
    activation.start_activation(acting_user=acting_user, phone=LI_PHONE)
    return activation.activate_member(
        acting_user=acting_user, phone=LI_PHONE, code=outbox.last_code(LI_PHONE), id_last4=digits
    )


def test_a_member_on_a_roster_activates_by_phone(outbox, cast, clock):
    users = User.objects.count()
    user = activate_li(outbox)
    cast.m_a2.refresh_from_db()
    assert cast.m_a2.user == user and User.objects.count() == users + 1
    assert user.phone_hash == cast.m_a2.phone_hash and not user.has_usable_password()
    assert scope_for(user).roles == {Role.MEMBER}
    assert AuditEvent.objects.filter(
        action="member.activate", actor=user, target_id=str(cast.m_a2.public_id)
    ).exists()


def test_a_phone_on_no_roster_is_refused(outbox, cast, clock):
    with pytest.raises(ValidationError, match="on no roster"):
        activation.start_activation(acting_user=None, phone="13700001234")
    assert outbox.SENT == []


def test_wrong_id_digits_are_refused_and_counted(outbox, cast, clock):
    activation.start_activation(acting_user=None, phone=LI_PHONE)
    code = outbox.last_code(LI_PHONE)
    with pytest.raises(ValidationError, match="do not match the roster"):
        activation.activate_member(acting_user=None, phone=LI_PHONE, code=code, id_last4="0000")
    cast.m_a2.refresh_from_db()
    assert cast.m_a2.user is None
    from accounts.models import OneTimeCode

    assert OneTimeCode.objects.get(used_at__isnull=True).attempts == 1


def test_an_activated_member_is_refused(outbox, cast, clock):
    activate_li(outbox)
    with pytest.raises(ValidationError, match="already activated"):
        activation.start_activation(acting_user=None, phone=LI_PHONE)
    # 张三丰's record is linked to the cast's "member" account already
    with pytest.raises(ValidationError, match="already activated"):
        activation.start_activation(acting_user=None, phone="13800000001")


def test_the_code_works_once(outbox, cast, clock):
    activation.start_activation(acting_user=None, phone=LI_PHONE)
    code = outbox.last_code(LI_PHONE)
    activation.activate_member(acting_user=None, phone=LI_PHONE, code=code, id_last4=LI_DIGITS)
    with pytest.raises(ValidationError):
        activation.activate_member(acting_user=None, phone=LI_PHONE, code=code, id_last4=LI_DIGITS)


def test_one_person_one_account_several_roles(outbox, cast, clock):
    """The unit admin's account has 李四's phone: activation links 李四's record to it, registering as a
    resident adds that role to it too. One account: unit admin + member + resident."""
    unit_admin = create_user(acting_user=None, username="li-admin", password=None, phone=LI_PHONE)
    grant_role(acting_user=None, user=unit_admin, role=Role.UNIT_ADMIN, unit=cast.places.unit_a)
    users = User.objects.count()
    assert activate_li(outbox) == unit_admin
    clock.shift(timedelta(minutes=2))
    start_registration(acting_user=None, phone=LI_PHONE)
    user = register_resident(
        acting_user=None,
        phone=LI_PHONE,
        code=outbox.last_code(LI_PHONE),
        name="李四",
        community=cast.places.a2,
    )
    assert user == unit_admin and User.objects.count() == users
    unit_admin.refresh_from_db()
    assert scope_for(unit_admin).roles == {Role.UNIT_ADMIN, Role.MEMBER, Role.RESIDENT}
    assert unit_admin.member == cast.m_a2 and unit_admin.resident.residence_area == cast.places.a2


def test_signed_in_person_activates_into_their_own_account(outbox, cast, clock):
    """The grid worker, signed in, activates: no second account; their phone goes on their account."""
    users = User.objects.count()
    assert activate_li(outbox, acting_user=cast.grid) == cast.grid
    cast.grid.refresh_from_db()
    assert User.objects.count() == users and cast.grid.phone_hash == cast.m_a2.phone_hash


def test_a_second_account_for_the_same_person_is_refused(outbox, cast, clock):
    holder = create_user(acting_user=None, username="holder", password=None, phone=LI_PHONE)
    # signed in as somebody else, with the phone of another account
    with pytest.raises(ValidationError, match="belongs to another account"):
        activation.start_activation(acting_user=cast.street, phone=LI_PHONE)
    # signed in with another phone
    create_user(acting_user=None, username="other", password=None, phone="13911110000")
    other = User.objects.get(username="other")
    holder.delete()
    with pytest.raises(ValidationError, match="signed in with another phone"):
        activation.start_activation(acting_user=other, phone=LI_PHONE)


def test_an_account_of_another_member_record_is_refused(outbox, cast, clock):
    """Two roster records with one phone (a typo on a roster): the second cannot take the first's account."""
    activate_li(outbox)
    twin = save_member(
        acting_user=None,
        data=MemberData(
            name="李四四", id_number=id_number(77), phone=LI_PHONE, party_org=cast.places.org_unit_a
        ),
    )
    clock.shift(timedelta(minutes=2))
    activation.start_activation(acting_user=None, phone=LI_PHONE)
    with pytest.raises(ValidationError, match="another member record"):
        activation.activate_member(
            acting_user=None, phone=LI_PHONE, code=outbox.last_code(LI_PHONE), id_last4=id_number(77)[-4:]
        )
    twin.refresh_from_db()
    assert twin.user is None


# --- printed codes --------------------------------------------------------------------------------


def test_a_unit_prints_codes_and_a_member_activates_with_one(cast, clock):
    ((member, code),) = activation.print_activation_codes(acting_user=cast.unit, members=[cast.m_a2])
    assert member == cast.m_a2 and len(code) == 10
    assert AuditEvent.objects.filter(action="member.activation_code", actor=cast.unit).count() == 1
    with pytest.raises(ValidationError, match="do not match"):
        activation.activate_with_printed_code(
            acting_user=None, code=code, id_last4="0000", phone="13911112222"
        )
    user = activation.activate_with_printed_code(
        acting_user=None, code=code.lower(), id_last4=LI_DIGITS, phone="13911112222"
    )
    cast.m_a2.refresh_from_db()
    assert cast.m_a2.user == user and user.masked_phone == "139****2222"
    with pytest.raises(ValidationError, match="used or replaced"):
        activation.activate_with_printed_code(acting_user=None, code=code, id_last4=LI_DIGITS)


def test_printed_codes_expire_and_belong_to_the_unit(cast, clock, settings):
    with pytest.raises(PermissionDenied):
        activation.print_activation_codes(acting_user=cast.unit2, members=[cast.m_a2])
    with pytest.raises(PermissionDenied):
        activation.print_activation_codes(acting_user=cast.community, members=[cast.m_a2])
    with pytest.raises(ValidationError, match="already has an account"):
        activation.print_activation_codes(acting_user=cast.unit, members=[cast.m_member])
    ((_member, code),) = activation.print_activation_codes(acting_user=cast.unit, members=[cast.m_a2])
    clock.shift(timedelta(days=settings.ACTIVATION_CODE_DAYS, seconds=1))
    with pytest.raises(ValidationError, match="expired"):
        activation.activate_with_printed_code(acting_user=None, code=code, id_last4=LI_DIGITS)
    with pytest.raises(ValidationError, match="wrong"):
        activation.activate_with_printed_code(acting_user=None, code="AAAAAAAAAA", id_last4=LI_DIGITS)


# --- signing in by code -----------------------------------------------------------------------------


def test_any_account_with_a_phone_signs_in_by_code(outbox, cast, clock):
    """As a unit admin imported with a phone and no password (the city set-up) first gets in."""
    admin = create_user(acting_user=None, username="imported", password=None, phone="139 1111 3333")
    activation.start_sign_in(phone="+86 13911113333")
    user = activation.sign_in_with_code(phone="13911113333", code=outbox.last_code("13911113333"))
    assert user == admin


def test_signing_in_does_not_tell_who_has_an_account(outbox, cast, clock):
    activation.start_sign_in(phone="13911114444")  # nobody: the same answer, no message
    assert outbox.SENT == []
    with pytest.raises(ValidationError, match="wrong"):
        activation.sign_in_with_code(phone="13911114444", code="123456")
    with pytest.raises(codes.RateLimited):  # and the limits count the phone all the same
        activation.start_sign_in(phone="13911114444")


def test_setting_a_password_is_validated_and_audited(cast, db):
    with pytest.raises(ValidationError):
        activation.set_own_password(acting_user=cast.nobody, password="123")
    activation.set_own_password(acting_user=cast.nobody, password="a-long-enough-pass-9")
    assert cast.nobody.check_password("a-long-enough-pass-9")
    assert AuditEvent.objects.filter(action="user.password", actor=cast.nobody).exists()


def test_the_unit_home_counts_members_without_an_account(outbox, cast, clock):
    from gongjian.work import items_for

    def todo():
        return {i.key: i for i in items_for(cast.unit, scope_for(cast.unit))}

    assert todo()["accounts.activate_members"].count == 1  # 李四; 张三丰 has an account
    activate_li(outbox)
    assert "accounts.activate_members" not in todo()
    assert "accounts.activate_members" not in {
        i.key for i in items_for(cast.community, scope_for(cast.community))
    }
