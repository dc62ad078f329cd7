"""The check-in API: the full flow over HTTP, every refusal (nothing changes), scope per role, the
certificate code shown only to the unit admin and the member, pairings, batch check-in, query counts."""

import uuid

import pytest

from audit.models import AuditEvent
from checkin import actions
from checkin.models import Certificate, CheckIn, CheckInEvent, CheckInState, UnitPairing
from conftest import _id
from people.actions import MemberData, save_member

NOT_FOUND = {"detail": "Not found."}
WRONG_ROLE = {"detail": "Your role may not use this endpoint."}


def _submit(cast, member, by=None):
    """A submitted check-in, by the rule, made through the action (set-up, not under test)."""
    return actions.submit_checkin(acting_user=by or cast.unit, member=member)


def _certified(cast, member, by=None):
    checkin = _submit(cast, member, by)
    certificate = actions.issue_certificate(acting_user=by or cast.unit, checkin=checkin)
    return checkin, certificate


def _code(certificate):
    from checkin import codes

    return codes.certificate_code(certificate)


def _snapshot(checkin):
    checkin.refresh_from_db()
    return checkin.state, checkin.events.count(), Certificate.objects.filter(checkin=checkin).count()


@pytest.fixture
def outside_member(cast):
    """An in-service member of unit A living outside the city's communities (no residence)."""
    return save_member(
        acting_user=None,
        data=MemberData(
            name="陈外住",
            id_number=_id(60),
            phone="13800000060",
            party_org=cast.places.org_unit_a,
            unit=cast.places.unit_a,
            in_service=True,
        ),
    )


# --- the whole journey ----------------------------------------------------------------------------


def test_member_submits_unit_certifies_community_confirms_by_code(cast, api_get, api_post):
    proposal = api_get("member", "checkins/propose")
    assert proposal.status_code == 200
    assert proposal.json()["community"]["id"] == str(cast.places.a1.public_id)
    assert proposal.json()["rule"] == "residence" and proposal.json()["note"]

    submitted = api_post(
        "member", "checkins", {"vanguard_kinds": ["volunteering", "policy_outreach"], "skills": "摄影"}
    )
    assert submitted.status_code == 201, submitted.json()
    body = submitted.json()
    checkin_id = body["id"]
    assert body["state"] == "submitted" and body["rule"] == "residence"
    assert body["community"] == {"id": str(cast.places.a1.public_id), "name": "龙津社区"}
    assert body["member"]["id"] == str(cast.m_member.public_id)
    assert body["compound"]["id"] == str(cast.places.compound_a1.public_id)  # taken from the residence
    assert body["vanguard_kinds"] == ["policy_outreach", "volunteering"]
    assert body["certificate"] is None and [e["to_state"] for e in body["events"]] == ["submitted"]

    issued = api_post("unit", f"checkins/{checkin_id}/certify", {})
    assert issued.status_code == 201, issued.json()
    serial, code = issued.json()["serial"], issued.json()["code"]
    assert code.startswith(serial + "-") and issued.json()["checkin"]["state"] == "certified"

    confirmed = api_post("community", "checkins/confirm-by-code", {"code": code.lower()})
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["state"] == "confirmed" and confirmed.json()["confirmed_at"]

    detail = api_get("community", f"checkins/{checkin_id}").json()
    events = detail["events"]
    assert [(e["from_state"], e["to_state"]) for e in events] == [
        (None, "submitted"),
        ("submitted", "certified"),
        ("certified", "confirmed"),
    ]
    assert [e["actor"] for e in events] == ["member", "unit", "community"]
    assert events[2]["via"] == "scan"
    assert detail["certificate"] == {
        "serial": serial,
        "issued_at": detail["certificate"]["issued_at"],
        "code": None,
    }

    # replay: the same code cannot confirm again
    again = api_post("community", "checkins/confirm-by-code", {"code": code})
    assert again.status_code == 422 and "already confirmed" in again.json()["detail"]
    assert CheckInEvent.objects.filter(checkin__public_id=checkin_id).count() == 3


def test_confirm_with_code_on_the_checkin_and_on_paper(cast, api_post):
    checkin, certificate = _certified(cast, cast.m_member)
    response = api_post("community", f"checkins/{checkin.public_id}/confirm", {"code": _code(certificate)})
    assert response.status_code == 200 and response.json()["state"] == "confirmed"
    assert response.json()["events"][-1]["via"] == "scan"

    other, _ = _certified(cast, cast.m_b_home_a, by=cast.unit2)  # unit B's member living in A1
    paper = api_post("community", f"checkins/{other.public_id}/confirm", {})
    assert paper.status_code == 200 and paper.json()["events"][-1]["via"] == "manual"


