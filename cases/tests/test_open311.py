"""Open311 GeoReport v2 against the spec (http://wiki.open311.org/GeoReport_v2): the field names and
their JSON types, written out here; the errors as arrays of {code, description} with 400/403/404; the
filters of GET requests; filing with a key (none or revoked: 403) and following the request; and the
public reads showing nothing private."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest
from django.utils import timezone

from cases import actions, keys
from cases.models import Case, CaseState
from cases.tests.fixtures import category, grid_case

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"

SERVICE = {
    "service_code": str,
    "service_name": str,
    "description": str,
    "metadata": bool,
    "type": str,
    "keywords": str,
    "group": str,
}
REQUEST = {
    "service_request_id": str,
    "status": str,
    "status_notes": str,
    "service_name": str,
    "service_code": str,
    "description": str,
    "agency_responsible": str,
    "service_notice": str,
    "requested_datetime": str,
    "updated_datetime": str,
    "expected_datetime": (str, type(None)),
    "address": str,
    "address_id": str,
    "zipcode": str,
    "lat": (float, type(None)),
    "long": (float, type(None)),
    "media_url": str,
}
POSTED = {"service_request_id": str, "service_notice": str, "account_id": (str, type(None))}
ERROR = {"code": int, "description": str}
DISCOVERY = {"changeset": str, "contact": str, "key_service": str, "endpoints": list}
ENDPOINT = {"specification": str, "url": str, "changeset": str, "type": str, "formats": list}
# W3C datetime with the offset, as the spec asks
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


def shaped(obj: dict, spec: dict) -> None:
    assert set(obj) == set(spec), set(obj) ^ set(spec)
    for name, kind in spec.items():
        assert isinstance(obj[name], kind), (name, obj[name])


def errors(response, status: int) -> list[dict]:
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body, list) and body
    for error in body:
        shaped(error, ERROR)
        assert error["code"] == status
    return body


@pytest.fixture
def key(cast):
    made, raw = keys.create_open311_key(acting_user=cast.admin, name="12345 热线", area=cast.places.street_a)
    return made, raw


def post(client, **fields):
    return client.post(f"{BASE}/requests.json", fields)


def test_discovery(client, db):
    response = client.get(f"{BASE}/discovery.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    body = response.json()
    shaped(body, DISCOVERY)
    [endpoint] = body["endpoints"]
    shaped(endpoint, ENDPOINT)
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["application/json"] and endpoint["url"].endswith("/open311/v2")
    assert W3C.match(body["changeset"])


def test_services_are_the_leaf_categories(client, db):
    services = client.get(f"{BASE}/services.json").json()
    assert services
    for service in services:
        shaped(service, SERVICE)
        assert service["metadata"] is False and service["type"] == "realtime"
    piles = next(s for s in services if s["service_code"] == "piles")
    assert piles["group"] == category("piles").parent.name
    groups = {c.code for c in category("piles").parent.__class__.objects.filter(parent__isnull=True)}
    assert not groups & {s["service_code"] for s in services}


def test_service_definition(client, db):
    response = client.get(f"{BASE}/services/piles.json")
    assert response.status_code == 200
    assert response.json() == {"service_code": "piles", "attributes": []}
    errors(client.get(f"{BASE}/services/nothing-like-it.json"), 404)
    group = category("piles").parent.code
    errors(client.get(f"{BASE}/services/{group}.json"), 404)  # a group is no service


@pytest.mark.parametrize(
    "url", ["discovery.xml", "services.xml", "requests.xml", "requests/1.xml", "services/piles.xml"]
)
def test_only_json(client, db, url):
    [error] = errors(client.get(f"{BASE}/{url}"), 400)
    assert "JSON" in error["description"]


def test_file_and_follow_a_request(cast, client, key):
    _key, raw = key
    response = post(
        client,
        api_key=raw,
        service_code="piles",
        address_id=str(cast.places.building_a1.public_id),
        lat="25.075123",
        long="117.021987",
        address_string="阳光小区1号楼2单元",
        description="楼道里堆满纸箱\n已经一个星期了",
        first_name="先生",
        last_name="陈",
        phone="13912345678",
        email="chen@example.com",
        media_url="https://example.com/p.jpg",
    )
    [posted] = response.json()
    assert response.status_code == 201
    shaped(posted, POSTED)
    case = Case.objects.get(number=posted["service_request_id"])
    assert case.source == "open311" and case.submitted_via == _key and case.reporter is None
    assert case.title == "楼道里堆满纸箱" and case.reporter_name == "陈先生"
    assert case.building == cast.places.building_a1 and case.community == cast.places.a1
    assert "13912345678" not in case.reporter_phone_cipher and case.reporter_phone_hint
    assert "https://example.com/p.jpg" in case.description

    public = client.get(f"{BASE}/requests/{case.number}.json")
    assert public.status_code == 200
    [seen] = public.json()
    shaped(seen, REQUEST)
    assert seen["service_request_id"] == case.number and seen["status"] == "open"
    assert seen["service_code"] == "piles" and seen["service_name"] == category().name
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(seen[name]), name
    # public: no reporter, no building, no address as reported, rounded coordinates, the title only
    text = json.dumps(seen, ensure_ascii=False)
    for private in ("陈", "13912345678", "1号楼", "2单元", "一个星期", "example.com"):
        assert private not in text, private
    assert seen["address"] == "东城街道 龙津社区" and seen["address_id"] == cast.places.a1.code
    assert seen["lat"] == 25.075 and seen["long"] == 117.022
    assert seen["description"] == "楼道里堆满纸箱"
    # the system that filed it sees its own request in full
    [own] = client.get(f"{BASE}/requests/{case.number}.json", {"api_key": raw}).json()
    shaped(own, REQUEST)
    assert own["lat"] == 25.075123 and own["address"] == "阳光小区1号楼2单元"
    assert "一个星期" in own["description"]

    # it moves: dispatched, handled, resolved → closed, with the handler and the result
    [lead] = actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
    actions.accept_dispatch(acting_user=cast.dept, dispatch=lead)
    [seen] = client.get(f"{BASE}/requests/{case.number}.json").json()
    assert seen["agency_responsible"] == "新罗区城市管理局" and seen["status"] == "open"
    actions.resolve_case(acting_user=cast.dept, case=case, result="纸箱已清走")
    [seen] = client.get(f"{BASE}/requests/{case.number}.json").json()
    assert seen["status"] == "closed" and "纸箱已清走" not in seen["status_notes"]
    [own] = client.get(f"{BASE}/requests/{case.number}.json", {"api_key": raw}).json()
    assert own["status_notes"] == "纸箱已清走"


def test_post_without_or_with_a_revoked_key_is_403(cast, client, key):
    made, raw = key
    fields = {"service_code": "piles", "address_id": cast.places.a1.code, "description": "x"}
    errors(post(client, **fields), 403)
    errors(post(client, api_key="o311_nonsense", **fields), 403)
    keys.revoke_open311_key(acting_user=cast.admin, key=made)
    errors(post(client, api_key=raw, **fields), 403)
    assert not Case.objects.exists()


def test_post_outside_the_keys_area_is_403(cast, client, key):
    _made, raw = key  # the key files in street A only
    [error] = errors(post(client, api_key=raw, service_code="piles", address_id=cast.places.b1.code), 403)
    assert "西城街道" in error["description"]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"service_code": "unknown-service", "address_id": "A1"}, "service_code"),
        ({"address_id": "A1"}, "service_code"),
        ({"service_code": "piles"}, "location"),
        ({"service_code": "piles", "address_id": "nowhere"}, "address_id"),
        ({"service_code": "piles", "address_id": str(uuid.uuid4())}, "address_id"),
        ({"service_code": "piles", "lat": "25.1", "long": "east"}, "long"),
        ({"service_code": "piles", "lat": "125.1", "long": "117"}, "lat"),
        ({"service_code": "piles", "lat": "25.1"}, "lat and long"),
        (
            {"service_code": "piles", "address_string": "某处", "jurisdiction_id": "nowhere"},
            "jurisdiction_id",
        ),
        ({"service_code": "piles", "address_id": "A1", "phone": "12"}, "11-digit"),
    ],
)
def test_post_refusals_are_400(cast, client, key, fields, words):
    _made, raw = key
    if fields.get("address_id") == "A1":
        fields["address_id"] = cast.places.a1.code
    [error] = errors(post(client, api_key=raw, **fields), 400)
    assert words in error["description"]
    assert not Case.objects.exists()


def test_where_a_request_lands(cast, client, key):
    made, raw = key
    p = cast.places

    def land(**f):
        return Case.objects.get(
            number=post(client, api_key=raw, service_code="piles", **f).json()[0]["service_request_id"]
        )

    assert land(address_id=p.grid_a3.code).grid == p.grid_a3
    assert land(address_id=str(p.compound_a1.public_id)).compound == p.compound_a1
    assert land(address_id=p.a2.code).community == p.a2
    by_jurisdiction = land(address_string="中山路1号", jurisdiction_id=p.a2.code)
    assert by_jurisdiction.community == p.a2 and by_jurisdiction.address == "中山路1号"
    # no place given: the key's own area (a street) holds it
    on_street = land(lat="25.1", long="117.0")
    assert on_street.street == p.street_a and on_street.community is None
    # a key over the whole city cannot tell where
    _city_key, city_raw = keys.create_open311_key(acting_user=cast.admin, name="App", area=p.city)
    [error] = errors(post(client, api_key=city_raw, service_code="piles", lat="25.1", long="117.0"), 400)
    assert "Cannot tell where" in error["description"]


def test_a_json_body_is_read_too(cast, client, key):
    _made, raw = key
    body = {
        "api_key": raw,
        "service_code": "piles",
        "address_id": cast.places.a1.code,
        "description": "路面破损",
    }
    response = client.post(f"{BASE}/requests.json", body, content_type="application/json")
    assert response.status_code == 201
    errors(client.post(f"{BASE}/requests.json", "[1,", content_type="application/json"), 400)
    errors(client.post(f"{BASE}/requests.json", "[1]", content_type="application/json"), 400)


def test_get_requests_filters(cast, client):
    p = cast.places
    first = grid_case(cast)
    second = actions.report_case(
        acting_user=cast.community, title="路灯不亮", category=category("fire-lane"), community=p.a1
    )
    outside = actions.report_case(
        acting_user=cast.community2, title="西城的事", category=category(), community=p.b1
    )
    actions.resolve_case(acting_user=cast.community, case=second, result="已修")
    old = grid_case(cast, title="很久以前")
    Case.objects.filter(pk=old.pk).update(reported_at=timezone.now() - dt.timedelta(days=200))

    def ids(**params):
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        for item in response.json():
            shaped(item, REQUEST)
        return [r["service_request_id"] for r in response.json()]

    assert ids() == [outside.number, second.number, first.number]  # newest first, the last 90 days
    assert ids(status="open") == [outside.number, first.number]
    assert ids(status="closed") == [second.number]
    assert ids(status="open,closed") == ids()
    assert ids(service_code="fire-lane") == [second.number]
    assert ids(service_code="fire-lane,piles") == ids()
    assert ids(jurisdiction_id=p.street_b.code) == [outside.number]
    assert set(ids(service_request_id=f"{old.number}, {first.number}")) == {old.number, first.number}
    assert ids(service_request_id=old.number, status="open", service_code="fire-lane") == [old.number]
    long_ago = (timezone.now() - dt.timedelta(days=210)).isoformat(timespec="seconds")
    assert ids(start_date=long_ago) == [old.number]
    assert ids(end_date=(timezone.now() - dt.timedelta(days=150)).isoformat()) == [old.number]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert ids(start_date=tomorrow) == []
    assert ids(start_date="2026-01-01T00:00:00Z", end_date="2026-01-02T00:00:00Z") == []

    errors(client.get(f"{BASE}/requests.json", {"status": "pending"}), 400)
    errors(client.get(f"{BASE}/requests.json", {"service_code": "no-such"}), 400)
    errors(client.get(f"{BASE}/requests.json", {"start_date": "yesterday"}), 400)
    errors(client.get(f"{BASE}/requests.json", {"start_date": "1800-01-01"}), 400)
    [span] = errors(
        client.get(f"{BASE}/requests.json", {"start_date": "2026-01-01", "end_date": "2026-06-01"}), 400
    )
    assert "90" in span["description"]
    errors(client.get(f"{BASE}/requests.json", {"jurisdiction_id": "zz"}), 400)


def test_merged_request_says_where_it_went(cast, client):
    first = grid_case(cast)
    second = grid_case(cast, title="重复")
    actions.merge_case(acting_user=cast.community, case=second, into=first)
    [seen] = client.get(f"{BASE}/requests/{second.number}.json").json()
    assert seen["status"] == "closed" and first.number in seen["status_notes"]
    second.refresh_from_db()
    assert second.state == CaseState.MERGED


def test_unknown_request_is_404(client, db):
    errors(client.get(f"{BASE}/requests/20990101000001.json"), 404)
    errors(client.get(f"{BASE}/requests/{'9' * 300}.json"), 404)


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(client, db, method):
    assert getattr(client, method)(f"{BASE}/requests.json").status_code == 405


def test_hostile_input_never_500s(cast, client, key):
    _made, raw = key
    for params in (
        {"start_date": "\x00"},
        {"service_code": "a" * 5000},
        {"service_request_id": ",,,"},
        {"status": ""},
    ):
        assert client.get(f"{BASE}/requests.json", params).status_code < 500
    for fields in (
        {"service_code": "piles\x00"},
        {"description": "\x00", "service_code": "piles"},
        {"lat": "nan", "long": "inf", "service_code": "piles"},
    ):
        assert post(client, api_key=raw, **fields).status_code == 400


def test_requests_query_count_is_pinned(cast, client, django_assert_max_num_queries):
    for n in range(8):
        case = grid_case(cast, title=f"问题{n}")
        actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
    client.get(f"{BASE}/requests.json")
    with django_assert_max_num_queries(2):  # the cases with their category and places, their leads
        assert len(client.get(f"{BASE}/requests.json").json()) == 8


def test_key_in_the_query_string_and_times_with_a_space(cast, client, key):
    _made, raw = key
    url = f"{BASE}/requests.json?api_key={raw}"
    response = client.post(url, {"service_code": "piles", "address_id": cast.places.a1.code})
    assert response.status_code == 201
    number = response.json()[0]["service_request_id"]
    start = (timezone.localtime() - dt.timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%S 08:00"
    )  # "+" unescaped
    [seen] = client.get(f"{BASE}/requests.json", {"start_date": start}).json()
    assert seen["service_request_id"] == number
    local = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    assert len(client.get(f"{BASE}/requests.json", {"start_date": local}).json()) == 1
