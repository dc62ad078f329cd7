"""The ask page in each role's words: a resident asks for help for themself; a grid worker (and the
community, the street) reports a need for a resident, in the navigation, the title and the heading."""

import re

import pytest
from django.urls import reverse

ASK = reverse("service:ask")


def heading_and_title(body: str) -> tuple[str, str]:
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    title = re.search(r"<title>(.*?)</title>", body, re.S)
    assert heading and title
    return heading.group(1).strip(), title.group(1).strip()


def nav_labels(client) -> list[str]:
    return [str(item["label"]) for item in client.get(reverse("portal:home")).context["nav_items"]]


@pytest.mark.parametrize(
    ("who", "words", "not_these"),
    [
        ("grid", "Report a need for a resident", "Ask for help"),
        ("resident", "Ask for help", "Report a need for a resident"),
    ],
)
def test_the_nav_item_and_the_page_use_the_roles_words(client, cast, who, words, not_these):
    cast.login(client, who)
    labels = nav_labels(client)
    assert words in labels and not_these not in labels
    heading, title = heading_and_title(client.get(ASK).content.decode())
    assert heading == words and title.startswith(words)


@pytest.mark.parametrize("who", ["community", "street"])
def test_staff_posting_for_somebody_see_the_same_words(client, cast, who):
    cast.login(client, who)
    body = client.get(ASK).content.decode()
    assert heading_and_title(body)[0] == "Report a need for a resident"
    assert "Ask for help" not in body
