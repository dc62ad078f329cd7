"""The idle timeout, kept without writing the session on every request.

A session ends after SESSION_COOKIE_AGE (SESSION_IDLE_SECONDS, 30 minutes) without a request: the
database row's ``expire_date`` is that far after its last save, and Django reads no expired row. Saving
on every request (SESSION_SAVE_EVERY_REQUEST) kept the clock exact, for three queries on each page (a
savepoint, the UPDATE, its release). Now a session is saved when it changed, as Django does anyway, and
otherwise at most once a REFRESH_SECONDS: ``IdleSessionMiddleware`` notes the time of each save in the
session and, when the last one is older than that, marks the session modified so that Django's
SessionMiddleware saves it (and so pushes its expiry on). An idle session therefore ends between
SESSION_COOKIE_AGE - REFRESH_SECONDS and SESSION_COOKIE_AGE after the last request: never later than
before, at most a minute sooner. See docs/PRIVACY.md "Idle sessions".
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESH_SECONDS = 60
SAVED_AT_KEY = "_gongjian_saved_at"  # seconds since the epoch of the session's last save


def note_activity(session) -> None:
    """Have ``session`` saved at the end of this request if it changed or its last save is older than
    REFRESH_SECONDS; an empty session (nobody signed in, nothing kept) is left alone, never created."""
    if not session.keys():
        return
    now = int(timezone.now().timestamp())
    saved_at = session.get(SAVED_AT_KEY)
    if session.modified or not isinstance(saved_at, int) or now - saved_at >= REFRESH_SECONDS:
        session[SAVED_AT_KEY] = now  # sets ``modified``: SessionMiddleware saves it on the way out


class IdleSessionMiddleware:
    """Installed just after SessionMiddleware, so that its answer is seen before the session is saved."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and (session.session_key is not None or session.modified):
            note_activity(session)  # a request without a session cookie that kept nothing loads nothing
        return response