def test_code_shown_only_to_unit_admin_and_member(cast, api_get):
    checkin, certificate = _certified(cast, cast.m_member)
    path = f"checkins/{checkin.public_id}"
    for who in ("unit", "member"):
        assert api_get(who, path).json()["certificate"]["code"] == _code(certificate), who
    for who in ("community", "street", "orgdept", "inspector", "admin"):
        shown = api_get(who, path).json()["certificate"]
        assert shown["serial"] == certificate.serial and shown["code"] is None, who


# --- refusals: clear message, nothing changed -----------------------------------------------------


def test_second_active_checkin_is_refused(cast, api_post):
    first = api_post("member", "checkins", {})
    assert first.status_code == 201
    second = api_post(
        "member", "checkins", {"community": str(cast.places.a2.public_id), "override_reason": "x"}
    )
    assert second.status_code == 422
    assert "already has an active check-in" in second.json()["detail"]
    assert CheckIn.objects.filter(member=cast.m_member).count() == 1


def test_override_needs_a_reason(cast, api_post):
    a2 = str(cast.places.a2.public_id)
    refused = api_post("member", "checkins", {"community": a2})
    assert refused.status_code == 422 and "say why" in refused.json()["detail"]
    assert not CheckIn.objects.exists()

    accepted = api_post("member", "checkins", {"community": a2, "override_reason": "照顾父母住在中山社区"})
    assert accepted.status_code == 201
    assert (
        accepted.json()["rule"] == "override" and accepted.json()["override_reason"] == "照顾父母住在中山社区"
    )


def test_bad_references_in_the_body_answer_422(cast, api_post):
    for payload, message in (
        ({"community": str(uuid.uuid4())}, "Choose a community."),
        ({"community": str(cast.places.street_a.public_id)}, "Choose a community."),
        ({"compound": str(uuid.uuid4())}, "Unknown compound."),
        ({"vanguard_kinds": ["sleeping"]}, None),
    ):
        response = api_post("member", "checkins", payload)
        assert response.status_code == 422, payload
        if message:
            assert response.json() == {"detail": message}
    assert not CheckIn.objects.exists()


def test_confirmation_by_another_community_is_outside_its_scope(cast, api_post):
    """The scope rule: community B cannot see A1's check-in, so it answers 404 like a missing one."""
    checkin, certificate = _certified(cast, cast.m_member)
    before = _snapshot(checkin)
    outside = api_post("community2", f"checkins/{checkin.public_id}/confirm", {"code": _code(certificate)})
    missing = api_post("community2", f"checkins/{uuid.uuid4()}/confirm", {"code": _code(certificate)})
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json() == NOT_FOUND

    # by code the check-in is found through the certificate: refused with a message, not confirmed
    by_code = api_post("community2", "checkins/confirm-by-code", {"code": _code(certificate)})
    assert by_code.status_code == 422 and "another community" in by_code.json()["detail"]
    # the street sees the check-in but is not a community: wrong role
    assert api_post("street", f"checkins/{checkin.public_id}/confirm", {}).json() == WRONG_ROLE
    assert _snapshot(checkin) == before == (CheckInState.CERTIFIED, 2, 1)


def test_forged_or_altered_code_is_refused_and_nothing_changes(cast, api_post):
    checkin, certificate = _certified(cast, cast.m_member)
    before = _snapshot(checkin)
    genuine = _code(certificate)
    forged = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    for path, payload in (
        ("checkins/confirm-by-code", {"code": forged}),
        ("checkins/confirm-by-code", {"code": "BD-2026-ABCDEFGH-ABCDEFGHIJ"}),
        ("checkins/confirm-by-code", {"code": "hello"}),
        (f"checkins/{checkin.public_id}/confirm", {"code": forged}),
    ):
        response = api_post("community", path, payload)
        assert response.status_code == 422, payload
        assert response.json()["detail"]
    assert _snapshot(checkin) == before
    assert AuditEvent.objects.filter(action="checkin.code_refused", outcome="denied").count() == 3


