"""The pages and the API of getting in, as a phone would use them, and their guards: right role works,
outsider 404, wrong role 403."""

import pytest
from django.urls import reverse

from accounts.models import OneTimeCode
from accounts.registration import register_resident, start_registration
from gongjian.testing import id_number
from people.models import Resident

LI_PHONE = "13800000002"
LI_DIGITS = id_number(2)[-4:]


# --- the pages ------------------------------------------------------------------------------------


def test_the_sign_in_page_leads_to_every_way_in(client, db):
    body = client.get(reverse("accounts:login")).content.decode()
    for name in ("accounts:code_sign_in", "accounts:activate", "accounts:register"):
        assert reverse(name) in body


def test_a_member_activates_on_the_pages(client, outbox, cast):
    response = client.post(reverse("accounts:activate"), {"phone": "138 0000 0002"})
    assert response.status_code == 302 and response.url == reverse("accounts:activate_verify")
    page = client.get(response.url).content.decode()
    assert "138****0002" in page and LI_PHONE not in page
    # a refused step keeps what was typed and says why
    response = client.post(response.url, {"code": outbox.last_code(LI_PHONE), "id_last4": "0000"})
    assert response.status_code == 200 and "do not match the roster" in response.content.decode()
    assert 'value="0000"' in response.content.decode()
    response = client.post(
        reverse("accounts:activate_verify"), {"code": outbox.last_code(LI_PHONE), "id_last4": LI_DIGITS}
    )
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:set_password"))
    assert client.get(reverse("portal:home")).context["user"].member == cast.m_a2
    response = client.post(
        reverse("accounts:set_password"),
        {"password1": "a-long-pass-word-7", "password2": "a-long-pass-word-7"},
    )
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200  # still signed in


def test_a_phone_on_no_roster_is_told_on_the_page(client, outbox, db):
    response = client.post(reverse("accounts:activate"), {"phone": "13700001234"})
    assert response.status_code == 200 and "on no roster" in response.content.decode()
    assert 'value="13700001234"' in response.content.decode()


def test_the_next_step_without_a_code_goes_back(client, db):
    for first, then in (
        ("accounts:activate", "accounts:activate_verify"),
        ("accounts:code_sign_in", "accounts:code_sign_in_verify"),
        ("accounts:register", "accounts:register_details"),
    ):
        assert client.get(reverse(then)).url == reverse(first)


def test_sign_in_by_code_on_the_pages(client, outbox, cast):
    from accounts.actions import create_user

    user = create_user(acting_user=None, username="imported", password=None, phone="13911113333")
    response = client.post(reverse("accounts:code_sign_in"), {"phone": "13911113333"})
    assert response.url == reverse("accounts:code_sign_in_verify")
    response = client.post(response.url, {"code": outbox.last_code("13911113333")})
    assert response.url == reverse("portal:home")
    assert client.get(response.url).context["user"] == user


def test_a_resident_registers_on_the_pages_without_javascript(client, outbox, cast):
    p = cast.places
    client.post(reverse("accounts:register"), {"phone": "13922223333"})
    url = reverse("accounts:register_details")
    code = outbox.last_code("13922223333")
    # "Show the compounds" posts the choices so far: the compound list follows the community
    response = client.post(url, {"code": code, "name": "吴阿姨", "community": p.a1.public_id, "refresh": "1"})
    body = response.content.decode()
    assert str(p.compound_a1.public_id) in body and str(p.compound_b1.public_id) not in body
    assert "invalid-feedback" not in body
    response = client.post(
        url,
        {
            "code": code,
            "name": "吴阿姨",
            "community": p.a1.public_id,
            "compound": p.compound_a1.public_id,
            "building": p.building_a1.public_id,
        },
    )
    assert response.status_code == 302
    assert Resident.objects.get(name="吴阿姨").verified_at is None


def test_the_places_follow_with_htmx(client, cast):
    p = cast.places
    body = client.get(
        reverse("accounts:register_places"),
        {"community": p.a1.public_id, "compound": p.compound_a1.public_id},
    ).content.decode()
    assert str(p.building_a1.public_id) in body and str(p.building_b1.public_id) not in body
    assert "1号楼" in body


@pytest.fixture
def newcomer(outbox, cast):
    start_registration(acting_user=None, phone="13922223333")
    user = register_resident(
        acting_user=None,
        phone="13922223333",
        code=outbox.last_code("13922223333"),
        name="吴阿姨",
        community=cast.places.a1,
    )
    return Resident.objects.get(user=user)


def test_the_community_verifies_on_its_page(client, cast, newcomer, django_assert_max_num_queries):
    cast.login(client, "community")
    url = reverse("accounts:residents_to_verify")
    with django_assert_max_num_queries(12):
        body = client.get(url).content.decode()
    assert "吴阿姨" in body and reverse("jobs:export_start", args=["residents"]) + "?awaiting=true" in body
    response = client.post(reverse("accounts:resident_verify", args=[newcomer.public_id]))
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.verified_by == cast.community
    assert f'data-resident="{newcomer.public_id}"' not in client.get(url).content.decode()


