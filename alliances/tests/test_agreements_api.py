from datetime import timedelta

import pytest
from django.utils import timezone

from alliances.members import add_member_unit
from alliances.models import Agreement, AgreementState, AlliancePost, LeaderLink
from alliances.tests.fixtures import street_alliance

pytestmark = pytest.mark.django_db

PAGE_KEYS = {"items", "count", "count_exact", "has_more"}


def test_alliances_list_detail_and_404_outside(cast, api_get):
    a = street_alliance(cast)
    body = api_get("street", "alliances").json()
    assert set(body) == PAGE_KEYS and [i["id"] for i in body["items"]] == [str(a.alliance.public_id)]
    assert api_get("street2", "alliances").json()["items"] == []
    detail = api_get("unit", f"alliances/{a.alliance.public_id}").json()
    assert {m["unit"]["name"]: m["state"] for m in detail["members"]} == {
        "龙岩市烟草公司": "active",
        "新罗区城市管理局": "active",
    }
    assert api_get("street2", f"alliances/{a.alliance.public_id}").status_code == 404
    assert api_get("resident", "alliances").status_code == 403


def test_found_add_and_remove_members(cast, api_post):
    made = api_post(
        "community",
        "alliances",
        {"name": "龙津社区联合党委", "kind": "community", "area": str(cast.places.a1.public_id)},
    )
    assert made.status_code == 201
    alliance_id = made.json()["id"]
    added = api_post(
        "community", f"alliances/{alliance_id}/members", {"unit": str(cast.places.unit_a.public_id)}
    )
    assert added.status_code == 201 and added.json()["members"][0]["state"] == "none"
    again = api_post(
        "community", f"alliances/{alliance_id}/members", {"unit": str(cast.places.unit_a.public_id)}
    )
    assert again.status_code == 422 and "already a member" in again.json()["detail"]
    empty = api_post(
        "community", f"alliances/{alliance_id}/members/{cast.places.unit_a.public_id}/remove", {"reason": " "}
    )
    assert empty.status_code == 422
    gone = api_post(
        "community",
        f"alliances/{alliance_id}/members/{cast.places.unit_a.public_id}/remove",
        {"reason": "迁出"},
    )
    assert gone.status_code == 200 and gone.json()["members"] == []
    assert (
        api_post(
            "street2", f"alliances/{alliance_id}/members", {"unit": str(cast.places.unit_b.public_id)}
        ).status_code
        == 404
    )