def test_certificate_for_a_member_of_another_unit_is_refused(cast, api_post):
    """Unit A's admin cannot see unit B's check-ins (404, like missing); a community may not certify (403)."""
    checkin = _submit(cast, cast.m_b_home_a, by=cast.unit2)  # unit B's member, reporting to A1
    before = _snapshot(checkin)
    outside = api_post("unit", f"checkins/{checkin.public_id}/certify", {})
    missing = api_post("unit", f"checkins/{uuid.uuid4()}/certify", {})
    assert outside.status_code == missing.status_code == 404 and outside.json() == missing.json()
    assert api_post("community", f"checkins/{checkin.public_id}/certify", {}).status_code == 403
    assert _snapshot(checkin) == before == (CheckInState.SUBMITTED, 1, 0)
    assert api_post("unit2", f"checkins/{checkin.public_id}/certify", {}).status_code == 201


def test_unit_admin_checks_in_own_member_not_another_units(cast, api_post):
    mine = api_post("unit", "checkins", {"member": str(cast.m_a2.public_id)})
    assert mine.status_code == 201 and mine.json()["community"]["id"] == str(cast.places.a2.public_id)
    other = api_post("unit", "checkins", {"member": str(cast.m_b.public_id)})
    assert other.status_code == 404 and other.json() == NOT_FOUND
    # a member cannot check in somebody else
    assert api_post("member", "checkins", {"member": str(cast.m_a2.public_id)}).status_code == 404
    # a unit admin without a member record must name the member
    assert api_post("unit", "checkins", {}).status_code == 422
    assert CheckIn.objects.count() == 1


def test_transition_out_of_order_is_refused(cast, api_post):
    checkin = _submit(cast, cast.m_member)
    early = api_post("community", f"checkins/{checkin.public_id}/confirm", {})
    assert early.status_code == 422 and "no certificate yet" in early.json()["detail"]
    api_post("unit", f"checkins/{checkin.public_id}/certify", {})
    twice = api_post("unit", f"checkins/{checkin.public_id}/certify", {})
    assert twice.status_code == 422 and "cannot be certified" in twice.json()["detail"]
    assert Certificate.objects.filter(checkin=checkin).count() == 1


@pytest.mark.parametrize(
    ("who", "path", "payload"),
    [
        ("inspector", "certify", {}),
        ("member", "certify", {}),
        ("member", "confirm", {}),
        ("unit", "confirm", {}),
        ("unit", "reject", {"reason": "x"}),
        ("street", "return", {"reason": "x"}),
        ("inspector", "check-out", {"reason": "x"}),
        ("unit", "resubmit", {}),
    ],
)
def test_wrong_role_is_refused_on_transitions(cast, api_post, who, path, payload):
    checkin = _submit(cast, cast.m_member)
    response = api_post(who, f"checkins/{checkin.public_id}/{path}", payload)
    assert response.status_code == 403 and response.json() == WRONG_ROLE
    assert _snapshot(checkin)[:2] == (CheckInState.SUBMITTED, 1)


def test_wrong_role_is_refused_on_collections(cast, api_get, api_post):
    for who in ("grid", "resident", "dept", "nobody"):
        assert api_get(who, "checkins").status_code == 403, who
        assert api_get(who, "unit-pairings").status_code == 403, who
    for who in ("street", "community", "inspector"):
        assert api_post(who, "checkins", {}).json() == WRONG_ROLE, who
    assert api_get("unit", "checkins/propose").status_code == 403
    assert (
        api_post(
            "community",
            "checkins/batch",
            {"unit": str(cast.places.unit_a.public_id), "members": [str(cast.m_member.public_id)]},
        ).status_code
        == 403
    )
    assert not CheckIn.objects.exists()


# --- return, resubmit, reject, check out ----------------------------------------------------------


