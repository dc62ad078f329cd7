"""The alliances' rotation pages (stand-ins until their part lands: each answers 404)."""

from django.http import Http404
from django.urls import path

from accounts.decorators import role_required
from accounts.models import Role


@role_required(Role.PLATFORM_ADMIN)
def stand_in(request, public_id=None):
    raise Http404


urlpatterns: list = [
    path("alliances/<uuid:public_id>/rotation/", stand_in, name="rotation"),
]
