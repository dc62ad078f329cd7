"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2/: other city systems and
apps list the services (our leaf case categories), file a request (a case) with an API key, and follow it.

- ``discovery.json``, ``services.json``, ``services/<service_code>.json``, ``requests.json`` (GET with
  the spec's filters, POST), ``requests/<service_request_id>.json``. JSON only: any other format (.xml)
  answers 400, and discovery says so. Field names and types are the spec's; datetimes are ISO 8601 with
  the offset (2026-12-05T09:30:00+08:00).
- Errors are the spec's: a JSON array of ``{"code", "description"}`` with HTTP 400 (bad or missing
  input), 403 (``api_key`` missing, unknown or revoked, or the key's area does not hold the place) or
  404 (no such service or request).
- A service request is a case: ``service_request_id`` is its number, ``service_code`` its category's
  code, ``status`` open (triage, dispatched, handling) or closed (resolved, closed, merged).
- Privacy: the GETs are public, as the spec has them, so they show only what a notice board would —
  the category, the title (as ``description``), the state, the street and community (``address``, with
  the community's division code as ``address_id``), coordinates rounded to three decimals (about 100 m),
  the lead handler's name and the deadline. Never the reporter, the building, the address as reported,
  the description or the result. A submitting system that passes its own ``api_key`` sees, for the
  requests it filed, the description, the address as sent, the exact coordinates and the result.
- Where a POSTed request is: ``address_id`` (a building's or compound's public id, a grid's code, or a
  community's or street's division code), else ``jurisdiction_id`` when it is a community's or street's
  division code, else the key's own area when that is a community or a street; otherwise 400 saying so.
  The key's user files the case through ``cases.actions.report_case`` (source ``open311``), inside the
  key's area only.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from cases import actions, keys
from cases.models import (
    OPEN_CASE_STATES,
    Case,
    CaseCategory,
    CaseDispatch,
    CaseState,
    DispatchRole,
    DispatchState,
    Open311Key,
)
from places.models import Area, AreaLevel, Building, Compound, Grid
from places.paths import subtree_q

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-04T00:00:00+08:00"  # when this endpoint's behaviour last changed
DEFAULT_DAYS = 90  # the spec's default window, and the widest a start_date/end_date span may be
MAX_REQUESTS = 1000  # the spec's default limit
PUBLIC_DECIMALS = 3  # about 100 m: where, not whose door


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def _errors(status: int, *descriptions: str) -> JsonResponse:
    body = [{"code": status, "description": str(d)} for d in descriptions]
    return JsonResponse(body, status=status, safe=False)


def _json(body, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def open311_view(view):
    """Only JSON; an Open311Error becomes the spec's error array."""

    def wrapped(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
        if fmt != "json":
            return _errors(400, _("Only JSON is served here: ask for .json (XML is not supported)."))
        try:
            return view(request, *args, **kwargs)
        except Open311Error as exc:
            return _errors(exc.status, exc.description)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _param(data, name: str, limit: int = 2000) -> str:
    value = data.get(name, "")
    value = value.strip() if isinstance(value, str) else ""
    if "\x00" in value:
        raise Open311Error(400, _("%(name)s may not contain NUL characters.") % {"name": name})
    return value[:limit]


def _jurisdiction(data) -> Area | None:
    """The area ``jurisdiction_id`` names (a division code), None when not given; unknown: 400."""
    code = _param(data, "jurisdiction_id", 64)
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise Open311Error(
            400, _("jurisdiction_id %(id)s is not known: give a division code of this city.") % {"id": code}
        )
    return area


def _key(data, query=None) -> Open311Key | None:
    """The active key ``api_key`` names (in the body, else the query string), or None."""
    raw = _param(data, "api_key", 200) or (_param(query, "api_key", 200) if query is not None else "")
    return keys.key_for(raw)


# --- discovery and services -------------------------------------------------------------------------


@require_GET
@open311_view
def discovery(request: HttpRequest) -> HttpResponse:
    """Where the endpoint is, which specification and formats it follows, and how to get a key."""
    url = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "json"})).rsplit("/", 1)[0]
    return _json(
        {
            "changeset": CHANGESET,
            "contact": _("The platform administrator of this city's Gongjian."),
            "key_service": _(
                "Reading is open to all. To file requests, ask the platform administrator for an API key "
                "for your system; send it as api_key. Only JSON (.json) is served."
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": url,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


def _services() -> QuerySet[CaseCategory]:
    return (
        CaseCategory.objects.active()
        .leaves()
        .select_related("parent")
        .order_by("parent__sort", "sort", "code")
    )


@require_GET
@open311_view
def services(request: HttpRequest) -> HttpResponse:
    """The case categories a request can be filed under (the leaves of the tree)."""
    _jurisdiction(request.GET)
    return _json(
        [
            {
                "service_code": c.code,
                "service_name": c.name,
                "description": c.description,
                "metadata": False,
                "type": "realtime",
                "keywords": c.keywords,
                "group": c.parent.name if c.parent_id else "",
            }
            for c in _services()
        ]
    )


@require_GET
@open311_view
def service_definition(request: HttpRequest, code: str) -> HttpResponse:
    """A service's attributes: none (every service says metadata false), but the definition of a known
    service still answers, with an empty list; an unknown code is 404."""
    _jurisdiction(request.GET)
    category = _services().filter(code=code[:32]).first()
    if category is None:
        raise Open311Error(404, _("service_code %(code)s not found.") % {"code": code[:32]})
    return _json({"service_code": category.code, "attributes": []})


# --- requests: reading ----------------------------------------------------------------------------


def _status(case: Case) -> str:
    return "open" if case.state in OPEN_CASE_STATES else "closed"


def _lead(case: Case) -> CaseDispatch | None:
    return case.leads[0] if case.leads else None


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), PUBLIC_DECIMALS)


def request_out(case: Case, key: Open311Key | None = None) -> dict:
    """One service request as the spec names its fields; the private ones only for the system that filed
    it (``key``)."""
    own = key is not None and case.submitted_via_id == key.pk
    place = case.community or case.street
    lead = _lead(case)
    notes = case.get_state_display()
    if case.state == CaseState.MERGED and case.merged_into_id:
        notes = _("Merged into case %(number)s") % {"number": case.merged_into.number}
    elif own and case.result and case.state in (CaseState.RESOLVED, CaseState.CLOSED):
        notes = case.result
    public_address = " ".join(dict.fromkeys([case.street.name, place.name]))
    return {
        "service_request_id": case.number,
        "status": _status(case),
        "status_notes": notes,
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": (case.description or case.title) if own else case.title,
        "agency_responsible": lead.unit.name if lead else "",
        "service_notice": _notice(case.category),
        "requested_datetime": _iso(case.reported_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _iso(case.due_at),
        "address": (case.address or public_address) if own else public_address,
        "address_id": place.code,
        "zipcode": "",
        "lat": float(case.latitude) if own and case.latitude is not None else _rounded(case.latitude),
        "long": float(case.longitude) if own and case.longitude is not None else _rounded(case.longitude),
        "media_url": "",
    }


def _notice(category: CaseCategory) -> str:
    return _("Handled within %(n)d working days.") % {"n": category.deadline_days}


def _requests() -> QuerySet[Case]:
    leads = CaseDispatch.objects.filter(
        role=DispatchRole.LEAD, state__in=(DispatchState.AWAITING, DispatchState.ACCEPTED, DispatchState.DONE)
    ).select_related("unit")
    return Case.objects.select_related("category", "street", "community", "merged_into").prefetch_related(
        Prefetch("dispatches", queryset=leads, to_attr="leads")
    )


def _moment(data, name: str) -> datetime | None:
    """A W3C datetime (2026-12-05T09:30:00+08:00, …Z) or a day; without a zone, local time. Bad: 400."""
    text = _param(data, name, 64)
    if not text:
        return None
    try:
        if "T" in text:
            text = text.replace(" ", "+")  # a "+" left unescaped in a query string arrives as a space
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:
        moment = None
    if moment is None or not 2000 <= moment.year <= 2099:
        raise Open311Error(
            400, _("%(name)s must be a W3C datetime such as 2026-12-05T09:30:00+08:00.") % {"name": name}
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _listed(request: HttpRequest) -> QuerySet[Case]:
    data = request.GET
    cases = _requests()
    ids = [i.strip() for i in _param(data, "service_request_id").split(",") if i.strip()]
    if ids:  # the spec: the ids given override every other filter
        return cases.filter(number__in=ids[:MAX_REQUESTS])
    area = _jurisdiction(data)
    if area is not None:
        cases = cases.filter(subtree_q("area_path", area.path))
    codes = [c.strip() for c in _param(data, "service_code").split(",") if c.strip()]
    if codes:
        known = set(_services().filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise Open311Error(400, _("service_code %(code)s not found.") % {"code": ", ".join(unknown)})
        cases = cases.filter(category__code__in=codes)
    statuses = {s.strip() for s in _param(data, "status").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status is open or closed (or both, comma separated)."))
    if statuses == {"open"}:
        cases = cases.filter(state__in=OPEN_CASE_STATES)
    elif statuses == {"closed"}:
        cases = cases.exclude(state__in=OPEN_CASE_STATES)
    start, end = _moment(data, "start_date"), _moment(data, "end_date")
    window = timedelta(days=DEFAULT_DAYS)
    if start and end and end - start > window:
        raise Open311Error(
            400, _("start_date and end_date may not span more than %(n)d days.") % {"n": DEFAULT_DAYS}
        )
    if start and end is None:
        end = min(start + window, timezone.now())
    end = end or timezone.now()
    start = start or end - window
    return cases.filter(reported_at__gte=start, reported_at__lte=end)


@csrf_exempt  # other systems post here with an api_key, not from our pages
@require_http_methods(["GET", "POST"])
@open311_view
def requests_view(request: HttpRequest) -> HttpResponse:
    """GET: the service requests of the last 90 days (at most 1000, newest first), filtered as the spec
    says. POST: file one."""
    if request.method == "POST":
        return _file(request)
    key = _key(request.GET)
    cases = _listed(request).order_by("-reported_at", "-id")[:MAX_REQUESTS]
    return _json([request_out(case, key) for case in cases])


@require_GET
@open311_view
def request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    """One service request, as an array of one (the spec's shape)."""
    _jurisdiction(request.GET)
    case = _requests().filter(number=request_id[:20]).first()
    if case is None:
        raise Open311Error(404, _("service_request_id %(id)s not found.") % {"id": request_id[:20]})
    return _json([request_out(case, _key(request.GET))])


# --- requests: filing -----------------------------------------------------------------------------


def _post_data(request: HttpRequest):
    """The spec posts form fields; a JSON object is read too."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise Open311Error(400, _("The body is not JSON.")) from exc
        if not isinstance(data, dict):
            raise Open311Error(400, _("The body must be a JSON object of the spec's fields."))
        return {k: v if isinstance(v, str) else "" if v is None else json.dumps(v) for k, v in data.items()}
    return request.POST


def _place(data, key: Open311Key) -> dict:
    """The most precise place the request names (see the module's docstring); 400 when none."""
    address_id = _param(data, "address_id", 64)
    if address_id:
        try:
            as_uuid = uuid.UUID(address_id)
        except ValueError:
            as_uuid = None
        if as_uuid is not None:
            building = Building.objects.filter(public_id=as_uuid).first()
            if building is not None:
                return {"building": building}
            compound = Compound.objects.filter(public_id=as_uuid).first()
            if compound is not None:
                return {"compound": compound}
        grid = Grid.objects.filter(code=address_id).first()
        if grid is not None:
            return {"grid": grid}
        area = Area.objects.filter(code=address_id, level__in=(AreaLevel.COMMUNITY, AreaLevel.STREET)).first()
        if area is not None:
            return {area.level: area}
        raise Open311Error(
            400,
            _(
                "address_id %(id)s is not known: give a building's or compound's id, a grid's code, or a "
                "community's or street's division code."
            )
            % {"id": address_id},
        )
    for area in (_jurisdiction(data), key.area):
        if area is not None and area.level in (AreaLevel.COMMUNITY, AreaLevel.STREET):
            return {area.level: area}
    raise Open311Error(
        400,
        _(
            "Cannot tell where the problem is: give address_id (a building, compound, grid, community or "
            "street), or jurisdiction_id as a community's or street's division code."
        ),
    )


def _coordinate(data, name: str) -> float | None:
    text = _param(data, name, 32)
    if not text:
        return None
    try:
        value = round(float(text), 6)
    except ValueError:
        value = None
    bound = 90 if name == "lat" else 180
    if value is None or not -bound <= value <= bound:
        raise Open311Error(
            400, _("%(name)s must be a number between -%(n)d and %(n)d.") % {"name": name, "n": bound}
        )
    return value


def _file(request: HttpRequest) -> HttpResponse:
    data = _post_data(request)
    key = _key(data, request.GET)
    if key is None:
        return _errors(403, _("api_key was not provided, or is not a valid key (it may have been revoked)."))
    code = _param(data, "service_code", 64)
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    category = _services().filter(code=code).first()
    if category is None:
        raise Open311Error(400, _("service_code %(code)s not found.") % {"code": code})
    lat, long = _coordinate(data, "lat"), _coordinate(data, "long")
    address = _param(data, "address_string", 200)
    if (lat is None) != (long is None):
        raise Open311Error(400, _("Give both lat and long, or neither."))
    if lat is None and not address and not _param(data, "address_id", 64):
        raise Open311Error(400, _("A location is required: lat and long, address_string or address_id."))
    place = _place(data, key)
    description = _param(data, "description", 2000)
    media_url = _param(data, "media_url", 500)
    if media_url:
        description = f"{description}\n\n{media_url}".strip()[:2000]
    title = (description.splitlines()[0] if description else category.name)[:80]
    name = f"{_param(data, 'last_name', 32)}{_param(data, 'first_name', 32)}"[:32]
    try:
        case = actions.report_case(
            acting_user=key.user,
            key=key,
            title=title,
            category=category,
            description=description,
            address=address,
            latitude=lat,
            longitude=long,
            reporter_name=name,
            reporter_phone=_param(data, "phone", 20),
            request=request,
            **place,
        )
    except PermissionDenied as exc:
        return _errors(403, str(exc))
    except ValidationError as exc:
        return _errors(400, *exc.messages)
    body = [{"service_request_id": case.number, "service_notice": _notice(category), "account_id": None}]
    return _json(body, status=201)


app_name = "open311"

urlpatterns = [
    path("discovery.<slug:fmt>", discovery, name="discovery"),
    path("services.<slug:fmt>", services, name="services"),
    path("services/<str:code>.<slug:fmt>", service_definition, name="service_definition"),
    path("requests.<slug:fmt>", requests_view, name="requests"),
    path("requests/<str:request_id>.<slug:fmt>", request_detail, name="request"),
]
