"""Every URL and every API operation, walked: each answers as its declared role and scope say.

- Anonymous: a page redirects to the sign-in page (the admin to its own), an API operation answers
  401. Public pages are listed below, each with its reason.
- Wrong role: a page that declares roles (``role_required`` keeps them as ``view.required_roles``)
  answers 403 to a cast member holding none of them; a page that declares none is listed below as
  open to any signed-in user, with its reason. An API read answers 403 to a user with no role.
- Outsider: an object's page or API answers 404 to the same role in the other street, exactly as
  for a missing object, while the insider sees it.
A new URL or operation fails here until it is guarded, or listed with a reason.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.scope import scope_for
from checkin import actions as checkin_actions
from notifications.actions import notify

API_PREFIX = "/api/v1"
SOME_ID = uuid.UUID("00000000-0000-4000-8000-000000000000")

PUBLIC_PAGES = {
    "accounts:login": "the sign-in page",
    "accounts:logout": "signing out needs no session: it ends whatever session there is",
    "service:confirm_by_code": "a service's beneficiary confirms it with a one-time code, having no account",
    "set_language": "the language switcher works before signing in",
    "admin:login": "the admin's own sign-in page",
    "admin:logout": "the admin's own sign-out",
    "admin:view_on_site": "Django's redirect to an object's own URL, which guards itself; 404 for none",
    "api:openapi-json": "the API's description: shapes, no data",
    "api:openapi-view": "the API's docs page (Swagger UI from local files), no data",
    "api:api-root": "ninja's root, which only answers 404 naming the docs",
    "favicon": "browsers ask for /favicon.ico on every page, the sign-in page included",
    "health": "the load balancer's health check (gongjian/health.py): check names and OK, no data",
    "accounts:activate": "a member activates an account before having one (phone → SMS code)",
    "accounts:activate_verify": "a member activates an account before having one (code + ID digits)",
    "accounts:activate_printed": "a member activates with a printed code before having an account",
    "accounts:code_sign_in": "signing in by SMS code is a sign-in page",
    "accounts:code_sign_in_verify": "signing in by SMS code is a sign-in page",
    "accounts:register": "a resident registers before having an account",
    "accounts:register_details": "a resident registers before having an account",
    "accounts:register_places": "the compounds and buildings of a community, for the registration form",
    "open311:discovery": "Open311 GeoReport v2 is public by the spec: where the endpoint is and its formats",
    "open311:services": "Open311: the case categories, the same for everyone",
    "open311:service_definition": "Open311: a category's (empty) attributes",
    "open311:requests": "Open311: public fields of cases only (cases/open311.py); filing needs an api_key",
    "open311:request": "Open311: one case's public fields (cases/open311.py)",
    "alliances:public": "the page a member unit's plaque QR points to: public facts only (no people's names or phones)",
    "alliances:calendar_feed": "a calendar app has no session: a signed token in the address names the feed's owner (alliances/pages/calendar.py)",
}

# API operations anyone may call, each with its reason (the rest need a bearer token or a session).
PUBLIC_API = {
    ("post", "/api/v1/auth/token"): "signing in",
    ("post", "/api/v1/auth/token/code"): "signing in by SMS code",
    ("post", "/api/v1/auth/codes"): "asking for a one-time code (activation, registration, sign-in)",
    ("post", "/api/v1/auth/activate"): "a member activates an account before having one",
    ("post", "/api/v1/auth/activate/printed"): "a member activates with a printed code",
    ("post", "/api/v1/auth/register"): "a resident registers before having an account",
}

ANY_SIGNED_IN_PAGES = {
    "portal:home": "everyone's home page, with their own figures",
    "jobs:job_list": "one's own imports and exports (Job.objects.visible_to: the creator, platform admins)",
    "jobs:job_detail": "one's own job",
    "jobs:job_progress": "one's own job",
    "jobs:job_retry": "one's own job",
    "jobs:job_download": "one's own job's file",
    "jobs:export_start": "each export checks its own list's roles (jobs/exports.py)",
    "jobs:export_start_as": "the same export as a .csv: each export checks its own list's roles (jobs/exports.py)",
    "notifications:inbox": "one's own notifications",
    "notifications:mark_all_read": "one's own notifications",
    "notifications:open": "one's own notification",
    "accounts:set_password": "one's own password",
    "accounts:second_factor_verify": "one's own second factor: the code step after signing in",
    "accounts:second_factor_enrol": "one's own second factor: setting it up",
    "accounts:security": "one's own sign-in security (second factor, recovery codes)",
    "picker_options": "a picker's matches among the field's own choices, the user's scope (gongjian/pickers.py)",
    "alliances:meeting_list": "anyone may be invited to a meeting: Meeting.objects.visible_to (invitations, the host's readers)",
    "alliances:meeting_detail": "anyone may be invited to a meeting: Meeting.objects.visible_to; running it asks runs_meeting",
    "alliances:meeting_sign_in": "any invitee signs in by the room's QR code: the action refuses non-invitees",
    "alliances:resolution_list": "Resolution.objects.visible_to: the meeting's readers and the owner unit's people",
    "alliances:resolution_detail": "Resolution.objects.visible_to; each step asks alliances/resolutions.py",
    "alliances:resolution_file": "an evidence file of a resolution the viewer may see (Resolution.objects.visible_to)",
    "alliances:calendar": "one's own calendar subscription address",
}

# A cast member who lacks a view's roles, tried in this order: real roles first, no role last.
WRONG_ROLE_CANDIDATES = (
    "resident",
    "member",
    "dept",
    "inspector",
    "grid",
    "unit",
    "community",
    "street",
    "orgdept",
    "nobody",
)

# (insider, outsider): one role in street A and the same role in street B.
PAIRS = (("street", "street2"), ("community", "community2"), ("unit", "unit2"), ("grid", "grid2"))

# Object pages with a public id: (the cast's object, insider, outsider). PDFs render for the
# insider elsewhere (checkin/tests/test_documents.py); here only the outsider's 404 is asked.
# Also asked of a few pages that only act (POST), where an outsider's try is a 404 too.
OUTSIDER_PAGES = {
    "places:area_detail": ("a1", "street", "street2"),
    "places:compound_detail": ("compound_a1", "street", "street2"),
    "places:building_detail": ("building_a1", "street", "street2"),
    "places:grid_detail": ("grid_a", "street", "street2"),
    "orgs:party_org_detail": ("org_a1", "street", "street2"),
    "orgs:unit_detail": ("unit_a", "street", "street2"),
    "people:member_detail": ("m_member", "street", "street2"),
    "people:resident_detail": ("r_a", "street", "street2"),
    "people:applicant_detail": ("applicant_a", "street", "street2"),
    "checkin:unit_reconciliation": ("unit_a", "unit", "unit2"),
    "checkin:area_reconciliation": ("a1", "community", "community2"),
    "checkin:certificate_pdf": ("checkin", None, "unit2"),
    "checkin:receipt_pdf": ("checkin", None, "unit2"),
    "notifications:open": ("notification", None, "resident"),  # POST: opening marks it read
    # the registries kept by their owners (issue 10); their POST-only pages are asked in places/ and orgs/
    "places:compound_edit": ("compound_a1", "street", "street2"),
    "places:building_new": ("compound_a1", "street", "street2"),
    "places:building_edit": ("building_a1", "street", "street2"),
    "places:grid_edit": ("grid_a", "street", "street2"),
    "places:grid_workers": ("grid_a", "street", "street2"),
    "places:grid_buildings": ("grid_a", "street", "street2"),
    "orgs:party_org_edit": ("org_a1", "street", "street2"),
    "orgs:party_org_merge": ("org_a1", "street", "street2"),
    "orgs:post_new": ("org_a1", "street", "street2"),
    "orgs:unit_edit": ("unit_a", "street", "street2"),
    "orgs:unit_admins": ("unit_a", "street", "street2"),
    "people:resident_edit": ("r_a", "community", "community2"),
    "people:applicant_edit": ("applicant_a", "community", "street2"),
    "people:applicant_advance": ("applicant_a", "unit", "community2"),
    "people:transfer_start": ("m_member", "unit", "unit2"),
    "checkin:member_move": ("m_member", "member", "unit2"),
    "cases:grid_desk": ("grid_a3", "grid", "grid2"),
}

# Object pages not asked here, each with its reason.
OUTSIDERS_ELSEWHERE = {
    "people:member_reveal": "a reveal is audited even when refused: people/tests/test_reveal_hardening.py",
    "people:resident_reveal": "a reveal is audited even when refused: people/tests/test_reveal_hardening.py",
    "jobs:job_detail": "a job is its creator's: jobs/tests/test_job_pages.py",
    "jobs:job_progress": "a job is its creator's: jobs/tests/test_job_pages.py",
    "jobs:job_download": "a job is its creator's: jobs/tests/test_job_pages.py",
    "audit:event_detail": "platform administrators only: there is no outsider",
    "golive:job": "a set-up job is its creator's: golive/tests/test_sheets.py",
    "golive:job_confirm": "a set-up job is its creator's: golive/tests/test_sheets.py",
    "service:need_detail": "no need in the cast: service/tests",
    "service:record_detail": "no service record in the cast: service/tests",
    "service:record_qr": "no service record in the cast: service/tests",
    "service:record_photo": "no service record in the cast: service/tests",
    "service:pairing_detail": "no household pairing in the cast: service/tests",
    "service:project_detail": "no project in the cast: service/tests",
    "service:resource_edit": "no resource in the cast: service/tests",
    "service:confirm_by_code": "public, by a one-time code",
    "people:transfer_detail": "no transfer in the cast: people/tests/test_transfers.py",
    "people:registry_edit": "takes the registry's name too: people/tests/test_keeping_registries.py",
    # alliances (issue 14): no alliance in the cast; each part's tests walk its outsiders
    "alliances:members": "no alliance in the cast: alliances/tests",
    "alliances:posts": "no alliance in the cast: alliances/tests",
    "alliances:public": "no alliance in the cast: alliances/tests",
    "alliances:agreement_detail": "no agreement in the cast: alliances/tests",
    "alliances:meeting_detail": "no meeting in the cast: alliances/tests",
    "alliances:resolution_detail": "no resolution in the cast: alliances/tests",
    "alliances:meeting_sign_in": "no meeting in the cast: alliances/tests/test_meeting_pages.py",
    "alliances:resolution_file": "no resolution in the cast: alliances/tests/test_meeting_pages.py",
    "alliances:rotation": "no alliance in the cast: alliances/tests",
    "alliances:activity_detail": "no activity in the cast: alliances/tests",
    "alliances:board": "no alliance in the cast: alliances/tests",
    # alliances, part act
    "alliances:activity_create": "no alliance in the cast: alliances/tests/test_activity_pages.py",
    "alliances:activity_qr": "no activity in the cast: alliances/tests/test_activity_pages.py",
    "alliances:activity_check_in": "found by the secret the QR code carries: alliances/tests/test_activity_pages.py",
    "alliances:board_post": "no board post in the cast: alliances/tests/test_activity_pages.py",
    "alliances:plaque": "no alliance in the cast: alliances/tests/test_plaque.py",
    "alliances:agreement_create": "no alliance in the cast: alliances/tests/test_agreement_pages.py",
    "alliances:agreement_file": "no agreement in the cast: alliances/tests/test_agreement_pages.py",
    "alliances:leader_detail": "no leader link in the cast: alliances/tests/test_agreement_pages.py",
    "alliances:workbench": "no alliance in the cast: alliances/tests/test_workbench.py",  # desk
    "cases:case_detail": "no case in the cast: cases/tests/test_case_page.py",
    "cases:my_case": "no case in the cast: cases/tests/test_case_page.py",
    "cases:photo": "no case in the cast: cases/tests/test_case_page.py",
}

# API reads a user with no role may use, each with its reason.
API_READS_FOR_EVERY_ROLE = {
    "/api/v1/service-categories": "the service menu is the same for everyone",
    "/api/v1/service-categories/tree": "the service menu is the same for everyone",
    "/api/v1/service-categories/{category_id}": "the service menu is the same for everyone",
}


def walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from walk(pattern.url_patterns, full)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def guess_kwargs(pattern: URLPattern, **known) -> dict:
    """Arguments that fit the pattern's converters (the admin's app list wants a real app label)."""
    kwargs = {}
    converters = getattr(pattern.pattern, "converters", {})
    for name in pattern.pattern.regex.groupindex:
        kind = type(converters.get(name)).__name__
        if name in known:
            kwargs[name] = known[name]
        elif name == "app_label":
            kwargs[name] = "accounts"
        elif kind == "UUIDConverter":
            kwargs[name] = SOME_ID
        elif kind == "IntConverter":
            kwargs[name] = 1
        else:
            kwargs[name] = "1"
    return kwargs


def pages():
    """(name, pattern) of every page: the API's own patterns are walked as operations instead, and
    the admin's unnamed ones (an object's old URL redirecting to its change page, the catch-all) are
    the admin's own, guarded by it."""
    for name, pattern in walk(get_resolver().url_patterns):
        if pattern.name is None:
            assert name == "admin:None", f"an unnamed URL pattern: {pattern.pattern}"
            continue
        if name.startswith("api:") and name not in PUBLIC_PAGES:
            continue
        yield name, pattern


