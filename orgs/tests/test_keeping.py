"""The organisations registry kept by its owners (issue 10): party organisations (found, change, merge,
dissolve; no cycle), posts with terms, units and their party admins, kept by the organisation department
and the street over the place. Each page: the keeper works, an outsider gets 404, a wrong role 403; each
refusal changes nothing and keeps what was typed."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from audit.models import AuditEvent
from gongjian.testing import refusals
from orgs import actions
from orgs.access import keeps_party_org, keeps_unit
from orgs.models import PartyOrg, PartyOrgKind, Post, PostTitle, Unit, UnitKind
from people.models import Member

pytestmark = pytest.mark.django_db

refused = refusals([PartyOrg, Post, Unit, RoleGrant, User, Member, AuditEvent])


def url(name, *objects):
    return reverse(f"orgs:{name}", args=[o.public_id for o in objects])


def login(client, cast, who):
    cast.login(client, who)
    return client


def test_who_keeps_which_organisations_and_units(cast):
    p = cast.places
    assert keeps_party_org(cast.street, p.org_a1) and keeps_party_org(cast.orgdept, p.org_street_b)
    assert keeps_party_org(cast.street, p.org_unit_a)  # its unit is located in the street
    assert not keeps_party_org(cast.community, p.org_a1) and not keeps_party_org(cast.unit, p.org_unit_a)
    assert not keeps_party_org(cast.street2, p.org_a1)
    assert keeps_unit(cast.street, p.unit_a) and keeps_unit(cast.orgdept, p.unit_b)
    assert not keeps_unit(cast.street, p.unit_b) and not keeps_unit(cast.unit, p.unit_a)


# --- party organisations --------------------------------------------------------------------------


def test_the_street_founds_and_changes_an_organisation(client, cast):
    p = cast.places
    data = {"name": "阳光小区兼合式党支部", "kind": PartyOrgKind.COMPOUND, "code": "O1-1-1-1"}
    data |= {"parent": p.org_a1.public_id, "area": p.a1.public_id, "compound": p.compound_a1.public_id}
    response = login(client, cast, "street").post(url("party_org_new"), data)
    org = PartyOrg.objects.get(code="O1-1-1-1")
    assert response.status_code == 302 and response["Location"] == url("party_org_detail", org)
    assert org.path == p.org_a1.path + "O1-1-1-1." and org.compound == p.compound_a1
    edit = {
        "name": "阳光党支部",
        "kind": PartyOrgKind.BRANCH,
        "parent": p.org_a1.public_id,
        "area": p.a1.public_id,
    }
    response = client.post(url("party_org_edit", org), edit)
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.kind, org.compound) == ("阳光党支部", PartyOrgKind.BRANCH, None)
    assert AuditEvent.objects.filter(action="party_org.update", target_id=str(org.public_id)).exists()


def test_a_taken_code_is_refused_and_the_form_keeps_what_was_typed(client, cast):
    p = cast.places
    before = PartyOrg.objects.count()
    data = {"name": "typed org name", "kind": PartyOrgKind.BRANCH, "code": "O1-1", "area": p.a1.public_id}
    response = login(client, cast, "street").post(url("party_org_new"), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "The organisation code O1-1 is taken." in text and "typed org name" in text
    assert PartyOrg.objects.count() == before


def test_a_parent_that_does_not_exist_is_refused(client, cast):
    data = {"name": "孤儿", "kind": PartyOrgKind.BRANCH, "code": "Z9", "area": cast.places.a1.public_id}
    data["parent"] = "00000000-0000-4000-8000-000000000000"
    response = login(client, cast, "street").post(url("party_org_new"), data)
    assert response.status_code == 400 and not PartyOrg.objects.filter(code="Z9").exists()
    assert "Select a valid choice" in response.content.decode()


def test_the_tree_cannot_get_a_cycle(client, cast):
    p = cast.places
    street_org = p.org_street_a
    with refused(
        ValidationError, "lies under 东城街道党工委: an organisation cannot sit under itself", street_org
    ):
        actions.update_party_org(
            acting_user=cast.orgdept,
            party_org=street_org,
            name=street_org.name,
            kind=street_org.kind,
            parent=p.org_a1,
            area=p.street_a,
        )
    edit = {
        "name": street_org.name,
        "kind": street_org.kind,
        "parent": p.org_a1.public_id,
        "area": p.street_a.public_id,
    }
    response = login(client, cast, "orgdept").post(url("party_org_edit", street_org), edit)
    assert response.status_code == 400 and "cannot sit under itself" in response.content.decode()


def test_moving_an_organisation_moves_its_subtree(cast):
    p = cast.places
    child = actions.create_party_org(
        acting_user=cast.street,
        name="龙津第一支部",
        kind=PartyOrgKind.BRANCH,
        code="O1-1-1-9",
        parent=p.org_a1,
        area=p.a1,
    )
    actions.update_party_org(
        acting_user=cast.orgdept,
        party_org=p.org_a1,
        name=p.org_a1.name,
        kind=p.org_a1.kind,
        parent=p.org_city,
        area=p.a1,
    )
    assert PartyOrg.objects.get(pk=p.org_a1.pk).path == "O1.O1-1-1."
    assert PartyOrg.objects.get(pk=child.pk).path == "O1.O1-1-1.O1-1-1-9."


def test_an_organisation_with_members_or_children_is_not_dissolved(client, cast):
    p = cast.places
    with refused(
        ValidationError, "烟草公司党支部 still has 2 members and 0 organisations under it", p.org_unit_a
    ):
        actions.dissolve_party_org(acting_user=cast.street, party_org=p.org_unit_a)
    with refused(ValidationError, "still has 0 members and 1 organisations under it", p.org_street_a):
        actions.dissolve_party_org(acting_user=cast.orgdept, party_org=p.org_street_a)
    response = login(client, cast, "street").post(url("party_org_dissolve", p.org_unit_a), follow=True)
    assert "still has 2 members" in response.content.decode()
    assert PartyOrg.objects.get(pk=p.org_unit_a.pk).dissolved_on is None


def test_an_empty_organisation_is_dissolved_and_its_posts_end(client, cast):
    p = cast.places
    org = actions.create_party_org(
        acting_user=cast.street, name="临时支部", kind=PartyOrgKind.BRANCH, code="T1", area=p.a1
    )
    post = actions.appoint_post(
        acting_user=cast.street, party_org=org, title=PostTitle.SECRETARY, holder_name="王"
    )
    response = login(client, cast, "street").post(url("party_org_dissolve", org))
    assert response.status_code == 302
    org.refresh_from_db()
    post.refresh_from_db()
    assert org.dissolved_on == timezone.localdate() and post.ended_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="party_org.dissolve", target_id=str(org.public_id)).exists()
    with refused(ValidationError, "临时支部 is dissolved."):
        actions.appoint_post(acting_user=cast.street, party_org=org, title=PostTitle.DEPUTY, holder_name="李")


def test_merging_moves_members_and_child_organisations_to_the_survivor(client, cast):
    p = cast.places
    child = actions.create_party_org(
        acting_user=cast.street,
        name="龙津第二支部",
        kind=PartyOrgKind.BRANCH,
        code="O1-1-1-8",
        parent=p.org_a1,
        area=p.a1,
    )
    response = login(client, cast, "street").post(
        url("party_org_merge", p.org_a1), {"into": p.org_street_a.public_id}
    )
    assert response.status_code == 302 and response["Location"] == url("party_org_detail", p.org_street_a)
    assert Member.objects.get(pk=cast.m_retired.pk).party_org == p.org_street_a
    child.refresh_from_db()
    assert child.parent == p.org_street_a and child.path == "O1.O1-1.O1-1-1-8."
    merged = PartyOrg.objects.get(pk=p.org_a1.pk)
    assert merged.dissolved_on is not None
    event = AuditEvent.objects.get(action="party_org.merge")
    assert event.detail["members"] == 1 and event.detail["children"] == 1


def test_an_organisation_is_not_merged_into_one_below_it(cast):
    p = cast.places
    with refused(
        ValidationError, "lies under 东城街道党工委: merge the other way round", p.org_street_a, p.org_a1
    ):
        actions.merge_party_orgs(acting_user=cast.orgdept, party_org=p.org_street_a, into=p.org_a1)


def test_organisation_pages_refuse_wrong_roles_and_answer_outsiders_404(client, cast):
    p = cast.places
    for who in ("community", "unit", "grid", "member"):
        login(client, cast, who)
        assert client.get(url("party_org_new")).status_code == 403
        assert client.get(url("unit_new")).status_code == 403
    login(client, cast, "unit")
    assert client.get(url("party_org_edit", p.org_unit_a)).status_code == 403
    login(client, cast, "street2")
    for name in ("party_org_edit", "party_org_merge", "post_new"):
        assert client.get(url(name, p.org_a1)).status_code == 404
    assert client.post(url("party_org_dissolve", p.org_a1)).status_code == 404
    for name in ("unit_edit", "unit_admins"):
        assert client.get(url(name, p.unit_a)).status_code == 404


def test_a_reader_who_does_not_keep_is_refused_by_the_action(cast):
    with refused(PermissionDenied, "keeps the party organisations of 龙津社区"):
        actions.create_party_org(
            acting_user=cast.community, name="X", kind=PartyOrgKind.BRANCH, code="X1", area=cast.places.a1
        )


# --- posts ----------------------------------------------------------------------------------------


def test_posts_are_appointed_and_their_terms_ended(client, cast):
    p = cast.places
    data = {
        "title": PostTitle.PART_TIME,
        "holder_name": "周兼职",
        "from_unit": p.unit_a.public_id,
        "started_on": "2024-01-01",
    }
    response = login(client, cast, "street").post(url("post_new", p.org_a1), data)
    assert response.status_code == 302
    post = Post.objects.get(holder_name="周兼职")
    assert (post.from_unit, post.started_on) == (p.unit_a, date(2024, 1, 1))
    page = client.get(url("party_org_detail", p.org_a1)).content.decode()
    end = reverse("orgs:post_end", args=[p.org_a1.public_id, post.public_id])
    assert end in page
    assert client.post(end).status_code == 302
    post.refresh_from_db()
    assert post.ended_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="post.end").exists()
    with refused(ValidationError, "This term has ended already.", post):
        actions.end_post(acting_user=cast.street, post=post)


@pytest.mark.parametrize(
    ("org", "title", "unit", "message"),
    [
        ("org_a1", PostTitle.PART_TIME, None, "is sent by a unit: choose it"),
        ("org_street_a", PostTitle.FIRST_SECRETARY, "unit_a", "A first secretary is sent to a community"),
    ],
)
def test_post_refusals(client, cast, org, title, unit, message):
    p = cast.places
    data = {
        "title": title,
        "holder_name": "typed holder",
        "from_unit": getattr(p, unit).public_id if unit else "",
    }
    response = login(client, cast, "street").post(url("post_new", getattr(p, org)), data)
    assert response.status_code == 400
    assert message in response.content.decode() and "typed holder" in response.content.decode()
    assert not Post.objects.filter(holder_name="typed holder").exists()


def test_a_first_secretary_is_sent_to_a_community(cast):
    p = cast.places
    post = actions.appoint_post(
        acting_user=cast.street,
        party_org=p.org_a1,
        title=PostTitle.FIRST_SECRETARY,
        holder_name="第一",
        from_unit=p.dept_a,
    )
    assert post.from_unit == p.dept_a


# --- units ----------------------------------------------------------------------------------------


def test_the_street_registers_and_changes_a_unit(client, cast):
    p = cast.places
    data = {
        "name": "东城小学",
        "kind": UnitKind.PUBLIC_INSTITUTION,
        "address_area": p.a2.public_id,
        "credit_code": "12350802ma2y3x4k5l",
    }
    response = login(client, cast, "street").post(url("unit_new"), data)
    unit = Unit.objects.get(name="东城小学")
    assert response.status_code == 302 and response["Location"] == url("unit_detail", unit)
    assert unit.credit_code == "12350802MA2Y3X4K5L"
    data |= {"address_area": p.a1.public_id, "contact_name": "张老师"}
    assert client.post(url("unit_edit", unit), data).status_code == 302
    unit.refresh_from_db()
    assert (unit.address_area, unit.contact_name) == (p.a1, "张老师")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "龙岩市烟草公司"}, "A unit named 龙岩市烟草公司 exists already."),
        ({"credit_code": "123"}, "has 18 digits and capital letters"),
    ],
)
def test_unit_refusals_keep_what_was_typed(client, cast, fields, message):
    data = {
        "name": "typed unit",
        "kind": UnitKind.PRIVATE_FIRM,
        "address_area": cast.places.a1.public_id,
        "address": "typed address",
    }
    data |= fields
    before = Unit.objects.count()
    response = login(client, cast, "street").post(url("unit_new"), data)
    assert response.status_code == 400
    assert message in response.content.decode() and "typed address" in response.content.decode()
    assert Unit.objects.count() == before


def test_a_taken_credit_code_is_refused(cast):
    p = cast.places
    actions.update_unit(
        acting_user=cast.orgdept,
        unit=p.unit_b,
        name=p.unit_b.name,
        kind=p.unit_b.kind,
        address_area=p.b1,
        credit_code="91350802MA2Y3X4K5L",
    )
    with refused(ValidationError, "Another unit has the credit code 91350802MA2Y3X4K5L.", p.unit_a):
        actions.update_unit(
            acting_user=cast.street,
            unit=p.unit_a,
            name=p.unit_a.name,
            kind=p.unit_a.kind,
            address_area=p.a1,
            credit_code="91350802MA2Y3X4K5L",
        )


def test_moving_a_unit_moves_its_members_place(cast):
    p = cast.places
    actions.update_unit(
        acting_user=cast.street, unit=p.unit_a, name=p.unit_a.name, kind=p.unit_a.kind, address_area=p.a2
    )
    assert Member.objects.get(pk=cast.m_member.pk).unit_path == p.a2.path


def test_a_unit_cannot_be_moved_out_of_the_keepers_area(cast):
    p = cast.places
    with refused(PermissionDenied, "registers units located in 西安社区", p.unit_a):
        actions.update_unit(
            acting_user=cast.street, unit=p.unit_a, name=p.unit_a.name, kind=p.unit_a.kind, address_area=p.b1
        )


def test_unit_admins_are_named_by_phone_one_person_one_account(client, cast):
    p = cast.places
    response = login(client, cast, "street").post(
        url("unit_admins", p.unit_a), {"full_name": "郭管理", "phone": "13700009999"}
    )
    assert response.status_code == 302
    person = User.objects.get(full_name="郭管理")
    assert not person.has_usable_password()
    assert client.post(url("unit_admins", p.dept_a), {"phone": "137 0000 9999"}).status_code == 302
    assert User.objects.filter(full_name="郭管理").count() == 1
    assert set(person.role_grants.values_list("role", "unit")) == {
        (Role.UNIT_ADMIN, p.unit_a.pk),
        (Role.UNIT_ADMIN, p.dept_a.pk),
    }
    grant = person.role_grants.get(unit=p.unit_a)
    remove = reverse("orgs:unit_admin_remove", args=[p.unit_a.public_id, grant.public_id])
    assert remove in client.get(url("unit_admins", p.unit_a)).content.decode()
    assert client.post(remove).status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    # another unit's grant is not reached through this unit's page
    other = person.role_grants.get(unit=p.dept_a)
    wrong = reverse("orgs:unit_admin_remove", args=[p.unit_a.public_id, other.public_id])
    assert client.post(wrong).status_code == 404


def test_the_unit_admins_page_costs_the_same_for_more_admins(client, cast, django_assert_max_num_queries):
    p = cast.places
    login(client, cast, "street")
    with django_assert_max_num_queries(12):
        assert client.get(url("unit_admins", p.unit_a)).status_code == 200
    for n in range(3):
        actions.grant_unit_admin(
            acting_user=cast.street, unit=p.unit_a, full_name=f"管{n}", phone=f"1370000100{n}"
        )
    with django_assert_max_num_queries(12):
        assert client.get(url("unit_admins", p.unit_a)).status_code == 200


def test_keepers_see_the_buttons_readers_do_not(client, cast):
    p = cast.places
    login(client, cast, "street")
    assert url("party_org_edit", p.org_a1) in client.get(url("party_org_detail", p.org_a1)).content.decode()
    assert url("unit_edit", p.unit_a) in client.get(url("unit_detail", p.unit_a)).content.decode()
    assert reverse("orgs:party_org_new") in client.get(reverse("orgs:party_org_list")).content.decode()
    login(client, cast, "community")
    assert (
        url("party_org_edit", p.org_a1) not in client.get(url("party_org_detail", p.org_a1)).content.decode()
    )
    assert reverse("orgs:unit_new") not in client.get(reverse("orgs:unit_list")).content.decode()


def test_a_unit_without_a_party_admin_waits_on_its_keepers_home(client, cast):
    from accounts.scope import scope_for
    from gongjian.work import items_for

    p = cast.places
    assert not [i for i in items_for(cast.street, scope_for(cast.street)) if i.key == "orgs.unit_admin"]
    unit = actions.create_unit(
        acting_user=cast.street, name="东城超市", kind=UnitKind.PRIVATE_FIRM, address_area=p.a2
    )
    item = next(i for i in items_for(cast.street, scope_for(cast.street)) if i.key == "orgs.unit_admin")
    assert item.count == 1  # the department (城市管理局) has no unit admin and is not counted
    page = login(client, cast, "street").get(item.url)
    assert [row.record for row in page.context["table"].page.object_list] == [unit]
    assert not [i for i in items_for(cast.street2, scope_for(cast.street2)) if i.key == "orgs.unit_admin"]
    actions.grant_unit_admin(acting_user=cast.street, unit=unit, full_name="超市管理", phone="13700002222")
    assert not [i for i in items_for(cast.street, scope_for(cast.street)) if i.key == "orgs.unit_admin"]