def test_return_resubmit_reject_and_check_out(cast, api_get, api_post):
    checkin, certificate = _certified(cast, cast.m_member)
    path = f"checkins/{checkin.public_id}"

    no_reason = api_post("community", f"{path}/return", {"reason": "  "})
    assert no_reason.status_code == 422
    returned = api_post("community", f"{path}/return", {"reason": "请补充技能"})
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert returned.json()["certificate"] is None  # the certificate is withdrawn
    withdrawn = api_post("community", "checkins/confirm-by-code", {"code": _code(certificate)})
    assert withdrawn.status_code == 422 and "withdrawn" in withdrawn.json()["detail"]

    resubmitted = api_post("member", f"{path}/resubmit", {"skills": "摄影、调解"})
    assert resubmitted.status_code == 200
    body = resubmitted.json()
    assert body["state"] == "submitted" and body["skills"] == "摄影、调解"
    assert body["building"]["id"] == str(cast.places.building_a1.public_id)  # the place is kept

    assert api_post("community", f"{path}/reject", {"reason": ""}).status_code == 422
    rejected = api_post("community", f"{path}/reject", {"reason": "不在本社区居住"})
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert rejected.json()["closed_at"]
    out = api_post("member", f"{path}/check-out", {"reason": "搬家"})
    assert out.status_code == 422  # a rejected check-in is no longer active

    # a new check-in, then the member moves out
    again = api_post("member", "checkins", {})
    assert again.status_code == 201
    moved = api_post("member", f"checkins/{again.json()['id']}/check-out", {"reason": "搬家"})
    assert moved.status_code == 200 and moved.json()["state"] == "checked_out"
    history = api_get("member", "checkins").json()
    assert history["count"] == 2 and {i["state"] for i in history["items"]} == {"rejected", "checked_out"}


def test_unit_returns_before_certifying(cast, api_post):
    checkin = _submit(cast, cast.m_member)
    response = api_post("unit", f"checkins/{checkin.public_id}/return", {"reason": "楼栋填错"})
    assert response.status_code == 200 and response.json()["state"] == "returned"
    assert response.json()["events"][-1]["reason"] == "楼栋填错"


# --- scope ----------------------------------------------------------------------------------------


@pytest.fixture
def four_checkins(cast):
    """m_member → A1 (unit A), m_a2 → A2 (unit A), m_b → B1 (unit B), m_b_home_a → A1 (unit B)."""
    return {
        "m_member": _submit(cast, cast.m_member),
        "m_a2": _submit(cast, cast.m_a2),
        "m_b": _submit(cast, cast.m_b, by=cast.unit2),
        "m_b_home_a": _submit(cast, cast.m_b_home_a, by=cast.unit2),
    }


SEES = {
    "admin": {"m_member", "m_a2", "m_b", "m_b_home_a"},
    "orgdept": {"m_member", "m_a2", "m_b", "m_b_home_a"},
    "street": {"m_member", "m_a2", "m_b_home_a"},
    "street2": {"m_b"},
    "community": {"m_member", "m_b_home_a"},
    "community2": {"m_b"},
    "unit": {"m_member", "m_a2"},
    "unit2": {"m_b", "m_b_home_a"},
    "inspector": {"m_member", "m_a2"},
    "member": {"m_member"},
}


@pytest.mark.parametrize("who", SEES)
def test_list_scope_per_role(api_get, four_checkins, who):
    ids = {str(c.public_id): name for name, c in four_checkins.items()}
    body = api_get(who, "checkins").json()
    assert set(body) == {"items", "count", "count_exact", "has_more"}
    assert {ids[item["id"]] for item in body["items"]} == SEES[who]
    assert body["count"] == len(SEES[who])
    for name, checkin in four_checkins.items():
        detail = api_get(who, f"checkins/{checkin.public_id}")
        assert detail.status_code == (200 if name in SEES[who] else 404), (who, name)


def test_list_filters(cast, api_get, four_checkins):
    def names(**params):
        ids = {str(c.public_id): n for n, c in four_checkins.items()}
        return {ids[i["id"]] for i in api_get("street", "checkins", **params).json()["items"]}

    assert names(community=str(cast.places.a1.public_id)) == {"m_member", "m_b_home_a"}
    assert names(unit=str(cast.places.unit_b.public_id)) == {"m_b_home_a"}
    assert names(member=str(cast.m_a2.public_id)) == {"m_a2"}
    actions.issue_certificate(acting_user=cast.unit, checkin=four_checkins["m_a2"])
    assert names(state="certified") == {"m_a2"}
    assert api_get("street", "checkins", state="asleep").status_code == 422


def test_detail_outside_scope_is_like_missing(api_get, four_checkins):
    outside = api_get("community2", f"checkins/{four_checkins['m_member'].public_id}")
    missing = api_get("community2", f"checkins/{uuid.uuid4()}")
    assert outside.status_code == missing.status_code == 404 and outside.content == missing.content


