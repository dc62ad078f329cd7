"""Lists that never count a whole table to draw a page: exact totals up to the cap, "1,000+" past it
(gongjian/counting.py, gongjian/pages.py CappedPaginator, gongjian/api_shapes.py ListPage)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from gongjian.api_shapes import ListPage
from gongjian.counting import bounded_count
from gongjian.pages import CappedPaginator, paginate
from places.models import Area


def test_bounded_count_is_exact_up_to_the_cap_and_stops_past_it(cast, django_assert_num_queries):
    areas = Area.objects.all()
    every = areas.count()
    with django_assert_num_queries(1) as captured:
        assert bounded_count(areas, cap=100) == every
    assert "LIMIT 101" in captured.captured_queries[0]["sql"]
    assert bounded_count(areas, cap=2) == 3
    assert bounded_count(list(range(10)), cap=4) == 5


def test_a_short_list_has_an_exact_total_and_last_page():
    paginator = CappedPaginator(list(range(60)), 25, cap=100)
    page = paginator.get_page(2)
    assert (paginator.count, paginator.count_exact, paginator.total_label) == (60, True, "60")
    assert paginator.last_page == paginator.num_pages == 3
    assert page.has_next() and page.has_previous()
    assert list(paginator.get_page(99).object_list) == list(range(50, 60))  # past the end: the last page


def test_a_long_list_shows_the_cap_and_pages_on_by_the_extra_row():
    paginator = CappedPaginator(list(range(5000)), 25, cap=100)
    page = paginator.get_page(7)
    assert list(page.object_list) == list(range(150, 175))
    assert (paginator.count_exact, paginator.total_label, paginator.last_page) == (False, "100+", None)
    assert page.has_next()
    last = CappedPaginator(list(range(5000)), 25, cap=100).get_page(200)
    assert not last.has_next() and last.has_previous()
    assert list(CappedPaginator(list(range(5000)), 25, cap=100).get_page(900).object_list) == list(range(25))
    assert (
        CappedPaginator(list(range(5000)), 25, cap=100, total=5000).total_label == "5,000"
    )  # the roll-up hook


def test_the_pager_of_a_long_list_names_no_last_page(rf: RequestFactory):
    from django.template.loader import render_to_string

    pager = paginate(rf.get("/", {"page": "3", "q": "x"}), list(range(5000)), per_page=10)
    html = render_to_string("parts/pager.html", {"pager": pager})
    assert ">3<" in html and " / " not in html
    assert "?q=x&amp;page=4" in html and "?q=x&amp;page=2" in html


@pytest.mark.parametrize(
    ("offset", "limit", "count", "exact", "more"),
    [
        (0, 2, 7, True, True),  # counted (under the cap)
        (6, 2, 7, True, False),  # the last page: known from the offset
        (0, 10, 7, True, False),
        (50, 2, 7, True, False),  # past the end: counted
    ],
)
def test_the_api_page_counts_only_when_it_must(cast, offset, limit, count, exact, more):
    areas = Area.objects.order_by("code")
    assert areas.count() == 7
    page = ListPage().paginate_queryset(areas, ListPage.Input(offset=offset, limit=limit), request=None)
    assert (page["count"], page["count_exact"], page["has_more"]) == (count, exact, more)


def test_past_the_cap_the_api_count_is_a_lower_bound(cast, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(ListPage, "count_cap", 3)
    areas = Area.objects.order_by("code")
    with django_assert_num_queries(1):  # the page, and no count at all past the cap
        page = ListPage().paginate_queryset(areas, ListPage.Input(offset=2, limit=2), request=None)
    assert (page["count"], page["count_exact"], page["has_more"]) == (5, False, True)
    with django_assert_num_queries(2):
        page = ListPage().paginate_queryset(areas, ListPage.Input(offset=0, limit=2), request=None)
    assert (page["count"], page["count_exact"], page["has_more"]) == (4, False, True)


def test_the_members_list_page_counts_no_further_than_the_cap(client, cast, monkeypatch):
    import gongjian.pages

    monkeypatch.setattr(gongjian.pages, "COUNT_CAP", 2)
    cast.login(client, "orgdept")
    response = client.get("/members/")
    assert response.status_code == 200
    assert "2+" in response.content.decode()
