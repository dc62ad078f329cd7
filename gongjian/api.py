"""The versioned REST API: /api/v1/, OpenAPI document at /api/v1/openapi.json, docs at /api/v1/docs.

Each app owns its router (``<app>/api.py``); this module mounts them and answers errors the same way
for all of them. Authentication for every endpoint but ``POST /auth/token``: a bearer token, or the
browser's session (accounts/api.py). Errors are JSON ``{"detail": "<what went wrong>"}`` (ErrorOut):
400 unreadable body, 401 not signed in (with ``WWW-Authenticate: Bearer``), 403 wrong role, 404
missing or outside the caller's scope (the same answer), 422 invalid input (with ``errors``, one per
refused field). The OpenAPI document lists these answers on every operation that can give them.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.openapi.schema import REF_TEMPLATE, NinjaGenerateJsonSchema
from ninja.parser import Parser

from accounts.api import API_AUTH
from accounts.api import router as accounts_router
from gongjian.api_shapes import ANY_SIGNED_IN_USER, ErrorOut
from orgs.write_api import router as orgs_router  # orgs.api's router, with the registry's writes
from people.api import router as people_router
from places.write_api import router as places_router  # places.api's, with the writes

# No database column holds an integer outside 64 bits; past it SQLite and PostgreSQL both fail.
INT64 = 2**63
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL, and surrogates no UTF-8 text can hold
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


class StrictParser(Parser):
    """Ninja's parser, refusing (422) what no field may hold, before any view sees it: the NUL
    character (PostgreSQL text cannot store it) and lone surrogates (UTF-8 cannot encode them) in any
    text, and numbers outside 64 bits or not finite (no column holds them) in a JSON body or a query
    string. A query value made only of digits counts as a number, whatever the parameter."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(
            request.body, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
        )
        problems = list(_unstorable(data, ["body"]))
        if problems:
            raise ValidationError(problems)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        source = "query" if data is request.GET else "form"
        problems = []
        for key, values in data.lists():
            for value in values:
                if isinstance(value, str):
                    problems.extend(_unstorable(value, [source, key]))
                    if _INTEGER.fullmatch(value) and not _fits_int64(value):
                        problems.append(_problem([source, key], _("Number out of range."), "number_too_big"))
        if problems:
            raise ValidationError(problems)
        return super().parse_querydict(data, list_fields, request)