def test_verifying_outsider_404_wrong_role_403(client, cast, newcomer):
    url = reverse("accounts:resident_verify", args=[newcomer.public_id])
    assert cast.login(client, "community2").post(url).status_code == 404
    assert cast.login(client, "grid").post(url).status_code == 403
    assert cast.login(client, "grid").get(reverse("accounts:residents_to_verify")).status_code == 403
    newcomer.refresh_from_db()
    assert newcomer.verified_at is None


def test_the_unit_prints_activation_slips(client, cast):
    cast.login(client, "unit")
    page = client.get(reverse("accounts:activation_codes"))
    names = [m.name for m in page.context["pager"]["page"].object_list]
    assert names == ["李四"]  # 张三丰 has an account; 王五, 赵六 are unit B's
    response = client.post(reverse("accounts:activation_codes"), {"member": [cast.m_a2.public_id]})
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert OneTimeCode.objects.filter(member=cast.m_a2, channel="printed").count() == 1


def test_slips_outsider_gets_nothing_wrong_role_403(client, cast):
    cast.login(client, "unit2")
    response = client.post(
        reverse("accounts:activation_codes"), {"member": [cast.m_a2.public_id]}, follow=True
    )
    assert "Choose the members" in response.content.decode()  # nothing of another unit can be chosen
    assert not OneTimeCode.objects.exists()
    assert cast.login(client, "community").get(reverse("accounts:activation_codes")).status_code == 403


def test_sms_counters_for_the_platform_administrator(client, cast, outbox):
    start_registration(acting_user=None, phone="13922223333")
    body = cast.login(client, "admin").get(reverse("accounts:sms_counts")).content.decode()
    assert "register" in body
    assert cast.login(client, "community").get(reverse("accounts:sms_counts")).status_code == 403


# --- the API --------------------------------------------------------------------------------------


def post(client, path, data, **headers):
    return client.post(f"/api/v1{path}", data, content_type="application/json", headers=headers)


def test_api_activation_and_sign_in_by_code(client, outbox, cast):
    assert post(client, "/auth/codes", {"purpose": "activate", "phone": LI_PHONE}).status_code == 202
    answer = post(
        client,
        "/auth/activate",
        {"phone": LI_PHONE, "code": outbox.last_code(LI_PHONE), "id_last4": LI_DIGITS},
    )
    assert answer.status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {answer.json()['token']}"}).json()
    assert me["roles"] == ["member"] and me["phone_masked"] == "138****0002"
    refused = post(client, "/auth/codes", {"purpose": "activate", "phone": "13700001234"})
    assert refused.status_code == 422 and "on no roster" in refused.json()["detail"]


def test_api_rate_limit_answers_429(client, outbox, cast):
    assert post(client, "/auth/codes", {"purpose": "sign_in", "phone": LI_PHONE}).status_code == 202
    again = post(client, "/auth/codes", {"purpose": "sign_in", "phone": LI_PHONE})
    assert again.status_code == 429 and "after" in again.json()["detail"]


def test_api_registration(client, outbox, cast):
    post(client, "/auth/codes", {"purpose": "register", "phone": "13922223333"})
    answer = post(
        client,
        "/auth/register",
        {
            "phone": "13922223333",
            "code": outbox.last_code("13922223333"),
            "name": "吴阿姨",
            "community": str(cast.places.a1.public_id),
        },
    )
    assert answer.status_code == 200
    assert Resident.objects.get(name="吴阿姨").verified_at is None


def test_api_verify_right_role_outsider_wrong_role(client, cast, newcomer, bearer):
    path = f"/residents/{newcomer.public_id}/verify"
    assert post(client, path, {}, **bearer("community2")).status_code == 404
    assert post(client, path, {}, **bearer("grid")).status_code == 403
    answer = post(client, path, {}, **bearer("community"))
    assert answer.status_code == 200 and answer.json()["id"] == str(newcomer.public_id)
    assert post(client, path, {}, **bearer("community")).status_code == 422


def test_api_sms_counts_for_admins_only(client, cast, bearer):
    assert client.get("/api/v1/sms/counts", headers=bearer("admin")).status_code == 200
    assert client.get("/api/v1/sms/counts", headers=bearer("community")).status_code == 403


def test_the_session_keeps_no_phone_in_clear(client, outbox, cast):
    from django.contrib.sessions.models import Session

    client.post(reverse("accounts:activate"), {"phone": LI_PHONE})
    session = Session.objects.get(session_key=client.session.session_key)
    assert LI_PHONE not in repr(session.get_decoded())
    assert client.get(reverse("accounts:activate_verify")).status_code == 200  # the next step has it


def test_api_activation_codes_for_the_unit(client, cast, bearer):
    body = {"members": [str(cast.m_a2.public_id)]}
    assert post(client, "/activation-codes", body, **bearer("community")).status_code == 403
    assert post(client, "/activation-codes", body, **bearer("unit2")).status_code == 422  # not theirs
    answer = post(client, "/activation-codes", body, **bearer("unit"))
    assert answer.status_code == 200 and answer.json()[0]["name"] == "李四"
    code = answer.json()[0]["code"]
    assert post(client, "/auth/activate/printed", {"code": code, "id_last4": LI_DIGITS}).status_code == 200
