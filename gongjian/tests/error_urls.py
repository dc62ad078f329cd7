"""The site's URLs plus one view that refuses with a message (tests of the 403 page)."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from gongjian.urls import urlpatterns as site_urlpatterns


def refused(request):
    raise PermissionDenied("Only 龙津社区 can confirm this check-in.")


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [*site_urlpatterns, path("test-refused/", refused), path("test-broken/", broken)]
