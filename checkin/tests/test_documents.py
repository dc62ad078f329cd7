"""Certificate and receipt PDFs, and the code verification page: who may have them, what they say,
forged and replayed codes."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from checkin import actions, codes
from checkin.documents import verification_url
from checkin.models import CheckInEvent, CheckInState, VanguardKind
from checkin.pdf import FONT_FILES, _font_paths, chinese_date
from orgs.actions import create_party_org
from orgs.models import PartyOrgKind

# poppler-utils and the bundled font are installed by `make test` (Makefile: system-deps, assets);
# their absence is a failure, not a skip.
assert shutil.which("pdftotext"), "poppler-utils is missing: run `make test`, which installs it"


# --- helpers ------------------------------------------------------------------------------------


def submitted(cast):
    return actions.submit_checkin(
        acting_user=cast.member,
        member=cast.m_member,
        vanguard_kinds=[VanguardKind.POLICY_OUTREACH, VanguardKind.VOLUNTEERING],
        skills="法律咨询",
    )


def certified(cast):
    checkin = submitted(cast)
    certificate = actions.issue_certificate(acting_user=cast.unit, checkin=checkin)
    checkin.refresh_from_db()
    return checkin, certificate


def confirmed(cast):
    checkin, certificate = certified(cast)
    actions.confirm_by_code(acting_user=cast.community, code=codes.certificate_code(certificate))
    checkin.refresh_from_db()
    return checkin, certificate


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def certificate_url(checkin) -> str:
    return reverse("checkin:certificate_pdf", args=[checkin.public_id])


def receipt_url(checkin) -> str:
    return reverse("checkin:receipt_pdf", args=[checkin.public_id])


def forged(code: str) -> str:
    """The same code with one character of the signature changed."""
    last = code[-1]
    return code[:-1] + ("A" if last != "A" else "B")


# --- the certificate ----------------------------------------------------------------------------


def test_unit_admin_downloads_the_certificate_pdf(client, cast):
    checkin, certificate = certified(cast)
    cast.login(client, "unit")
    response = client.get(certificate_url(checkin))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert len(pdf) < 150_000  # fonts are subset: only the glyphs used
    text = pdf_text(pdf)
    assert "张三丰" in text
    assert "龙津社区" in text
    assert certificate.serial in text
    assert "烟草公司党支部" in text  # the issuing party organisation, as the seal line
    assert codes.certificate_code(certificate) in text  # printed under the QR code for typing
    assert "*" in text and cast.m_member.id_number_hint[-4:] in text  # the ID number only masked
    assert AuditEvent.objects.filter(
        action="checkin.certificate_pdf", actor=cast.unit, target_id=str(checkin.public_id)
    ).exists()


def test_certificate_embeds_a_subset_of_noto_sans_sc(client, cast):
    assert len(_font_paths()) == len(FONT_FILES), "run `make assets` for the bundled font"
    checkin, _certificate = certified(cast)
    cast.login(client, "unit")
    pdf = client.get(certificate_url(checkin)).content
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Noto-Sans-SC" in fonts
    assert all(line.split()[-5:-3] == ["yes", "yes"] for line in fonts.splitlines()[2:])  # embedded, subset


@pytest.mark.parametrize("who", ["member", "admin"])
def test_the_member_and_the_platform_admin_download_the_certificate(client, cast, who):
    checkin, _certificate = certified(cast)
    cast.login(client, who)
    response = client.get(certificate_url(checkin))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("unit2", 404),  # another unit: the check-in is outside its scope
        ("community", 403),  # the target community sees the check-in but does not print certificates
        ("street", 403),
        ("community2", 403),
        ("grid", 403),
        ("nobody", 403),
    ],
)
def test_others_cannot_download_the_certificate(client, cast, who, status):
    checkin, _certificate = certified(cast)
    cast.login(client, who)
    assert client.get(certificate_url(checkin)).status_code == status
    assert not AuditEvent.objects.filter(action="checkin.certificate_pdf").exists()


def test_a_unit_admin_of_another_unit_cannot_see_a_member_who_lives_in_its_area(client, cast):
    checkin = actions.submit_checkin(acting_user=cast.unit2, member=cast.m_b)
    actions.issue_certificate(acting_user=cast.unit2, checkin=checkin)
    cast.login(client, "unit")
    assert client.get(certificate_url(checkin)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, cast):
    checkin, _certificate = certified(cast)
    response = client.get(certificate_url(checkin))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_no_certificate_before_it_is_issued_or_after_it_is_withdrawn(client, cast):
    checkin = submitted(cast)
    cast.login(client, "unit")
    assert client.get(certificate_url(checkin)).status_code == 404
    actions.issue_certificate(acting_user=cast.unit, checkin=checkin)
    assert client.get(certificate_url(checkin)).status_code == 200
    actions.return_checkin(acting_user=cast.community, checkin=checkin, reason="楼栋填错了")
    assert client.get(certificate_url(checkin)).status_code == 404


def test_the_qr_payload_is_the_verify_url_with_a_genuine_code(cast, settings):
    settings.ALLOWED_HOSTS = ["gongjian.example.cn"]
    _checkin, certificate = certified(cast)
    request = RequestFactory().get("/", HTTP_HOST="gongjian.example.cn", secure=True)
    payload = verification_url(request, certificate)
    code = codes.certificate_code(certificate)
    assert payload == f"https://gongjian.example.cn/checkin/verify/?code={code}"
    assert codes.verify(payload).pk == certificate.pk  # what the phone opens is what verify accepts
    with pytest.raises(codes.InvalidCode):
        codes.verify(forged(payload))


def test_chinese_dates():
    from datetime import date

    assert chinese_date(date(2026, 11, 22)) == "2026年11月22日"
    assert chinese_date(date(2027, 1, 5)) == "2027年1月5日"


# --- the receipt --------------------------------------------------------------------------------


def test_no_receipt_before_confirmation(client, cast):
    checkin, _certificate = certified(cast)
    for who in ("community", "unit"):
        cast.login(client, who)
        assert client.get(receipt_url(checkin)).status_code == 404


def test_the_community_prints_the_receipt_after_confirming(client, cast):
    p = cast.places
    create_party_org(
        acting_user=None,
        name="阳光网格党支部",
        kind=PartyOrgKind.GRID_BRANCH,
        code="O1-1-1-1",
        parent=p.org_a1,
        area=p.a1,
        grid=p.grid_a3,
    )
    checkin, certificate = confirmed(cast)
    assert checkin.grid_branch.name == "阳光网格党支部"
    for who in ("community", "unit"):
        cast.login(client, who)
        response = client.get(receipt_url(checkin))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert "张三丰" in text
        assert "龙岩市烟草公司" in text
        assert "龙津社区" in text
        assert "阳光网格党支部" in text
        assert certificate.serial in text
        assert "community" in text  # who confirmed (the user's name)
        assert chinese_date(timezone.localtime(checkin.confirmed_at).date()) in text
    assert AuditEvent.objects.filter(action="checkin.receipt_pdf").count() == 2


@pytest.mark.parametrize(
    ("who", "status"),
    [("community2", 404), ("unit2", 404), ("member", 403), ("street", 403), ("grid", 403)],
)
def test_others_cannot_print_the_receipt(client, cast, who, status):
    checkin, _certificate = confirmed(cast)
    cast.login(client, who)
    assert client.get(receipt_url(checkin)).status_code == status


# --- the verification page ----------------------------------------------------------------------

VERIFY = "/checkin/verify/"


def test_the_verify_url_is_where_the_qr_code_points():
    assert reverse("checkin:verify") == VERIFY


def test_verify_page_shows_a_form_to_type_a_code(client, cast):
    cast.login(client, "community")
    response = client.get(VERIFY)
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


@pytest.mark.parametrize("who", ["unit", "member", "street", "grid", "nobody"])
def test_only_communities_verify_codes(client, cast, who):
    _checkin, certificate = certified(cast)
    cast.login(client, who)
    code = codes.certificate_code(certificate)
    assert client.get(VERIFY, {"code": code}).status_code == 403
    assert client.post(VERIFY, {"code": code}).status_code == 403
    assert CheckInEvent.objects.filter(to_state=CheckInState.CONFIRMED).count() == 0


def test_a_forged_code_is_refused_and_changes_nothing(client, cast):
    checkin, certificate = certified(cast)
    bad = forged(codes.certificate_code(certificate))
    cast.login(client, "community")
    page = client.get(VERIFY, {"code": bad}).content.decode()
    assert "not genuine" in page
    assert "张三丰" not in page
    assert "Confirm check-in" not in page
    response = client.post(VERIFY, {"code": bad})
    assert response.status_code == 400
    assert "not genuine" in response.content.decode()
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CERTIFIED
    assert not CheckInEvent.objects.filter(checkin=checkin, to_state=CheckInState.CONFIRMED).exists()
    assert AuditEvent.objects.filter(action="checkin.code_refused").exists()


def test_garbage_and_withdrawn_codes_are_refused(client, cast):
    checkin, certificate = certified(cast)
    cast.login(client, "community")
    assert "not a check-in certificate code" in client.get(VERIFY, {"code": "hello"}).content.decode()
    actions.return_checkin(acting_user=cast.unit, checkin=checkin, reason="重新填写")
    page = client.get(VERIFY, {"code": codes.certificate_code(certificate)}).content.decode()
    assert "withdrawn" in page
    assert "张三丰" not in page


def test_the_community_sees_the_member_and_confirms(client, cast, django_assert_max_num_queries):
    checkin, certificate = certified(cast)
    code = codes.certificate_code(certificate)
    cast.login(client, "community")
    with django_assert_max_num_queries(12):
        response = client.get(VERIFY, {"code": code})
    page = response.content.decode()
    assert response.status_code == 200
    for shown in ("张三丰", "龙岩市烟草公司", "龙津社区", "阳光小区 1号楼", "Certified", "Confirm check-in"):
        assert shown in page
    assert 'name="csrfmiddlewaretoken"' in page

    response = client.post(VERIFY, {"code": code, "via": "scan"})
    assert response.status_code == 302
    assert response["Location"] == reverse("checkin:community_page")
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CONFIRMED
    event = CheckInEvent.objects.get(checkin=checkin, to_state=CheckInState.CONFIRMED)
    assert (event.actor, event.via, event.from_state) == (cast.community, "scan", CheckInState.CERTIFIED)


def test_a_typed_code_is_accepted_in_any_case_and_recorded_as_typed(client, cast):
    checkin, certificate = certified(cast)
    typed = codes.certificate_code(certificate).lower().replace("-", " - ", 1)
    cast.login(client, "community")
    page = client.get(VERIFY, {"code": typed, "via": "typed"}).content.decode()
    assert "张三丰" in page and 'value="typed"' in page
    assert client.post(VERIFY, {"code": typed, "via": "typed"}).status_code == 302
    assert CheckInEvent.objects.get(checkin=checkin, to_state=CheckInState.CONFIRMED).via == "typed"


def test_a_replayed_code_says_already_confirmed(client, cast):
    checkin, certificate = confirmed(cast)
    code = codes.certificate_code(certificate)
    cast.login(client, "community")
    page = client.get(VERIFY, {"code": code}).content.decode()
    assert "Already confirmed on" in page
    assert "Confirm check-in" not in page
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 400
    assert "already confirmed" in response.content.decode()
    assert CheckInEvent.objects.filter(checkin=checkin, to_state=CheckInState.CONFIRMED).count() == 1


def test_another_community_learns_nothing_about_the_member(client, cast):
    checkin, certificate = certified(cast)
    code = codes.certificate_code(certificate)
    cast.login(client, "community2")
    page = client.get(VERIFY, {"code": code}).content.decode()
    assert "This certificate is for another community" in page
    for hidden in ("张三丰", "龙岩市烟草公司", "阳光小区", "Confirm check-in"):
        assert hidden not in page
    response = client.post(VERIFY, {"code": code})
    page = response.content.decode()
    assert response.status_code == 400
    assert "another community" in page
    assert "张三丰" not in page
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CERTIFIED


def test_the_platform_admin_may_verify_and_confirm(client, cast):
    checkin, certificate = certified(cast)
    cast.login(client, "admin")
    code = codes.certificate_code(certificate)
    assert "张三丰" in client.get(VERIFY, {"code": code}).content.decode()
    assert client.post(VERIFY, {"code": code}).status_code == 302
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CONFIRMED