def test_session_auth_works_too(cast, client, four_checkins):
    cast.login(client, "community")
    response = client.get("/api/v1/checkins")
    assert response.status_code == 200 and response.json()["count"] == 2


def test_list_query_count_is_pinned(cast, api_get, django_assert_max_num_queries, four_checkins):
    for name in ("m_member", "m_a2"):
        actions.issue_certificate(acting_user=cast.unit, checkin=four_checkins[name])
    for who in ("admin", "street", "unit", "member"):
        api_get(who, "checkins")  # the tokens exist before counting
    # token + user, role grants, count, page
    for who in ("admin", "street", "unit"):
        with django_assert_max_num_queries(4):
            assert api_get(who, "checkins").status_code == 200
    with django_assert_max_num_queries(5):  # + the member's own record
        assert api_get("member", "checkins").status_code == 200
    with django_assert_max_num_queries(4):
        assert api_get("street", "unit-pairings").status_code == 200


# --- batch (整建制报到) -----------------------------------------------------------------------------


def test_batch_check_in_with_mixed_results(cast, api_post, outside_member):
    _submit(cast, cast.m_a2)  # already active
    asked = [cast.m_member, outside_member, cast.m_a2, cast.m_b]
    response = api_post(
        "unit",
        "checkins/batch",
        {"unit": str(cast.places.unit_a.public_id), "members": [str(m.public_id) for m in asked]},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["ok"], body["failed"]) == (1, 3)
    rows = body["results"]
    assert [r["member"] for r in rows] == [str(m.public_id) for m in asked]
    assert [r["ok"] for r in rows] == [True, False, False, False]
    assert rows[0]["checkin"] and "龙津社区" in rows[0]["message"]
    assert rows[1]["message"] == "Choose a community." and rows[1]["checkin"] is None
    assert "already has an active check-in" in rows[2]["message"]
    assert rows[3] == {
        "member": str(cast.m_b.public_id),
        "name": "",
        "ok": False,
        "checkin": None,
        "message": "Not found.",
    }
    assert CheckIn.objects.filter(member=cast.m_member, state="submitted").exists()
    assert not CheckIn.objects.filter(member__in=[outside_member, cast.m_b]).exists()

    # once the street pairs unit A with A2, the member living outside the city reports there
    pairing = api_post(
        "street",
        "unit-pairings",
        {
            "unit": str(cast.places.unit_a.public_id),
            "community": str(cast.places.a2.public_id),
            "started_on": "2020-01-01",
        },
    )
    assert pairing.status_code == 201
    again = api_post(
        "unit",
        "checkins/batch",
        {"unit": str(cast.places.unit_a.public_id), "members": [str(outside_member.public_id)]},
    ).json()
    assert again["ok"] == 1
    assert CheckIn.objects.get(member=outside_member).rule == "pairing"


def test_batch_for_another_unit_is_outside_scope(cast, api_post):
    response = api_post(
        "unit",
        "checkins/batch",
        {"unit": str(cast.places.unit_b.public_id), "members": [str(cast.m_b.public_id)]},
    )
    assert response.status_code == 404 and response.json() == NOT_FOUND
    assert not CheckIn.objects.exists()


# --- unit pairings --------------------------------------------------------------------------------


def _pairing_payload(cast, **overrides):
    payload = {
        "unit": str(cast.places.unit_b.public_id),
        "community": str(cast.places.a2.public_id),
        "started_on": "2025-01-01",
        "ended_on": "2025-12-31",
        "note": "共建协议第3号",
    }
    payload.update(overrides)
    return payload


