import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.actions import create_user, grant_role
from accounts.models import Role, RoleGrant
from alliances import posts
from alliances.access import inspects
from alliances.models import AlliancePost, PostRole
from alliances.tests.fixtures import street_alliance

pytestmark = pytest.mark.django_db


def person(name):
    return create_user(acting_user=None, username=name, password="x-password-123", full_name=name)


def test_one_envoy_per_unit_refused_in_words(cast):
    a = street_alliance(cast)
    p = cast.places
    post = posts.appoint(
        acting_user=cast.street, alliance=a.alliance, role="envoy", user=person("e1"), unit=p.unit_a
    )
    assert post.holder_name == "e1" and post.started_on is not None
    with pytest.raises(ValidationError, match="already has an envoy"):
        posts.appoint(
            acting_user=cast.street, alliance=a.alliance, role="envoy", user=person("e2"), unit=p.unit_a
        )
    posts.end_post(acting_user=cast.street, post=post)
    again = posts.appoint(
        acting_user=cast.street, alliance=a.alliance, role="envoy", user=person("e3"), unit=p.unit_a
    )
    assert again.ended_on is None


def test_posts_from_units_need_a_member_unit(cast):
    a = street_alliance(cast)
    p = cast.places
    with pytest.raises(ValidationError, match="member unit"):
        posts.appoint(acting_user=cast.street, alliance=a.alliance, role="part_time", user=person("x"))
    with pytest.raises(ValidationError, match="not a member unit"):
        posts.appoint(
            acting_user=cast.street, alliance=a.alliance, role="envoy", user=person("y"), unit=p.unit_b
        )
    liaison = posts.appoint(acting_user=cast.street, alliance=a.alliance, role="liaison", user=person("z"))
    assert liaison.unit is None
    with pytest.raises(ValidationError, match="Choose the post"):
        posts.appoint(acting_user=cast.street, alliance=a.alliance, role="boss", user=person("w"))
    with pytest.raises(ValidationError, match="already has a secretary"):
        posts.appoint(acting_user=cast.street, alliance=a.alliance, role="secretary", user=person("s1"))
        posts.appoint(acting_user=cast.street, alliance=a.alliance, role="secretary", user=person("s2"))


def test_only_the_lead_appoints(cast):
    a = street_alliance(cast)
    for who in ("unit", "street2", "inspector", "grid"):
        with pytest.raises(PermissionDenied):
            posts.appoint(
                acting_user=getattr(cast, who), alliance=a.alliance, role="liaison", user=person(f"l{who}")
            )


def test_inspector_grants_and_revokes_only_what_it_granted(cast):
    a = street_alliance(cast)
    p = cast.places
    insp = person("督查员甲")
    with pytest.raises(ValidationError, match="at least one"):
        posts.appoint(acting_user=cast.street, alliance=a.alliance, role="inspector", user=insp)
    # the person already inspected dept_a by a grant of their own
    grant_role(acting_user=None, user=insp, role=Role.INSPECTOR, unit=p.dept_a)
    post = posts.appoint(
        acting_user=cast.street,
        alliance=a.alliance,
        role="inspector",
        user=insp,
        followed_units=[p.unit_a, p.dept_a],
    )
    assert inspects(insp, p.unit_a) and inspects(insp, p.dept_a)
    assert posts.granted_units(post) == {p.unit_a.pk}
    posts.change_followed_units(acting_user=cast.street, post=post, followed_units=[p.dept_a])
    assert not RoleGrant.objects.filter(user=insp, role=Role.INSPECTOR, unit=p.unit_a).exists()
    posts.change_followed_units(acting_user=cast.street, post=post, followed_units=[p.unit_a])
    assert posts.granted_units(post) == {p.unit_a.pk}
    posts.end_post(acting_user=cast.street, post=post)
    grants = set(RoleGrant.objects.filter(user=insp, role=Role.INSPECTOR).values_list("unit_id", flat=True))
    assert grants == {p.dept_a.pk}  # their own grant stays
    with pytest.raises(ValidationError, match="already ended"):
        posts.end_post(acting_user=cast.street, post=post)


def test_informants_are_grid_workers_of_the_area(cast):
    a = street_alliance(cast)
    post = posts.appoint(acting_user=cast.street, alliance=a.alliance, role="informant", user=cast.grid)
    assert post.role == PostRole.INFORMANT
    with pytest.raises(ValidationError, match="grid worker"):
        posts.appoint(acting_user=cast.street, alliance=a.alliance, role="informant", user=cast.grid2)
    with pytest.raises(ValidationError, match="grid worker"):
        posts.appoint(acting_user=cast.street, alliance=a.alliance, role="informant", user=person("nogrid"))
    assert AlliancePost.objects.visible_to(cast.grid).filter(pk=post.pk).exists()
