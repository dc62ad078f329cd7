"""The notification inbox: the signed-in user's own notifications, newest first.

Opening one marks it read and follows its link, but only to a path on this site: a stored URL such
as ``//evil.example`` or ``https://evil.example`` is never followed (no open redirect)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gongjian.pages import get_visible_or_404, paginate
from notifications.models import Notification

PER_PAGE = 25


def local_path(url: str) -> bool:
    """A path on this site (``/checkin/me/``), never a URL that leaves it."""
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set(), require_https=False)
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notes = Notification.objects.visible_to(request.user)
    shown = notes.only("public_id", "title", "body", "url", "created_at", "read_at")
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": paginate(request, shown, per_page=PER_PAGE)["page"],
            "unread": notes.unread().count(),
        },
    )


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.visible_to(request.user).unread().update(read_at=timezone.now())
    return redirect("notifications:inbox")


@require_POST
@login_required
def open_notification(request: HttpRequest, public_id) -> HttpResponse:
    note = get_visible_or_404(Notification, request.user, public_id)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    if note.url and local_path(note.url):
        return redirect(note.url)
    return redirect("notifications:inbox")
