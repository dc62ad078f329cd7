"""The certificate names the person's name 姓名 (msgctxt "person"), not 名称, the name of a thing, which
the shared msgid "Name" means elsewhere."""

from django.utils import translation

from checkin.tests.test_documents import certificate_url, certified, pdf_text


def test_the_person_name_has_its_own_msgid():
    with translation.override("zh-hans"):
        assert translation.pgettext("person", "Name") == "姓名"
        assert translation.gettext("Name") == "名称"  # the shared one stays for things (units, orgs…)


def test_the_certificate_labels_the_members_name_xingming(client, cast, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    checkin, _certificate = certified(cast)
    cast.login(client, "unit")
    text = pdf_text(client.get(certificate_url(checkin)).content)
    assert "姓名" in text and "张三丰" in text
    assert "名称" not in text
