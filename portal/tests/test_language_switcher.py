"""The language switcher names each language in its own name, whatever the page's language: a reader
who cannot read the page still finds theirs (not "英语" on a Chinese page)."""

import re

import pytest
from django.urls import reverse


def options(body: str) -> list[str]:
    select = re.search(r'<select name="language".*?</select>', body, re.S)
    assert select, "no language switcher on the page"
    return re.findall(r"<option [^>]*>([^<]+)</option>", select.group(0))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_language_is_named_in_itself(client, db, settings, language):
    settings.LANGUAGE_CODE = language
    body = client.get(reverse("accounts:login")).content.decode()
    assert options(body) == ["简体中文", "English"]
    assert "英语" not in body


def test_the_signed_in_navbar_has_the_same_switcher(client, cast, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    cast.login(client, "street")
    body = client.get(reverse("portal:home")).content.decode()
    assert options(body) == ["简体中文", "English"]
    assert "selected>简体中文" in body
