"""The community's (and street's) service desk: the board of needs by state, overdue needs and replies,
and the service records waiting for confirmation or review — the needs' and records' pages it links to
are theirs (service/needs/views.py, service/records/views.py).

Reads go through ``visible_to`` and are narrowed to the communities the user staffs."""

from __future__ import annotations

from django.db.models import Case, Count, F, IntegerField, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from access import staffed_communities, staffed_q
from accounts import roles as R
from accounts.decorators import role_required
from service.desk import desk_links, pick_community
from service.models import Assignment, Need, NeedState, RecordState, ServiceRecord, Urgency
from service.needs.rows import current_assignments, dress_needs

COLUMN_LIMIT = 12


COLUMNS = (
    (NeedState.OPEN, "danger"),
    (NeedState.OFFERED, "warning"),
    (NeedState.TAKEN, "primary"),
    (NeedState.DONE, "info"),
)
URGENCY_RANK = Case(
    When(urgency=Urgency.URGENT, then=Value(0)),
    When(urgency=Urgency.NORMAL, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@require_GET
@role_required(*R.SERVICE_STAFF_ROLES)
def workbench(request: HttpRequest) -> HttpResponse:
    user = request.user
    communities = list(staffed_communities(user).select_related("parent").order_by("path"))
    community = pick_community(request, communities)
    needs = Need.objects.visible_to(user).filter(staffed_q(user, "community_path"))
    records = ServiceRecord.objects.visible_to(user).filter(staffed_q(user, "community_path"))
    if community is not None:
        needs = needs.filter(community=community)
        records = records.filter(community=community)
    now = timezone.now()
    counts = dict(needs.live().values_list("state").annotate(n=Count("id")).order_by())
    late = set(
        Assignment.objects.awaiting_reply_too_long(now)
        .filter(need__in=needs.filter(state=NeedState.OFFERED))
        .values_list("need_id", flat=True)
    )
    # Each column's first rows in one query: urgent first, then the longest waiting.
    ranked = (
        needs.live()
        .select_related("category", "community", "compound", "building", "posted_by__resident")
        .annotate(
            column_rank=Window(
                RowNumber(),
                partition_by=[F("state")],
                order_by=[URGENCY_RANK.asc(), F("created_at").asc(), F("id").asc()],
            )
        )
        .filter(column_rank__lte=COLUMN_LIMIT)
        .prefetch_related(current_assignments())
        .order_by(URGENCY_RANK.asc(), "created_at", "id")
    )
    several = community is None and len(communities) > 1
    rows = dress_needs(user, list(ranked), now=now, late=late, with_community=several)
    overdue = dress_needs(
        user,
        list(
            needs.overdue(now)
            .select_related("category", "community", "compound", "building", "posted_by__resident")
            .order_by("due_at", "id")[:COLUMN_LIMIT]
        ),
        now=now,
        with_community=several,
    )
    record_counts = dict(records.pending().values_list("state").annotate(n=Count("id")).order_by())
    pending_rows = records.select_related("member", "category", "community").order_by("started_at", "id")
    chosen = {"community": community.public_id} if community else {}
    context = {
        "communities": communities,
        "community": community,
        "columns": [
            {
                "state": state,
                "label": NeedState(state).label,
                "colour": colour,
                "count": counts.get(state, 0),
                "items": [n for n in rows if n.state == state],
                "more_url": _list_url("service:need_list", state=state, **chosen),
            }
            for state, colour in COLUMNS
        ],
        "late_count": len(late),
        "overdue": overdue,
        "overdue_count": needs.overdue(now).count() if len(overdue) >= COLUMN_LIMIT else len(overdue),
        "overdue_url": _list_url("service:need_list", overdue="true", **chosen),
        "submitted": list(pending_rows.filter(state=RecordState.SUBMITTED)[:COLUMN_LIMIT]),
        "submitted_count": record_counts.get(RecordState.SUBMITTED, 0),
        "submitted_url": _list_url("service:record_list", state=RecordState.SUBMITTED, **chosen),
        "flagged": list(pending_rows.filter(state=RecordState.FLAGGED)[:COLUMN_LIMIT]),
        "flagged_count": record_counts.get(RecordState.FLAGGED, 0),
        "flagged_url": _list_url("service:record_list", state=RecordState.FLAGGED, **chosen),
        "several": several,
        "desk_links": desk_links(user, "workbench"),
    }
    return render(request, "service/workbench/workbench.html", context)


def _list_url(viewname: str, **query) -> str:
    return reverse(viewname) + "?" + urlencode({k: str(v) for k, v in query.items()})