def test_street_creates_a_pairing_and_it_is_scoped(cast, api_get, api_post):
    created = api_post("street", "unit-pairings", _pairing_payload(cast))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["unit"]["id"] == str(cast.places.unit_b.public_id)
    assert body["community"]["name"] == "中山社区" and body["ended_on"] == "2025-12-31"
    pairing = UnitPairing.objects.get(public_id=body["id"])
    assert AuditEvent.objects.filter(
        action="checkin.pairing_create", target_id=str(pairing.public_id)
    ).exists()

    for who, sees in (
        ("street", True),
        ("orgdept", True),
        ("unit2", True),
        ("admin", True),
        ("community", False),
        ("community2", False),
        ("unit", False),
        ("street2", False),
    ):
        listed = {i["id"] for i in api_get(who, "unit-pairings").json()["items"]}
        assert (body["id"] in listed) is sees, who
        assert api_get(who, f"unit-pairings/{body['id']}").status_code == (200 if sees else 404), who
    assert api_get("street", "unit-pairings", active_on="2025-06-01").json()["count"] == 1
    assert api_get("street", "unit-pairings", active_on="2026-06-01").json()["count"] == 0
    assert api_get("street", "unit-pairings", unit=str(cast.places.unit_a.public_id)).json()["count"] == 0


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"ended_on": "2024-12-31"}, 422, "cannot end before it starts"),
        ({"community": "street_a"}, 422, "Choose a community."),  # a street, not a community
        ({"community": "b1"}, 403, "Only the street committee of"),  # another street's community
        ({"unit": str(uuid.UUID(int=1))}, 422, "Choose a unit."),
        ({"started_on": "2025-06-01", "ended_on": None}, 422, "already paired"),
        ({"started_on": "2024-01-01", "ended_on": "2025-01-01"}, 422, "already paired"),
    ],
)
def test_pairing_validation(cast, api_post, overrides, status, message):
    assert api_post("street", "unit-pairings", _pairing_payload(cast)).status_code == 201
    if "community" in overrides:  # named by its place in the cast
        overrides = {**overrides, "community": str(getattr(cast.places, overrides["community"]).public_id)}
    response = api_post("street", "unit-pairings", _pairing_payload(cast, **overrides))
    assert response.status_code == status, response.json()
    assert message in response.json()["detail"]
    assert UnitPairing.objects.count() == 1


def test_pairing_roles(cast, api_post):
    assert api_post("community", "unit-pairings", _pairing_payload(cast)).json() == WRONG_ROLE
    assert api_post("unit", "unit-pairings", _pairing_payload(cast)).json() == WRONG_ROLE
    assert api_post("street2", "unit-pairings", _pairing_payload(cast)).status_code == 403
    # after the first pairing ends, a new one may start; the platform admin may pair anywhere
    assert api_post("street", "unit-pairings", _pairing_payload(cast)).status_code == 201
    later = _pairing_payload(cast, started_on="2026-01-01", ended_on=None)
    assert api_post("admin", "unit-pairings", later).status_code == 201
    assert UnitPairing.objects.count() == 2


# --- the OpenAPI document -------------------------------------------------------------------------


def test_openapi_lists_the_checkin_collections(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/checkins",
        "/api/v1/checkins/{checkin_id}",
        "/api/v1/checkins/{checkin_id}/certify",
        "/api/v1/checkins/{checkin_id}/confirm",
        "/api/v1/checkins/confirm-by-code",
        "/api/v1/checkins/batch",
        "/api/v1/checkins/propose",
        "/api/v1/unit-pairings",
        "/api/v1/unit-pairings/{pairing_id}",
        "/api/v1/reconciliation",
    ):
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/v1/checkins"])


# --- reconciliation -------------------------------------------------------------------------------


@pytest.fixture
def reconciled(cast, api_post):
    """Unit A: 张三丰 confirmed in A1, 李四 certified for A2. Unit B's 赵六 (lives in A1) and 王五 (B1)
    have not checked in."""
    checkin, certificate = _certified(cast, cast.m_member)
    actions.confirm_checkin(acting_user=cast.community, checkin=checkin, code=_code(certificate))
    _certified(cast, cast.m_a2)
    return cast


def test_unit_reconciliation_known_answer(cast, api_get, reconciled):
    response = api_get("unit", "reconciliation", unit=str(cast.places.unit_a.public_id))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["kind"] == "unit" and body["unit"]["id"] == str(cast.places.unit_a.public_id)
    assert body["summary"] == {
        "members": 2,
        "not_submitted": 0,
        "awaiting_certificate": 0,
        "awaiting_confirmation": 1,
        "confirmed": 1,
    }
    assert body["rate"] == {"members": 2, "reported": 1, "value": 0.5, "percent": 50.0, "note": ""}
    rows = {row["member"]["name"]: row for row in body["roster"]}
    assert rows["李四"]["status"] == "awaiting_confirmation" and rows["李四"]["days_waiting"] == 0
    assert rows["张三丰"]["status"] == "confirmed" and rows["张三丰"]["community"]["name"] == "龙津社区"
    assert rows["张三丰"]["phone_masked"].startswith("138") and "13800000001" not in response.content.decode()
    assert set(rows["张三丰"]) == {
        "member",
        "phone_masked",
        "status",
        "checkin",
        "state",
        "community",
        "days_waiting",
    }
    past = api_get(
        "unit", "reconciliation", unit=str(cast.places.unit_a.public_id), start="2020-01-01", end="2020-12-31"
    ).json()
    assert past["period"] == {"start": "2020-01-01", "end": "2020-12-31"} and past["rate"]["reported"] == 0


