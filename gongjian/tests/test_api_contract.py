"""The API's own contract: the OpenAPI document describes what the API really answers.

Regressions: ``?level=`` on grids always answered 422; validation errors answered ``detail`` as a
list where the document says a string; two schemas named EventOut made the documented check-in
events require fields they lack; a POST with a bad bearer token answered 403 "CSRF check failed".
"""

import enum
import json
from collections import defaultdict

import jsonschema_rs
import pytest
from django.test import Client
from ninja.params.models import ParamModel
from pydantic import BaseModel

from accounts.actions import issue_api_token
from checkin import actions as checkin_actions
from gongjian.api import api

API = "/api/v1/"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def openapi(client, db):
    return client.get("/api/v1/openapi.json").json()


def operations(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def validator(openapi, ref):
    """A JSON-schema validator for one documented schema, resolving refs inside the document."""
    return jsonschema_rs.validator_for({**openapi, "$ref": ref})


def response_ref(openapi, path, method, status):
    content = openapi["paths"][path][method]["responses"][str(status)]["content"]
    return content["application/json"]["schema"]["$ref"]


# --- ?level= on grids -----------------------------------------------------------------------------


@pytest.mark.parametrize("level", [1, 2, 3])
def test_grids_filter_by_level(cast, api_get, level):
    response = api_get("admin", "grids", level=level)
    assert response.status_code == 200, response.json()
    levels = {grid["level"] for grid in response.json()["items"]}
    assert levels == {level}


@pytest.mark.parametrize("level", [0, 4, "one"])
def test_grids_refuse_other_levels(cast, api_get, level):
    assert api_get("admin", "grids", level=level).status_code == 422


# --- one shape for every error --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("members", {"limit": 0}, "limit"),
        ("members", {"status": "nonsense"}, "status"),
        ("areas", {"level": "galaxy"}, "level"),
        ("members/not-a-uuid", {}, "member_id"),
    ],
)
def test_invalid_input_answers_a_sentence_and_the_fields(cast, api_get, path, params, field):
    response = api_get("admin", path, **params)
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"].startswith(f"Invalid input: {field}: ")
    assert [error["loc"][-1] for error in body["errors"]] == [field]
    assert all(set(error) == {"loc", "msg", "type"} for error in body["errors"])


def test_invalid_body_names_the_field_not_the_argument(cast, api_post):
    response = api_post("unit", "checkins/batch", {"unit": "not-a-uuid", "members": []})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("Invalid input: unit: ") and "members: " in detail and "payload" not in detail


def test_every_error_answer_matches_its_documented_schema(openapi, cast, api_get, api_post):
    """A 422 of ninja's (a list before), an action's refusal, a 404 and a 403 all fit ErrorOut."""
    error = validator(openapi, "#/components/schemas/ErrorOut")
    answers = [
        api_get("admin", "members", limit=0),
        api_post("community", "checkins/confirm-by-code", {"code": "forged"}),
        api_get("street", "members/00000000-0000-0000-0000-000000000000"),
        api_get("member", "members"),
    ]
    assert [a.status_code for a in answers] == [422, 422, 404, 403]
    for answer in answers:
        assert error.is_valid(answer.json()), answer.json()


def test_the_document_lists_the_answers_every_operation_can_give(openapi):
    undocumented = []
    for path, method, operation in operations(openapi):
        responses = operation["responses"]
        expected = set()
        if operation.get("security"):
            expected |= {"401"} | ({"403"} if operation.get("x-roles") != "any signed-in user" else set())
        if any(p["in"] == "path" or "uuid" in str(p["schema"]) for p in operation.get("parameters", [])):
            expected.add("404")
        if operation.get("parameters") or "requestBody" in operation:
            expected.add("422")
        if "requestBody" in operation:
            expected.add("400")
        missing = expected - set(responses)
        if missing:
            undocumented.append((method.upper(), path, sorted(missing)))
        for status in expected:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
    assert not undocumented
    error = openapi["components"]["schemas"]["ErrorOut"]
    assert error["properties"]["detail"]["type"] == "string" and error["required"] == ["detail"]
    assert openapi["paths"]["/api/v1/me"]["get"]["x-roles"] == "any signed-in user"
    assert "403" not in openapi["paths"]["/api/v1/me"]["get"]["responses"]