def fetch(client, url):
    """GET the page; a POST-only page (405) is asked with a POST."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


@pytest.fixture
def anyone():
    return Client(raise_request_exception=False)


# --- pages ----------------------------------------------------------------------------------------


def test_every_page_sends_anonymous_visitors_to_sign_in(anyone, db):
    login, admin_login = resolve_url(settings.LOGIN_URL), reverse("admin:login")
    wrong = []
    for name, pattern in pages():
        if name in PUBLIC_PAGES:
            continue
        url = reverse(name, kwargs=guess_kwargs(pattern))
        response = fetch(anyone, url)
        expected = admin_login if name.startswith("admin:") else login
        where = urlsplit(response.get("Location", "")).path
        if response.status_code != 302 or where != expected:
            wrong.append((name, url, response.status_code, where))
    assert not wrong


def test_public_pages_are_really_public_and_still_exist(anyone, db):
    names = {name for name, _pattern in walk(get_resolver().url_patterns)}
    assert set(PUBLIC_PAGES) <= names, set(PUBLIC_PAGES) - names
    assert anyone.get(reverse("accounts:login")).status_code == 200
    assert anyone.get(reverse("api:openapi-json")).status_code == 200


def test_every_page_declares_its_roles_or_is_listed(db):
    undeclared = {
        name
        for name, pattern in pages()
        if not name.startswith("admin:")
        and name not in PUBLIC_PAGES
        and not getattr(pattern.callback, "required_roles", None)
    }
    assert undeclared == set(ANY_SIGNED_IN_PAGES)


def test_every_page_refuses_a_wrong_role(cast, db):
    wrong = []
    for name, pattern in pages():
        roles = getattr(pattern.callback, "required_roles", None)
        if not roles:
            continue
        who = next(w for w in WRONG_ROLE_CANDIDATES if not scope_for(getattr(cast, w)).has(*roles))
        client = cast.login(Client(raise_request_exception=False), who)
        url = reverse(name, kwargs=guess_kwargs(pattern))
        status = fetch(client, url).status_code
        if status != 403:
            wrong.append((name, who, status))
    assert not wrong


@pytest.fixture
def objects(cast, registries):
    """The cast's objects by name, with a certified check-in and a member's notification."""
    checkin = checkin_actions.submit_checkin(acting_user=cast.unit, member=cast.m_member)
    checkin_actions.issue_certificate(acting_user=cast.unit, checkin=checkin)
    notify(recipients=[cast.member], kind="test", title="hello")
    found = dict(vars(cast.places))
    found.update(m_member=cast.m_member, r_a=cast.r_a, applicant_a=registries.applicant_a, checkin=checkin)
    found["notification"] = cast.member.notifications.get(kind="test")
    return found


def test_every_object_page_answers_an_outsider_404(cast, objects):
    object_pages = {
        name
        for name, pattern in pages()
        if "public_id" in pattern.pattern.regex.groupindex and not name.startswith("admin:")
    }
    assert object_pages - set(OUTSIDER_PAGES) - set(OUTSIDERS_ELSEWHERE) - _post_only(object_pages) == set()
    wrong = []
    for name, (key, insider, outsider) in OUTSIDER_PAGES.items():
        pattern = dict(pages())[name]
        url = reverse(name, kwargs=guess_kwargs(pattern, public_id=objects[key].public_id))
        if insider is not None:
            seen = cast.login(Client(raise_request_exception=False), insider).get(url).status_code
            if seen != 200:
                wrong.append((name, insider, seen))
        refused = fetch(cast.login(Client(raise_request_exception=False), outsider), url).status_code
        if refused != 404:
            wrong.append((name, outsider, refused))
    assert not wrong


def _post_only(names):
    """Pages that only act (POST): an outsider's action on an object is refused by the action's own
    scoped lookup, which each app's tests check."""
    client = Client(raise_request_exception=False)
    patterns = dict(pages())
    return {
        name
        for name in names
        if client.get(reverse(name, kwargs=guess_kwargs(patterns[name]))).status_code == 405
    }


