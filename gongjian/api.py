"""The versioned REST API: /api/v1/, OpenAPI document at /api/v1/openapi.json, docs at /api/v1/docs.

Each app owns its router (``<app>/api.py``); this module only mounts them. Authentication for every
endpoint but ``POST /auth/token``: a bearer token, or the browser's session (accounts/api.py).
Errors are JSON ``{"detail": ...}``: 401 not signed in, 403 wrong role, 404 missing or outside
the caller's scope (the same answer), 422 invalid input.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from accounts.api import API_AUTH
from accounts.api import router as accounts_router
from orgs.api import router as orgs_router
from people.api import router as people_router
from places.api import router as places_router


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


api = NinjaAPI(
    title="Gongjian API",
    version="1",
    description="共建 — urban grassroots party building. Lists answer {items, count} with limit/offset paging.",
    urls_namespace="api",
    auth=API_AUTH,
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


api.add_router("", accounts_router)
api.add_router("", places_router)
api.add_router("", orgs_router)
api.add_router("", people_router)
api.add_router("", "checkin.api.router")
api.add_router("", "service.api.router")
api.add_router("", "service.post_api.router")
api.add_router("", "service.unit_api.router")
api.add_router("", "service.record_api.router")
api.add_router("", "points.api.router")
