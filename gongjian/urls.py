from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from health_check.views import HealthCheckView

from gongjian import health, pickers
from gongjian.api import api


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers and bots ask for /favicon.ico whatever the page links: send them to the static icon."""
    return HttpResponsePermanentRedirect(static("favicon.png"))


urlpatterns = [
    path("", include("portal.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("places.urls")),
    path("", include("orgs.urls")),
    path("", include("people.urls")),
    path("", include("jobs.urls")),
    path("", include("checkin.urls")),
    path("", include("service.urls")),
    path("", include("points.urls")),
    path("", include("cases.urls")),
    path("", include("alliances.urls")),
    path("", include("notifications.urls")),
    path("golive/", include("golive.urls")),
    path("audit/", include("audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("pick/<slug:name>/", pickers.picker_options, name="picker_options"),
    path("api/v1/", api.urls),
    path("open311/v2/", include("cases.open311")),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon, name="favicon"),
    path("health/", HealthCheckView.as_view(checks=health.checks()), name="health"),
]
# Media (uploaded rosters, export files) is never served directly: files are reached through
# scoped views such as jobs:job_download.
