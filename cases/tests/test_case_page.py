"""The case page: what each viewer sees (the reporter's name only where cases.access.sees_reporter says
so), the forms for exactly the steps they may take, each form's refusal keeping what was typed, the photos
served through the case's scope, the reporter's status pages, and junk never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import actions
from cases.models import Case, CaseMeeting, CasePhoto, CaseState, DispatchState
from cases.tests.fixtures import grid_case
from service.tests.pictures import body, picture, upload

pytestmark = pytest.mark.django_db
NIL = "00000000-0000-0000-0000-000000000000"


def page_of(case) -> str:
    return reverse("cases:case_detail", args=[case.public_id])


def url(name: str, obj) -> str:
    return reverse(f"cases:{name}", args=[obj.public_id])


def dispatched(cast, case=None):
    case = case or grid_case(cast)
    [lead] = actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
    return case, lead


def handled(cast):
    case, lead = dispatched(cast)
    actions.accept_dispatch(acting_user=cast.dept, dispatch=lead)
    return case, lead


# --- scope ---------------------------------------------------------------------------------------------


def test_outsiders_get_404(client, cast):
    case = grid_case(cast)
    for who in ("street2", "community2", "grid2", "unit2", "dept", "inspector"):
        cast.login(client, who)
        assert client.get(page_of(case)).status_code == 404, who
    cast.login(client, "nobody")  # no role at all
    assert client.get(page_of(case)).status_code == 403
    for who in ("street", "community", "grid", "orgdept", "admin"):
        cast.login(client, who)
        assert client.get(page_of(case)).status_code == 200, who


def test_a_department_sees_only_cases_dispatched_to_it(client, cast):
    case, _lead = dispatched(cast)
    other = grid_case(cast, title="别的问题")
    cast.login(client, "dept")
    assert client.get(page_of(case)).status_code == 200
    assert client.get(page_of(other)).status_code == 404


def test_junk_addresses_are_not_found(client, cast):
    cast.login(client, "street")
    assert client.get("/cases/not-a-uuid/").status_code == 404
    assert client.get(f"/cases/{NIL}/").status_code == 404
    for name in ("case_dispatch", "case_progress", "case_rate", "case_merge", "case_pass_up"):
        assert client.post(reverse(f"cases:{name}", args=[NIL])).status_code == 404
    cast.login(client, "dept")
    assert client.post(f"/cases/dispatches/{NIL}/accept/").status_code == 404
    assert client.post(f"/cases/meetings/{NIL}/record/").status_code == 404
    assert client.get(f"/cases/photos/{NIL}/").status_code == 404


# --- the reporter's name -----------------------------------------------------------------------------------


def test_the_reporters_name_and_phone_only_for_those_handling_it(client, cast):
    case = grid_case(cast, reporter_name="孙大妈", reporter_phone="13900001111")
    cast.login(client, "community")
    text = client.get(page_of(case)).content.decode()
    assert "孙大妈" in text and "1111" in text and "13900001111" not in text  # masked
    case2, _lead = dispatched(cast, grid_case(cast, title="第二个", reporter_name="周大爷"))
    cast.login(client, "dept")
    assert "周大爷" in client.get(page_of(case2)).content.decode()


def test_a_grid_worker_of_the_grid_does_not_see_who_another_reported(client, cast):
    cast.login(client, "resident")
    client.post(
        reverse("cases:report"),
        {
            "category": str(grid_case(cast).category.public_id),
            "title": "居民报告",
            "place": f"building:{cast.places.building_a1.public_id}",
        },
    )
    case = Case.objects.get(title="居民报告")
    cast.login(client, "grid")
    text = client.get(page_of(case)).content.decode()
    assert "孙大妈" not in text and "resident" not in text.split("data-reporter>")[1][:40]
    assert "the reporter" in text  # the timeline names no name either


# --- the forms each viewer gets ---------------------------------------------------------------------------


def test_the_street_gets_the_dispatch_form_with_the_default_handler_chosen(client, cast):
    case = grid_case(cast)
    case.category.default_handler = cast.places.dept_a
    case.category.save()
    cast.login(client, "street")
    text = client.get(page_of(case)).content.decode()
    assert "data-dispatch-form" in text
    assert f'value="{cast.places.dept_a.public_id}" selected' in text
    assert cast.places.unit_b.name not in text  # a unit of street B cannot be called
    cast.login(client, "community")
    text = client.get(page_of(case)).content.decode()
    assert "data-dispatch-form" not in text and "data-pass-up" in text and "data-resolve" in text


def test_the_whistle_from_the_page(client, cast):
    case = grid_case(cast)
    cast.login(client, "street")
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    done = client.post(
        url("case_dispatch", case),
        {
            "lead": str(cast.places.dept_a.public_id),
            "co_handlers": [str(cast.places.unit_a.public_id)],
            "due_on": due,
            "note": "尽快",
        },
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED and case.dispatches.count() == 2
    assert timezone.localtime(case.due_at).date().isoformat() == due


def test_a_refused_dispatch_keeps_what_was_typed(client, cast):
    case = grid_case(cast)
    cast.login(client, "street")
    page = client.post(url("case_dispatch", case), {"note": "先看看", "lead": ""})
    assert page.status_code == 400
    text = page.content.decode()
    assert "data-refusal" in text and "先看看" in text and "lead handler" in text
    page = client.post(url("case_dispatch", case), {"lead": str(cast.places.unit_b.public_id)})
    assert page.status_code == 400  # not among the units offered
    past = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    page = client.post(
        url("case_dispatch", case), {"lead": str(cast.places.dept_a.public_id), "due_on": past}
    )
    assert page.status_code == 400 and "future" in page.content.decode()
    page = client.post(
        url("case_dispatch", case), {"lead": "junk", "co_handlers": ["junk", NIL], "due_on": "31/31"}
    )
    assert page.status_code == 400
    cast.login(client, "community")  # the community does not whistle
    assert (
        client.post(url("case_dispatch", case), {"lead": str(cast.places.dept_a.public_id)}).status_code
        == 403
    )
    assert not case.dispatches.exists()


def test_the_department_accepts_or_returns(client, cast, django_assert_max_num_queries):
    case, lead = dispatched(cast)
    cast.login(client, "dept")
    text = client.get(page_of(case)).content.decode()
    assert "data-accept" in text and "data-return" in text and "data-dispatch-form" not in text
    page = client.post(url("dispatch_return", lead), {"reason": ""})
    assert page.status_code == 400 and "Say why" in page.content.decode()
    assert client.post(url("dispatch_accept", lead)).status_code == 302
    lead.refresh_from_db()
    assert lead.state == DispatchState.ACCEPTED
    again = client.post(url("dispatch_accept", lead))
    assert again.status_code == 400 and "cannot be accepted" in again.content.decode()
    text = client.get(page_of(case)).content.decode()
    assert "data-accept" not in text and "data-progress" in text and "data-resolve" in text


def test_another_unit_cannot_answer_for_the_dispatch(client, cast):
    case, lead = dispatched(cast)
    cast.login(client, "street")  # not a handler's role
    assert client.post(url("dispatch_accept", lead)).status_code == 403
    cast.login(client, "unit")  # a handler of a unit not called: the case is not theirs to see
    assert client.post(url("dispatch_accept", lead)).status_code == 404
    cast.login(client, "unit2")
    assert client.post(url("dispatch_accept", lead)).status_code == 404


def test_return_with_a_reason_puts_it_back_on_the_board(client, cast):
    case, lead = dispatched(cast)
    cast.login(client, "dept")
    assert client.post(url("dispatch_return", lead), {"reason": "不属于本部门"}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.TRIAGE
    text = client.get(page_of(case)).content.decode()
    assert "不属于本部门" in text and "data-accept" not in text


def test_progress_and_result_with_photos_then_the_reporter_rates(client, cast):
    case, _lead = handled(cast)
    cast.login(client, "dept")
    refused = client.post(url("case_progress", case), {"text": "   "})
    assert refused.status_code == 400
    bad = client.post(
        url("case_progress", case),
        {"text": "已到现场", "photos": [upload("x.pdf", b"%PDF", "application/pdf")]},
    )
    assert bad.status_code == 400 and "x.pdf" in bad.content.decode() and "已到现场" in bad.content.decode()
    ok = client.post(
        url("case_progress", case),
        {"text": "已到现场", "photos": [upload("p.png", picture(fmt="PNG"), "image/png")]},
    )
    assert ok.status_code == 302
    no_result = client.post(url("case_resolve", case), {"text": ""})
    assert no_result.status_code == 400 and "result" in no_result.content.decode()
    assert (
        client.post(
            url("case_resolve", case), {"text": "已清理", "photos": [upload("r.jpg", picture())]}
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.state == CaseState.RESOLVED
    text = client.get(page_of(case)).content.decode()
    assert text.count("data-photo") == 2 and "已清理" in text
    # only the reporter rates
    cast.login(client, "street")
    assert "data-rate" not in client.get(page_of(case)).content.decode()
    refused = client.post(url("case_rate", case), {"rating": "satisfied"})
    assert refused.status_code == 400 and "reported the case" in refused.content.decode()
    cast.login(client, "grid")
    assert "data-rate" in client.get(page_of(case)).content.decode()
    assert client.post(url("case_rate", case), {"rating": "wonderful"}).status_code == 400
    assert client.post(url("case_rate", case), {"rating": "basic", "comment": "还行"}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.rating == "basic"


def test_photos_are_served_within_the_scope(client, cast):
    case = grid_case(cast, photos=[upload("a.jpg", picture(size=(400, 300)))])
    photo = CasePhoto.objects.get()
    cast.login(client, "community")
    full = client.get(url("photo", photo))
    thumb = client.get(url("photo", photo), {"size": "thumb"})
    assert full.status_code == 200 and full["Content-Type"].startswith("image/")
    assert thumb.status_code == 200 and len(body(thumb)) <= len(body(full))
    assert (
        client.get(url("photo", photo), {"size": "../../etc"}).status_code == 200
    )  # an unknown size: the phone one
    cast.login(client, "street2")
    assert client.get(url("photo", photo)).status_code == 404
    assert "data-photo" not in client.get(page_of(case)).content.decode()  # 404 anyway
    cast.login(client, "grid")
    assert "data-photo" in client.get(page_of(case)).content.decode()


def test_merge_into_a_possible_duplicate(client, cast):
    first = grid_case(cast)
    second = grid_case(cast, title="又一次报告")
    cast.login(client, "grid")  # no merging for the grid worker
    assert "data-duplicate" not in client.get(page_of(second)).content.decode()
    cast.login(client, "community")
    text = client.get(page_of(second)).content.decode()
    assert f'data-duplicate="{first.number}"' in text
    assert client.post(url("case_merge", second), {"into": "junk"}).status_code == 404
    assert client.post(url("case_merge", second), {"into": str(second.public_id)}).status_code == 400
    assert client.post(url("case_merge", second), {"into": str(first.public_id)}).status_code == 302
    second.refresh_from_db()
    assert second.state == CaseState.MERGED and second.merged_into == first
    assert "data-merged-into" in client.get(page_of(second)).content.decode()


def test_a_meeting_called_and_recorded(client, cast):
    case, _lead = handled(cast)
    cast.login(client, "street")
    starts = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url("meeting_call", case), {"title": "六方会议", "starts_at": starts, "place": ""})
    assert refused.status_code == 400 and "六方会议" in refused.content.decode()
    assert (
        client.post(url("meeting_call", case), {"starts_at": "junk", "invited_units": ["junk"]}).status_code
        == 400
    )
    done = client.post(
        url("meeting_call", case),
        {
            "title": "六方会议",
            "starts_at": starts,
            "place": "社区会议室",
            "invited_units": [str(cast.places.dept_a.public_id)],
            "other_parties": "物业、民警",
        },
    )
    assert done.status_code == 302
    meeting = CaseMeeting.objects.get()
    refused = client.post(url("meeting_record", meeting), {"attendees": "物业经理", "agreed": ""})
    assert refused.status_code == 400 and "物业经理" in refused.content.decode()
    done = client.post(
        url("meeting_record", meeting),
        {"attended_units": [str(cast.places.dept_a.public_id)], "agreed": "三日内清理"},
    )
    assert done.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == "held" and list(meeting.attended_units.all()) == [cast.places.dept_a]
    assert "三日内清理" in client.get(page_of(case)).content.decode()
    cast.login(client, "grid")  # does not run the case
    text = client.get(page_of(case)).content.decode()
    assert "data-meeting-form" not in text
    meeting_again = {"title": "x", "starts_at": starts, "place": "y"}
    assert (
        client.post(url("meeting_call", case), meeting_again).status_code == 403
    )  # not a role that runs cases
    cast.login(client, "community")  # staffs the case's community, though the street dispatched it
    assert client.post(url("meeting_call", case), meeting_again).status_code == 302


def test_the_case_page_asks_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    case, _lead = handled(cast)
    for n in range(3):
        actions.record_progress(
            acting_user=cast.dept, case=case, text=f"进展{n}", photos=[upload("a.jpg", picture())]
        )
        grid_case(cast, title=f"重复{n}")
    cast.login(client, "street")
    client.get(page_of(case))
    with django_assert_max_num_queries(15):
        page = client.get(page_of(case))
    assert page.status_code == 200


# --- the reporter's status pages -------------------------------------------------------------------------


def test_the_reporters_own_pages(client, cast):
    case, _lead = handled(cast)
    actions.resolve_case(acting_user=cast.dept, case=case, result="已清理完毕")
    cast.login(client, "grid")
    listing = client.get(reverse("cases:my_cases")).content.decode()
    assert case.number in listing and "data-rate" not in listing
    mine = client.get(url("my_case", case)).content.decode()
    assert "已清理完毕" in mine and "data-rate" in mine and "Is it fixed?" in mine
    refused = client.post(url("case_rate", case), {"rating": "", "comment": "没修好", "mine": "1"})
    assert (
        refused.status_code == 400
        and "没修好" in refused.content.decode()
        and "data-plain-state" in refused.content.decode()
    )
    done = client.post(url("case_rate", case), {"rating": "unsatisfied", "comment": "没修好", "mine": "1"})
    assert done.status_code == 302 and done.url == url("my_case", case)
    case.refresh_from_db()
    assert case.state == CaseState.HANDLING and case.reopen_count == 1
    cast.login(client, "street")  # not the reporter: the case page
    assert client.get(url("my_case", case)).status_code == 302
    cast.login(client, "street2")
    assert client.get(url("my_case", case)).status_code == 404


def test_a_merged_case_shows_the_case_it_went_into(client, cast):
    cast.login(client, "resident")
    first = grid_case(cast)
    actions.resolve_case(acting_user=cast.community, case=first, result="统一处理了")
    from cases.actions import report_case
    from cases.tests.fixtures import category

    second = report_case(
        acting_user=cast.resident, title="我家楼下也是", category=category(), building=cast.places.building_a1
    )
    actions.merge_case(acting_user=cast.community, case=second, into=first)
    text = client.get(url("my_case", second)).content.decode()
    assert "data-merged-into" in text and first.number in text and "统一处理了" in text
    assert "我家楼下也是" in client.get(reverse("cases:my_cases")).content.decode()


def test_a_closed_case_can_be_reopened_by_its_reporter(client, cast):
    case = grid_case(cast)
    actions.resolve_case(acting_user=cast.community, case=case, result="好了")
    actions.rate_case(acting_user=cast.grid, case=case, rating="satisfied")
    cast.login(client, "grid")
    assert "data-reopen" in client.get(url("my_case", case)).content.decode()
    refused = client.post(url("case_reopen", case), {"reason": "", "mine": "1"})
    assert refused.status_code == 400
    assert client.post(url("case_reopen", case), {"reason": "又堆上了", "mine": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.TRIAGE and case.reopen_count == 1
