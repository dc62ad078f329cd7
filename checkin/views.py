"""Check-in work pages (being built): member flow, unit page, community page."""

from django.http import HttpResponse

from accounts.decorators import role_required
from accounts.models import Role


@role_required(Role.MEMBER)
def my_checkin(request):
    return HttpResponse(status=204)


@role_required(Role.UNIT_ADMIN)
def unit_page(request):
    return HttpResponse(status=204)


@role_required(Role.COMMUNITY)
def community_page(request):
    return HttpResponse(status=204)
