"""Input no field may hold answers 422 with a clear message, before any view or database sees it.

Found by an attacker's pass: on PostgreSQL a NUL in any text reached the database and failed there,
a lone surrogate failed to encode anywhere, and an offset of 2**63 failed in every list (500).
"""

import pytest
from django.test import Client

from audit.models import AuditEvent
from gongjian.api_shapes import MAX_OFFSET

TOKEN_URL = "/api/v1/auth/token"


@pytest.fixture
def anyone():
    """A client that answers a server error with a 500 response, as the server would, not a raise."""
    return Client(raise_request_exception=False)


def post_raw(client, url, body, headers=None):
    return client.post(url, body, content_type="application/json", headers=headers or {})


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('{"username": "a\\u0000b", "password": "secret-123"}', "username"),
        ('{"username": "street", "password": "a\\ud800b"}', "password"),
        ('{"username": "a\\udfffb", "password": "secret-123"}', "username"),
    ],
    ids=["nul", "lone-high-surrogate", "lone-low-surrogate"],
)
def test_unstorable_text_in_a_body_is_422(anyone, cast, body, where):
    response = post_raw(anyone, TOKEN_URL, body)
    assert response.status_code == 422
    answer = response.json()
    assert answer["detail"] == (
        f"Invalid input: {where}: Text may not contain NUL characters or lone surrogates."
    )
    assert answer["errors"] == [
        {
            "loc": ["body", where],
            "msg": "Text may not contain NUL characters or lone surrogates.",
            "type": "unstorable_text",
        }
    ]
    # Refused before authenticate(): no failed sign-in is recorded, nothing is counted.
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_a_valid_surrogate_pair_is_fine(anyone, cast):
    response = post_raw(anyone, TOKEN_URL, '{"username": "\\ud83d\\ude00", "password": "secret-123"}')
    assert response.status_code == 401  # an emoji is text; it is just nobody's name


def test_unstorable_text_nested_in_a_body_names_its_place(anyone, cast, bearer):
    body = '{"unit": "' + str(cast.places.unit_a.public_id) + '", "members": ["x\\u0000"]}'
    response = post_raw(anyone, "/api/v1/checkins/batch", body, bearer("unit"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "members", 0]


def test_nul_in_a_query_string_is_422(anyone, cast, bearer):
    response = anyone.get("/api/v1/areas", {"q": "a\x00b"}, headers=bearer("street"))
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Invalid input: q: Text may not contain NUL characters or lone surrogates."
    )


@pytest.mark.parametrize(
    "path",
    ["areas", "grids", "members", "units", "party-orgs", "checkins", "needs", "rewards", "points/entries"],
)
def test_an_offset_past_any_database_is_422_on_every_list(anyone, cast, bearer, path):
    response = anyone.get(f"/api/v1/{path}", {"offset": 2**63}, headers=bearer("admin"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "offset"]
    assert anyone.get(f"/api/v1/{path}", {"offset": MAX_OFFSET}, headers=bearer("admin")).status_code == 200


@pytest.mark.parametrize("value", [str(2**63), str(-(2**63) - 1), "9" * 5000])
def test_an_integer_past_64_bits_in_a_query_is_422_whatever_the_parameter(anyone, cast, bearer, value):
    response = anyone.get("/api/v1/members", {"q": value}, headers=bearer("street"))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["query", "q"], "msg": "Number out of range.", "type": "number_too_big"}
    ]
    # the largest 64-bit integers are still numbers like any other
    assert anyone.get("/api/v1/members", {"q": str(2**63 - 1)}, headers=bearer("street")).status_code == 200


@pytest.mark.parametrize("number", [str(2**63), "1e30", "1e400", "-1e400"])
def test_a_number_past_64_bits_in_a_body_is_422(anyone, cast, bearer, number):
    body = '{"code": "x", "added": ' + number + "}"
    response = post_raw(anyone, "/api/v1/checkins/confirm-by-code", body, bearer("community"))
    assert response.status_code == 422
    assert response.json()["detail"] == "Invalid input: body: Number out of range."


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_that_is_not_json_is_400(anyone, cast, bearer, constant):
    body = '{"code": ' + constant + "}"
    response = post_raw(anyone, "/api/v1/checkins/confirm-by-code", body, bearer("community"))
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Cannot parse request body")