def test_agreements_scope_and_lifecycle(cast, api_get, api_post, django_assert_max_num_queries):
    a = street_alliance(cast)
    add_member_unit(acting_user=cast.street, alliance=a.alliance, unit=cast.places.unit_b)
    with django_assert_max_num_queries(8):
        mine = api_get("unit", "agreements").json()
    assert [i["id"] for i in mine["items"]] == [str(a.agreement_a.public_id)]
    assert len(api_get("street", "agreements").json()["items"]) == 2
    assert api_get("street2", "agreements").json()["items"] == []
    assert api_get("unit2", f"agreements/{a.agreement_a.public_id}").status_code == 404
    today = timezone.localdate()
    bad = api_post(
        "unit2",
        "agreements",
        {
            "alliance": str(a.alliance.public_id),
            "unit": str(cast.places.unit_b.public_id),
            "title": "x",
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert bad.status_code == 422 and "end before it starts" in bad.json()["detail"]
    draft = api_post(
        "unit2",
        "agreements",
        {
            "alliance": str(a.alliance.public_id),
            "unit": str(cast.places.unit_b.public_id),
            "title": "西城商贸共建协议",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(),
            "commitments": [
                {"kind": "funds", "description": "共建经费", "quantity": "5000", "measure": "元"}
            ],
        },
    )
    assert draft.status_code == 201, draft.json()
    body = draft.json()
    assert body["state"] == "draft" and body["commitments"][0]["description"] == "共建经费"
    assert api_post("unit", f"agreements/{body['id']}/sign").status_code == 404  # another unit: not seen
    assert api_post("unit2", f"agreements/{body['id']}/sign").status_code == 200
    signed = api_post("street", f"agreements/{body['id']}/sign").json()
    assert signed["state"] == "signed" and signed["lead_signed_at"]
    renewed = api_post(
        "street", f"agreements/{body['id']}/renew", {"ends_on": (today + timedelta(days=800)).isoformat()}
    )
    assert renewed.status_code == 201 and renewed.json()["previous"] == body["id"]
    ended = api_post("unit2", f"agreements/{body['id']}/end", {"reason": "业务调整"})
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    expiring = api_get("street", "agreements", state="expiring").json()["items"]
    assert expiring == []
    Agreement.objects.filter(pk=a.agreement_a.pk).update(ends_on=today - timedelta(days=2))
    assert [i["id"] for i in api_get("street", "agreements", state="expired").json()["items"]] == [
        str(a.agreement_a.public_id)
    ]
    assert api_get("street", "agreements", state="bogus").status_code == 422


def test_posts_api(cast, api_get, api_post):
    a = street_alliance(cast)
    made = api_post(
        "street",
        "alliance-posts",
        {
            "alliance": str(a.alliance.public_id),
            "role": "inspector",
            "user": str(cast.member.public_id),
            "followed_units": [str(cast.places.unit_a.public_id)],
        },
    )
    assert made.status_code == 201 and made.json()["followed_units"][0]["name"] == "龙岩市烟草公司"
    envoy = {"alliance": str(a.alliance.public_id), "role": "envoy", "user": str(cast.member.public_id)}
    assert api_post("street", "alliance-posts", envoy).status_code == 422
    assert (
        api_post("unit", "alliance-posts", {**envoy, "unit": str(cast.places.unit_a.public_id)}).status_code
        == 403
    )
    assert len(api_get("unit", "alliance-posts").json()["items"]) == 1
    assert api_get("street2", "alliance-posts").json()["items"] == []
    post_id = made.json()["id"]
    assert api_post("street2", f"alliance-posts/{post_id}/end").status_code == 404
    assert api_post("street", f"alliance-posts/{post_id}/end").json()["ended_on"]
    assert AlliancePost.objects.get().ended_on is not None


def test_leader_links_api(cast, api_get, api_post):
    made = api_post(
        "street",
        "leader-links",
        {"community": str(cast.places.a1.public_id), "leader_name": "陈副区长", "leader_title": "副区长"},
    )
    assert made.status_code == 201
    link_id = made.json()["id"]
    assert (
        api_post(
            "community",
            "leader-links",
            {"community": str(cast.places.a1.public_id), "leader_name": "x", "leader_title": "y"},
        ).status_code
        == 403
    )
    visit = api_post(
        "community",
        f"leader-links/{link_id}/visits",
        {"visited_on": timezone.localdate().isoformat(), "note": "走访"},
    )
    assert visit.status_code == 201
    assert api_get("community", f"leader-links/{link_id}/visits").json()[0]["note"] == "走访"
    assert api_get("street2", f"leader-links/{link_id}").status_code == 404
    assert api_get("street2", f"leader-links/{link_id}/visits").status_code == 404
    assert len(api_get("street", "leader-links").json()["items"]) == 1
    assert api_post("street", f"leader-links/{link_id}/end").json()["ended_on"]
    assert LeaderLink.objects.get().ended_on is not None
    assert AgreementState.SIGNED


def test_commitments_name_the_units_resources(cast, api_post, client):
    from service.models import Resource, ResourceKind

    a = street_alliance(cast)
    today = timezone.localdate()
    own = Resource.objects.create(
        unit=cast.places.unit_a,
        kind=ResourceKind.values[0],
        title="党员活动室",
        quantity=1,
        measure="间",
        available_from=today,
    )
    other = Resource.objects.create(
        unit=cast.places.unit_b,
        kind=ResourceKind.values[0],
        title="会议室",
        quantity=1,
        measure="间",
        available_from=today,
    )
    payload = {
        "alliance": str(a.alliance.public_id),
        "unit": str(cast.places.unit_a.public_id),
        "title": "续签协议",
        "starts_on": (a.agreement_a.ends_on + timedelta(days=1)).isoformat(),
        "ends_on": (a.agreement_a.ends_on + timedelta(days=366)).isoformat(),
        "commitments": [
            {"kind": "venue", "description": "开放活动室", "quantity": "1", "resource": str(other.public_id)}
        ],
    }
    refused = api_post("unit", "agreements", payload)
    assert refused.status_code == 422 and "resource the unit itself offers" in refused.json()["detail"]
    payload["commitments"][0]["resource"] = str(own.public_id)
    made = api_post("unit", "agreements", payload)
    assert made.status_code == 201 and made.json()["commitments"][0]["resource"] == str(own.public_id)
    # the page offers the unit's own resources only
    cast.login(client, "unit")
    agreement = Agreement.objects.get(title="续签协议")
    page = client.get(f"/alliances/agreements/{agreement.public_id}/").content.decode()
    assert "党员活动室" in page and "会议室" not in page