# --- the API --------------------------------------------------------------------------------------


@pytest.fixture
def openapi(db):
    return Client().get(f"{API_PREFIX}/openapi.json").json()


def api_operations(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def api_url(path: str, **ids) -> str:
    for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
        value = ids.get(name, 1 if name == "n" else SOME_ID)
        path = path.replace("{" + name + "}", str(value))
    return path


def call(client, method, url, **headers):
    if method == "get":
        return client.get(url, headers=headers)
    return client.generic(method.upper(), url, "{}", content_type="application/json", headers=headers)


def test_every_api_operation_answers_anonymous_401(anyone, openapi):
    wrong = []
    for path, method, operation in api_operations(openapi):
        if not operation.get("security"):
            assert (method, path) in PUBLIC_API, "only signing in and getting an account are public"
            continue
        for client in (anyone, Client(enforce_csrf_checks=True)):
            response = call(client, method, api_url(path))
            if response.status_code != 401 or not response.get("WWW-Authenticate", "").startswith("Bearer"):
                wrong.append((method, path, response.status_code))
    assert not wrong


def test_every_api_read_refuses_a_user_without_a_role(cast, openapi, bearer):
    wrong = []
    for path, method, operation in api_operations(openapi):
        if (
            method != "get"
            or operation.get("x-roles") == "any signed-in user"
            or path in API_READS_FOR_EVERY_ROLE
        ):
            continue
        status = call(Client(), "get", api_url(path), **bearer("nobody")).status_code
        if status != 403:
            wrong.append((path, status))
    assert not wrong


def test_every_api_object_answers_an_outsider_404(cast, objects, openapi, bearer):
    """For each GET /x/{id} with a list GET /x: an object the insider lists and the outsider does not
    is 200 for the one and 404 for the other (the first pair of roles that has such an object)."""
    reads = {path for path, method, _operation in api_operations(openapi) if method == "get"}
    checked, wrong = set(), []
    for path in sorted(reads):
        parent, _slash, last = path.rpartition("/")
        if not (last.startswith("{") and parent in reads):
            continue
        for insider, outsider in PAIRS:
            listed = {}
            for who in (insider, outsider):
                response = Client().get(parent, {"limit": 200}, headers=bearer(who))
                ok = response.status_code == 200
                listed[who] = {item["id"] for item in response.json()["items"]} if ok else set()
            only_insider = sorted(listed[insider] - listed[outsider])
            if not only_insider:
                continue
            url = f"{parent}/{only_insider[0]}"
            seen = Client().get(url, headers=bearer(insider)).status_code
            refused = Client().get(url, headers=bearer(outsider))
            if seen != 200 or refused.status_code != 404 or refused.json() != {"detail": "Not found."}:
                wrong.append((path, insider, seen, outsider, refused.status_code))
            checked.add(path)
            break
    assert not wrong
    covered_by_the_cast = {
        f"{API_PREFIX}/{collection}/{{{param}}}"
        for collection, param in [
            ("areas", "area_id"),
            ("grids", "grid_id"),
            ("compounds", "compound_id"),
            ("buildings", "building_id"),
            ("party-orgs", "party_org_id"),
            ("units", "unit_id"),
            ("members", "member_id"),
            ("residents", "resident_id"),
            ("applicants", "applicant_id"),
            ("commercial-buildings", "building_id"),
            ("trade-unions", "trade_union_id"),
            ("youth-league-orgs", "org_id"),
            ("checkins", "checkin_id"),
            ("cases", "case_id"),
        ]
    }
    assert covered_by_the_cast <= checked, covered_by_the_cast - checked