def test_unit_without_in_service_members_has_no_rate(cast, api_get):
    body = api_get("admin", "reconciliation", unit=str(cast.places.dept_a.public_id)).json()
    assert body["rate"] == {
        "members": 0,
        "reported": 0,
        "value": None,
        "percent": None,
        "note": "No in-service members.",
    }
    assert body["roster"] == []


def test_area_reconciliation_known_answer(cast, api_get, reconciled):
    body = api_get("street", "reconciliation", area=str(cast.places.street_a.public_id)).json()
    assert body["kind"] == "area" and body["area"]["name"] == "东城街道"
    # in-service members living in street A: 张三丰 (A1, confirmed), 赵六 (A1, unit B), 李四 (A2)
    assert (body["rate"]["members"], body["rate"]["reported"]) == (3, 1)
    assert body["summary"] == {
        "awaiting_certificate": 0,
        "awaiting_confirmation": 1,
        "confirmed": 1,
        "oldest_pending_days": 0,
    }
    children = {row["area"]["name"]: row for row in body["children"]}
    assert set(children) == {"龙津社区", "中山社区"}
    assert (children["龙津社区"]["rate"]["members"], children["龙津社区"]["rate"]["reported"]) == (2, 1)
    assert children["中山社区"]["rate"]["percent"] == 0.0
    assert children["中山社区"]["counts"]["awaiting_confirmation"] == 1
    assert body["top_units"] == [
        {"id": str(cast.places.unit_a.public_id), "name": "龙岩市烟草公司", "checkins": 2, "confirmed": 1}
    ]


def test_reconciliation_scope_and_roles(cast, api_get, reconciled):
    unit_a, a1 = str(cast.places.unit_a.public_id), str(cast.places.a1.public_id)
    assert api_get("inspector", "reconciliation", unit=unit_a).status_code == 200
    assert api_get("street", "reconciliation", unit=unit_a).status_code == 200  # located in street A
    outside = api_get("unit2", "reconciliation", unit=unit_a)
    missing = api_get("unit2", "reconciliation", unit=str(uuid.uuid4()))
    assert outside.status_code == missing.status_code == 404 and outside.json() == missing.json()
    assert api_get("community", "reconciliation", area=a1).status_code == 200
    assert api_get("community2", "reconciliation", area=a1).status_code == 404
    assert api_get("community", "reconciliation", area=str(cast.places.street_a.public_id)).status_code == 404
    # a unit admin sees its unit's place, but area figures are for area roles
    assert api_get("unit", "reconciliation", area=a1).json() == WRONG_ROLE
    for who in ("member", "grid", "resident", "nobody"):
        assert api_get(who, "reconciliation", unit=unit_a).status_code == 403, who


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"unit": "u", "area": "a"},
        {"unit": "u", "start": "2025-01-01"},
        {"unit": "u", "start": "2025-02-01", "end": "2025-01-01"},
    ],
)
def test_reconciliation_bad_questions_answer_422(cast, api_get, params):
    ids = {"u": str(cast.places.unit_a.public_id), "a": str(cast.places.a1.public_id)}
    params = {k: ids.get(v, v) for k, v in params.items()}
    response = api_get("admin", "reconciliation", **params)
    assert response.status_code == 422 and response.json()["detail"]


def test_reconciliation_query_counts_are_pinned(cast, api_get, django_assert_max_num_queries, reconciled):
    unit, area = str(cast.places.unit_a.public_id), str(cast.places.street_a.public_id)
    api_get("unit", "reconciliation", unit=unit)
    api_get("street", "reconciliation", area=area)
    # token + user, role grants, the unit; roster (members, check-ins) and the period's rate
    with django_assert_max_num_queries(6):
        assert api_get("unit", "reconciliation", unit=unit).status_code == 200
    # token + user, role grants, the area; totals, oldest pending, top units, rate; children,
    # their check-ins, their members
    with django_assert_max_num_queries(10):
        assert api_get("street", "reconciliation", area=area).status_code == 200