def _problem(loc: list, msg: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


def _unstorable(value: Any, loc: list):
    """A problem for each text in ``value`` (keys included) that no database can store."""
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            yield _problem(
                loc, _("Text may not contain NUL characters or lone surrogates."), "unstorable_text"
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unstorable(key, [*loc, "(key)"])
            yield from _unstorable(item, [*loc, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable(item, [*loc, index])


def _fits_int64(digits: str) -> bool:
    try:
        return -INT64 <= int(digits) < INT64
    except ValueError:  # more digits than Python converts (4300)
        return False


def _out_of_range() -> ValidationError:
    return ValidationError([_problem(["body"], _("Number out of range."), "number_too_big")])


def _json_int(digits: str) -> int:
    if not _fits_int64(digits):
        raise _out_of_range()
    return int(digits)


def _json_float(text: str) -> float:
    value = float(text)
    # A float with no fraction passes as an int too (1e30 → int): the same bound applies.
    if not math.isfinite(value) or abs(value) >= INT64:
        raise _out_of_range()
    return value


def _json_constant(name: str):
    raise ValueError(f"{name} is not JSON")


class LocalSwagger(Swagger):
    """Swagger UI from the files django-ninja ships (served as /static/ninja/…), never from a CDN.

    Ninja falls back to a CDN page when "ninja" is missing from INSTALLED_APPS; here that case
    fails loudly (TemplateDoesNotExist) instead, since the government networks are often offline.
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        # add_csrf: the session (one of API_AUTH) needs the CSRF token on unsafe methods.
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api, "add_csrf": True}
        return render(request, self.template, context)


class GongjianAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document lists the answers every operation shares (see
    ``document_shared_answers``), so that the document describes what the API really answers.

    The document is built once per process and language: building it walks every operation's
    schemas (about 1,400 pydantic schema builds, 430 ms), and it can only change with the code.
    The cached dict is shared: callers must not change it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.openapi_documents: dict[tuple[str | None, str, str], dict] = {}

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None):
        key = (path_prefix, json.dumps(path_params or {}, sort_keys=True), get_language() or "")
        schema = self.openapi_documents.get(key)
        if schema is None:
            schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
            document_shared_answers(schema)
            self.openapi_documents[key] = schema
        return schema

    def forget_openapi_schema(self) -> None:
        """Build the document afresh on the next request (tests that change the routes)."""
        self.openapi_documents.clear()


SHARED_ANSWERS = {
    400: "The body is not JSON.",
    401: "Not signed in: no, unknown, expired or revoked bearer token, and no browser session.",
    403: "Your role may not use this endpoint.",
    404: "Not found, or outside your scope (the same answer).",
    422: "Invalid input: detail says what, errors lists each refused field.",
}


def document_shared_answers(schema: dict) -> None:
    """Add to each operation the error answers it can give whatever its router declared: 401 and 403
    when it needs a signed-in caller (403 unless any signed-in user may call it), 404 when its path or
    a query parameter names an object (one outside the caller's scope is missing), 422 when it takes
    any input, 400 when that input is a body. All are ErrorOut."""
    components = schema["components"]["schemas"]
    error_schema = ErrorOut.model_json_schema(
        ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
    )
    components.update(error_schema.pop("$defs", {}))
    components["ErrorOut"] = error_schema
    for operations in schema["paths"].values():
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            answers = set()
            if operation.get("security"):
                answers.add(401)
                if operation.get("x-roles") != ANY_SIGNED_IN_USER["x-roles"]:
                    answers.add(403)
            if any(p["in"] == "path" or _names_an_object(p) for p in parameters):
                answers.add(404)
            if parameters or "requestBody" in operation:
                answers.add(422)
            if "requestBody" in operation:
                answers.add(400)
            responses = operation["responses"]
            for status in sorted(answers):
                if status not in responses and str(status) not in responses:
                    responses[status] = {
                        "description": SHARED_ANSWERS[status],
                        "content": {
                            "application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorOut")}}
                        },
                    }


def _names_an_object(parameter: dict) -> bool:
    schema = parameter.get("schema", {})
    options = [schema, *schema.get("anyOf", [])]
    return any(option.get("format") == "uuid" for option in options)


api = GongjianAPI(
    title="Gongjian API",
    version="1",
    description="共建 — urban grassroots party building. Lists answer {items, count} with limit/offset paging.",
    urls_namespace="api",
    auth=API_AUTH,
    parser=StrictParser(),
    # validatorUrl None: Swagger UI would otherwise send the document to validator.swagger.io.
    docs=LocalSwagger(settings={"validatorUrl": None}),
)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # One body for "missing" and "outside your scope", in DEBUG too (ninja would add the reason).
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Forbidden.")}, status=403)


@api.exception_handler(DjangoValidationError)
def _invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=422)


@api.exception_handler(ValidationError)
def _invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Ninja's refusal of the input (types, bounds, choices, FilterSets, StrictParser): the detail in
    words, as on every other error, and each refused field in ``errors``."""
    errors = [
        {
            "loc": list(error.get("loc", ())),
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors
    ]
    problems = "; ".join(f"{_field_name(error['loc'])}: {error['msg']}" for error in errors)
    detail = _("Invalid input: %(problems)s") % {"problems": problems}
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def _field_name(loc: list) -> str:
    """``["query", "level"]`` → level; ``["body", "payload", "reason"]`` → reason (the view's
    argument name, payload, means nothing to the caller)."""
    parts = loc[1:]
    if loc[:1] == ["body"] and len(parts) > 1:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or str(loc[0] if loc else "")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ValidationError):
        # Ninja turns any failure to parse the body into "Cannot parse request body" (400); a body
        # StrictParser refused is readable, only invalid: answer that (422), saying why.
        return _invalid_input(request, exc.__cause__)
    response = api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
    if exc.status_code == 401:
        # RFC 9110: a 401 names the scheme to use (the session needs no challenge).
        response["WWW-Authenticate"] = (
            'Bearer realm="api", error="invalid_token"'
            if "Authorization" in request.headers
            else 'Bearer realm="api"'
        )
    return response


api.add_router("", accounts_router)
api.add_router("", "accounts.onboarding_api.router")
api.add_router("", places_router)
api.add_router("", orgs_router)
api.add_router("", people_router)
api.add_router("", "checkin.api.router")
api.add_router("", "people.transfer_api.router")
api.add_router("", "checkin.move_api.router")
api.add_router("", "service.menu.api.router")
api.add_router("", "service.needs.api.router")
api.add_router("", "service.posts.api.router")
api.add_router("", "service.pairings.api.router")
api.add_router("", "service.resources.api.router")
api.add_router("", "service.projects.api.router")
api.add_router("", "service.records.api.router")
api.add_router("", "points.api.router")
api.add_router("", "cases.api.router")
api.add_router("", "alliances.api.router")