# --- one name, one schema -------------------------------------------------------------------------


def _named_types(annotation, found):
    """Every pydantic model and enum reachable from a type annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found.get(annotation.__name__, set()):
            return
        # ninja's wrappers (parameters of one source, an operation's response) never reach the
        # document under their own names; what they hold does
        if not issubclass(annotation, ParamModel) and annotation.__name__ != "NinjaResponseSchema":
            found.setdefault(annotation.__name__, set()).add(annotation)
        for field in annotation.model_fields.values():
            _named_types(field.annotation, found)
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.setdefault(annotation.__name__, set()).add(annotation)
    for argument in getattr(annotation, "__args__", ()) or ():
        _named_types(argument, found)


def _definition(cls) -> str:
    if issubclass(cls, enum.Enum):
        return json.dumps([member.value for member in cls])
    modes = [cls.model_json_schema(mode=mode) for mode in ("validation", "serialization")]
    return json.dumps(modes, sort_keys=True, default=str)


def test_no_two_schemas_share_a_name():
    """The document keeps one schema per name (ninja overwrites silently): two classes of one name
    make every operation using either describe the last one registered."""
    found: dict[str, set] = defaultdict(set)
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _named_types(model, found)
                for model in operation.response_models.values():
                    _named_types(model, found)
    clashes = {
        name: sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in classes)
        for name, classes in found.items()
        if len({_definition(cls) for cls in classes}) > 1  # ninja makes one Paged<X> per list of X
    }
    assert not clashes


def test_checkin_events_are_documented_as_they_are(openapi, cast, api_get):
    checkin = checkin_actions.submit_checkin(acting_user=cast.unit, member=cast.m_member)
    response = api_get("unit", f"checkins/{checkin.public_id}")
    assert response.status_code == 200
    assert response.json()["events"], "a submitted check-in has its submission event"
    ref = response_ref(openapi, "/api/v1/checkins/{checkin_id}", "get", 200)
    errors = [e.message for e in validator(openapi, ref).iter_errors(response.json())]
    assert not errors
    events = openapi["components"]["schemas"]["CheckInDetailOut"]["properties"]["events"]["items"]
    assert events == {"$ref": "#/components/schemas/CheckInEventOut"}


# --- 401 before CSRF ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "auth/token/revoke"), ("post", "checkins/batch"), ("get", "me"), ("get", "members")],
)
@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Bearer ", "Token abc"])
def test_a_bad_or_missing_bearer_is_401_on_any_method_whatever_csrf(cast, method, path, header):
    strict = Client(enforce_csrf_checks=True)
    headers = {"Authorization": header} if header else {}
    response = getattr(strict, method)(API + path, headers=headers, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith("Bearer ")
    assert ('error="invalid_token"' in challenge) == (header is not None)


def test_a_bad_bearer_does_not_fall_back_to_the_session(cast):
    strict = Client(enforce_csrf_checks=True)
    cast.login(strict, "street")
    assert strict.get(API + "me").status_code == 200  # the session alone works
    assert strict.get(API + "me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_a_session_post_without_csrf_is_still_refused(cast):
    strict = Client(enforce_csrf_checks=True)
    cast.login(strict, "street")
    response = strict.post(API + "auth/token/revoke")
    assert response.status_code == 403
    token = issue_api_token(acting_user=cast.street)
    with_token = Client(enforce_csrf_checks=True).post(
        API + "auth/token/revoke", headers={"Authorization": f"Bearer {token}"}
    )
    assert with_token.status_code == 200
