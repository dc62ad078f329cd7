"""Calendar feeds (iCalendar, made with the ``icalendar`` package): one per person, listing the meetings
they are invited to and the activities they signed up for, for their phone's calendar to subscribe to.
The feed's address carries a signed token (``django.core.signing`` with this module's salt) instead of a
session, since calendar apps cannot sign in; the ``calendar`` page shows it with a QR code to scan."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from alliances.models import ActivitySignup, Invitation, MeetingState
from alliances.pages.meetings import qr_data_uri

SALT = "alliances.calendar-feed"
PAST_DAYS = 90


def feed_token(user) -> str:
    """The token of the user's feed address (stable: the same address every time)."""
    return signing.Signer(salt=SALT).sign_object({"u": user.pk})


def feed_user(token: str):
    """The active user whose feed the token opens, or None."""
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()


def feed_url(request: HttpRequest, user) -> str:
    return request.build_absolute_uri(reverse("alliances:calendar_feed", args=[feed_token(user)]))


@require_GET
@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The user's subscription address, and a QR code of it for the phone."""
    url = feed_url(request, request.user)
    webcal = "webcal://" + url.split("://", 1)[1]
    return render(
        request, "alliances/meeting_calendar.html", {"url": url, "webcal": webcal, "qr": qr_data_uri(url)}
    )


def build_calendar(request: HttpRequest, user) -> Calendar:
    """The user's meetings (invited) and activities (signed up, not cancelled) from 90 days ago on."""
    since = timezone.now() - timedelta(days=PAST_DAYS)
    cal = Calendar()
    cal.add("prodid", "-//Gongjian//Alliances//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "共建 · 会议和活动")
    cal.add("x-wr-timezone", timezone.get_current_timezone_name())
    invitations = (
        Invitation.objects.filter(user=user, meeting__ends_at__gte=since)
        .select_related("meeting", "meeting__alliance", "meeting__party_org")
        .order_by("meeting__starts_at")
    )
    for invitation in invitations:
        meeting = invitation.meeting
        event = Event()
        event.add("uid", f"meeting-{meeting.public_id}@gongjian")
        event.add("dtstamp", meeting.called_at)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at)
        event.add("summary", meeting.title)
        event.add("location", meeting.place)
        host = meeting.alliance or meeting.party_org
        event.add("description", f"{meeting.get_kind_display()} · {host}\n{meeting.agenda}".strip())
        event.add(
            "url", request.build_absolute_uri(reverse("alliances:meeting_detail", args=[meeting.public_id]))
        )
        event.add("status", "CANCELLED" if meeting.state == MeetingState.CANCELLED else "CONFIRMED")
        cal.add_component(event)
    signups = (
        ActivitySignup.objects.filter(user=user, cancelled_at__isnull=True, activity__ends_at__gte=since)
        .select_related("activity")
        .order_by("activity__starts_at")
    )
    for signup in signups:
        activity = signup.activity
        event = Event()
        event.add("uid", f"activity-{activity.public_id}@gongjian")
        event.add("dtstamp", signup.signed_up_at)
        event.add("dtstart", activity.starts_at)
        event.add("dtend", activity.ends_at)
        event.add("summary", activity.title)
        event.add("location", activity.place)
        if activity.description:
            event.add("description", activity.description)
        event.add("status", "CANCELLED" if activity.state == "cancelled" else "CONFIRMED")
        cal.add_component(event)
    return cal


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics feed itself: no session, the signed token names its owner (a wrong token: 404)."""
    user = feed_user(token)
    if user is None:
        raise Http404
    response = HttpResponse(
        build_calendar(request, user).to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="gongjian.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


urlpatterns: list = [
    path("alliances/calendar/", calendar, name="calendar"),
    path("alliances/calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
