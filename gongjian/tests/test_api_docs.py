"""The OpenAPI document and the interactive docs (served from local files, no CDN)."""

import re

import pytest
from django.contrib.staticfiles import finders

COLLECTIONS = [
    "areas",
    "party-orgs",
    "units",
    "members",
    "residents",
    "grids",
    "compounds",
    "buildings",
    "applicants",
    "commercial-buildings",
    "trade-unions",
    "youth-league-orgs",
    "cases",
]


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_lists_every_collection(openapi):
    assert openapi["openapi"].startswith("3.")
    paths = openapi["paths"]
    for collection in COLLECTIONS:
        assert f"/api/v1/{collection}" in paths, collection
        detail = [p for p in paths if re.fullmatch(rf"/api/v1/{collection}/\{{\w+\}}", p)]
        assert detail, collection
    assert "/api/v1/auth/token" in paths
    assert "/api/v1/members/{member_id}/reveal" in paths
    assert "/api/v1/case-categories" in paths


def test_openapi_describes_paging_filters_and_auth(openapi):
    members = openapi["paths"]["/api/v1/members"]["get"]
    params = {p["name"]: p for p in members["parameters"]}
    assert {"limit", "offset", "q", "status", "in_service", "unit", "area"} <= set(params)
    assert params["limit"]["schema"]["maximum"] == 200 and params["limit"]["schema"]["default"] == 50
    page = members["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(openapi["components"]["schemas"][page]["properties"]) == {
        "items",
        "count",
        "count_exact",
        "has_more",
    }
    assert {"BearerAuth", "SessionAuth"} <= set(openapi["components"]["securitySchemes"])
    areas = {p["name"] for p in openapi["paths"]["/api/v1/areas"]["get"]["parameters"]}
    assert {"parent", "level"} <= areas


def test_schemas_show_masked_numbers_only(openapi):
    for name in ("MemberOut", "ResidentOut", "ApplicantOut"):
        props = set(openapi["components"]["schemas"][name]["properties"])
        assert {"phone_masked", "id_number_masked"} <= props
        assert not props & {
            "phone",
            "id_number",
            "phone_cipher",
            "id_number_cipher",
            "phone_hint",
            "id_number_hint",
            "birth_date",
            "pk",
        }


def test_docs_page_uses_local_assets_only(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"https?://", html), "the docs page must not load anything from the network"
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert '"validatorUrl": null' in html  # no document sent to validator.swagger.io


@pytest.mark.parametrize(
    "asset", ["ninja/swagger-ui.css", "ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js"]
)
def test_docs_assets_are_served_from_the_package(client, asset):
    assert finders.find(asset), f"{asset} is not collected: 'ninja' must be in INSTALLED_APPS"
    response = client.get(f"/static/{asset}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_openapi_document_is_built_once_per_process(client, db, monkeypatch):
    """Building the document walks every schema (430 ms): the second request reads the first's."""
    import ninja.main

    from gongjian.api import api

    builds = []
    real_get_schema = ninja.main.get_schema

    def counting_get_schema(**kwargs):
        builds.append(kwargs["path_prefix"])
        return real_get_schema(**kwargs)

    monkeypatch.setattr(ninja.main, "get_schema", counting_get_schema)
    api.forget_openapi_schema()
    first = client.get("/api/v1/openapi.json")
    second = client.get("/api/v1/openapi.json")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert len(builds) == 1
    assert "ErrorOut" in second.json()["components"]["schemas"]  # the shared answers, once too
