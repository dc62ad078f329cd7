"""Chinese first: a browser with no preference, or a Chinese one, gets Simplified Chinese; English is
one switch away and sticks."""

import pytest
from django.urls import reverse


@pytest.fixture
def chinese_default(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def test_login_page_is_chinese_by_default(client, db, chinese_default):
    body = client.get(reverse("accounts:login")).content.decode()
    assert "登录" in body and 'lang="zh-hans"' in body


def test_chinese_browser_gets_chinese_pages(client, cast, chinese_default):
    cast.login(client, "street")
    body = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "党员" in body and "首页" in body


def test_switching_to_english_sticks(client, cast, chinese_default):
    cast.login(client, "street")
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("portal:home")})
    assert response.status_code == 302
    body = client.get(reverse("portal:home")).content.decode()
    assert "Members" in body and 'lang="en"' in body


def test_dates_are_written_the_chinese_way(db, chinese_default):
    from datetime import date

    from django.utils import formats, translation

    with translation.override("zh-hans"):
        assert formats.date_format(date(2026, 11, 22)) == "2026年11月22日"
