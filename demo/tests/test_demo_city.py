"""The demo city generator: deterministic, valid numbers and codes, demo accounts that see what they should."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Role
from audit.models import AuditEvent
from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from gongjian.privacy import birth_date_from_id, decrypt, gender_from_id, normalize_id_number, normalize_phone
from orgs.models import PartyOrg, PartyOrgKind, Post, PostTitle, Unit, UnitKind
from people.models import Applicant, Member, Resident
from places.models import AREA_CODE_LENGTH, Area, AreaLevel, Building, Compound, Grid
from places.paths import subtree_q

SMALL = {
    "members": 300,
    "units": 20,
    "residents": 60,
    "applicants": 25,
    "districts": 2,
    "streets_per_district": 2,
    "communities_per_street": 2,
}
DEMO_OPTIONS = SMALL  # the city the conftest commits once for the tests that use it
# The smallest city the command builds, for tests about the build itself rather than what it holds.
TINY = {
    "members": 40,
    "units": 6,
    "residents": 10,
    "applicants": 5,
    "districts": 1,
    "streets_per_district": 2,
    "communities_per_street": 1,
}


def build(**options) -> str:
    out = StringIO()
    call_command("demo_city", stdout=out, **{**SMALL, **options})
    return out.getvalue()


def snapshot() -> dict:
    """Everything the seed decides (ciphertexts are salted, so compare the keyed hashes)."""
    return {
        "areas": list(Area.objects.order_by("code").values_list("code", "name", "path")),
        "compounds": list(
            Compound.objects.order_by("community__code", "name").values_list(
                "community__code", "name", "address"
            )
        ),
        "buildings": Building.objects.count(),
        "grids": list(Grid.objects.order_by("code").values_list("code", "name", "level", "path")),
        "units": list(
            Unit.objects.order_by("name").values_list("name", "kind", "credit_code", "address_area__code")
        ),
        "orgs": list(PartyOrg.objects.order_by("code").values_list("code", "name", "kind", "path")),
        "posts": list(
            Post.objects.order_by("party_org__code", "title").values_list(
                "party_org__code", "title", "holder_name"
            )
        ),
        "members": list(
            Member.objects.order_by("id_number_hash").values_list(
                "name",
                "name_initials",
                "gender",
                "birth_date",
                "status",
                "id_number_hash",
                "phone_hash",
                "id_number_hint",
                "unit__name",
                "party_org__code",
                "residence_area__code",
                "residence_compound__name",
                "residence_building__name",
                "in_service",
                "skills",
            )
        ),
        "residents": list(
            Resident.objects.order_by("name", "phone_hash").values_list(
                "name", "gender", "phone_hash", "id_number_hash", "residence_area__code", "household_note"
            )
        ),
        "applicants": list(
            Applicant.objects.order_by("id_number_hash").values_list("name", "stage", "id_number_hash")
        ),
    }


@pytest.fixture
def city(demo_city):
    return demo_city


def user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_the_same_seed_builds_the_same_city_and_reset_rebuilds_it(city):
    first = snapshot()
    assert len(first["members"]) == 301  # 300 + the demo member
    events = AuditEvent.objects.count()
    out = build(reset=True)
    assert "Done" in out
    assert snapshot() == first
    # reset keeps the append-only audit log: the old rows stay, the rebuild adds its own
    assert AuditEvent.objects.count() > events
    build(reset=True, seed=7)
    other = snapshot()
    assert other["areas"][0] == first["areas"][0]  # the city itself is fixed
    assert other["members"] != first["members"]


def test_rerunning_without_reset_changes_nothing(city):
    before, events = snapshot(), AuditEvent.objects.count()
    out = build(members=50)
    assert "exists already" in out and "--reset" in out
    assert snapshot() == before
    assert AuditEvent.objects.count() == events


def test_id_numbers_are_valid_unique_and_agree_with_gender_and_birth_date(city):
    members = list(Member.objects.all())
    for m in members:
        id_number = normalize_id_number(decrypt(m.id_number_cipher))  # raises on a wrong check digit
        assert gender_from_id(id_number) == m.gender
        assert birth_date_from_id(id_number) == m.birth_date
        assert m.id_number_hint == id_number[:6] + id_number[-4:]
        phone = normalize_phone(decrypt(m.phone_cipher))
        assert m.masked_phone == f"{phone[:3]}****{phone[-4:]}"
        assert m.joined_on is not None and m.joined_on > m.birth_date
    assert len({m.id_number_hash for m in members}) == len(members)
    assert len({m.phone_hash for m in members}) == len(members)
    in_service = [m for m in members if m.in_service]
    assert 0.2 < len(in_service) / len(members) < 0.45
    assert all(m.unit_id for m in in_service) and not any(m.unit_id for m in members if not m.in_service)
    for a in Applicant.objects.all():
        normalize_id_number(decrypt(a.id_number_cipher))
        dates = [
            d for d in (a.applied_on, a.activist_on, a.development_on, a.probationary_on, a.full_on) if d
        ]
        assert dates == sorted(dates)


def test_codes_nest_and_paths_follow_them(city):
    areas = {a.pk: a for a in Area.objects.all()}
    for area in areas.values():
        assert len(area.code) == AREA_CODE_LENGTH[area.level]
        parent = areas.get(area.parent_id)
        assert area.path == (parent.path if parent else "") + area.code + "."
        if area.level == AreaLevel.DISTRICT:
            assert area.code.startswith("3508")
        if area.level in (AreaLevel.STREET, AreaLevel.COMMUNITY):
            assert area.code.startswith(parent.code)
    assert Area.objects.get(code="350802").name == "新罗区"
    assert Area.objects.get(code="350803").name == "永定区"
    for grid in Grid.objects.select_related("street", "parent"):
        assert grid.path.startswith(grid.parent.path if grid.parent else grid.street.path)
    for building in Building.objects.select_related("grid", "compound__community"):
        assert building.grid.level == 3 and building.grid.street_id == building.compound.community.parent_id
    for org in PartyOrg.objects.select_related("parent"):
        assert org.path == (org.parent.path if org.parent else "") + org.code + "."


def test_every_kind_of_unit_and_organisation_is_there(city):
    assert set(Unit.objects.values_list("kind", flat=True)) == set(UnitKind.values)
    assert not Unit.objects.filter(party_orgs__isnull=True).exists()
    kinds = set(PartyOrg.objects.values_list("kind", flat=True))
    assert {
        PartyOrgKind.COMMITTEE,
        PartyOrgKind.WORKING_COMMITTEE,
        PartyOrgKind.COMPOUND,
        PartyOrgKind.GRID_BRANCH,
        PartyOrgKind.BRANCH,
    } <= kinds
    assert PartyOrg.objects.get(code="P350800").name == "中共龙岩市委"
    titles = set(Post.objects.values_list("title", flat=True))
    assert {PostTitle.SECRETARY, PostTitle.DEPUTY, PostTitle.PART_TIME, PostTitle.FIRST_SECRETARY} <= titles
    assert Post.objects.filter(title=PostTitle.PART_TIME, from_unit__isnull=False).exists()


def test_every_demo_account_exists_with_its_role_and_password(city):
    for account in DEMO_ACCOUNTS:
        u = user(account.username)
        assert u.check_password(DEMO_PASSWORD)
        assert u.role_grants.filter(role=account.role).exists()
        assert u.phone_hash
    admin = user("admin")
    assert admin.is_staff and admin.is_superuser


def _lives_or_works_in(member, path):
    home = member.residence_area.path if member.residence_area_id else ""
    return home.startswith(path) or member.unit is not None and member.unit.address_area.path.startswith(path)


def test_street_sees_its_own_members_and_residents_only(city):
    street_user, street = user("street"), user("street").role_grants.get().area
    everyone = list(Member.objects.select_related("residence_area", "unit__address_area"))
    expected = {m.pk for m in everyone if _lives_or_works_in(m, street.path)}
    seen = set(Member.objects.visible_to(street_user).values_list("pk", flat=True))
    assert seen == expected and 0 < len(seen) < len(everyone)

    residents_a = Resident.objects.filter(subtree_q("residence_area__path", street.path))
    assert set(Resident.objects.visible_to(street_user)) == set(residents_a)
    street2 = user("street2")
    assert street2.role_grants.get().area != street
    assert not Resident.objects.visible_to(street2).filter(pk__in=residents_a).exists()
    assert Resident.objects.visible_to(street2).exists()


def test_community_unit_member_and_inspector_fit_together(city):
    street = user("street").role_grants.get().area
    community = user("community").role_grants.get().area
    assert community.parent_id == street.pk

    unit = user("unit").role_grants.get().unit
    assert unit.kind != UnitKind.DEPARTMENT
    assert set(Member.objects.visible_to(user("unit"))) == set(Member.objects.filter(unit=unit))
    lives_in_street = Member.objects.filter(unit=unit, in_service=True).filter(
        subtree_q("residence_area__path", street.path)
    )
    assert lives_in_street.exists()

    member = Member.objects.get(user=user("member"))
    assert member.unit == unit and member.in_service and member.residence_area == community
    assert list(Member.objects.visible_to(user("member"))) == [member]
    assert user("member").role_grants.get().role == Role.MEMBER

    # the demo unit, and the others its post in the street's alliance follows (demo/alliances)
    inspected = {grant.unit for grant in user("inspector").role_grants.all()}
    assert unit in inspected and len(inspected) <= 3
    assert set(Member.objects.visible_to(user("inspector"))) == set(Member.objects.filter(unit__in=inspected))


def test_grid_resident_and_department(city):
    street = user("street").role_grants.get().area
    grid = user("grid").role_grants.get().grid
    assert grid.level == 1 and grid.street == street
    assert Building.objects.visible_to(user("grid")).exists()
    assert not Building.objects.visible_to(user("grid")).exclude(grid__street=street).exists()

    resident = Resident.objects.get(user=user("resident"))
    assert resident.residence_area == user("community").role_grants.get().area
    assert list(Resident.objects.visible_to(user("resident"))) == [resident]

    assert user("dept").role_grants.get().unit.kind == UnitKind.DEPARTMENT
    assert Member.objects.visible_to(user("orgdept")).count() == Member.objects.count()


def test_demo_accounts_command_prints_the_table(city):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    assert "演示账号 / Demo accounts" in text and "http://127.0.0.1:8000" in text
    for account in DEMO_ACCOUNTS:
        assert f"\n{account.username} " in text
    assert text.count(DEMO_PASSWORD) == len(DEMO_ACCOUNTS)


def test_demo_accounts_command_before_any_city(db):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "demo-city" in out.getvalue()


@pytest.mark.parametrize(
    "options", [{"units": 3}, {"districts": 1, "streets_per_district": 1}, {"members": -1}]
)
def test_impossible_sizes_are_refused(db, options):
    with pytest.raises(CommandError):
        build(**options)


@pytest.mark.parametrize("username", ["admin", "demo-c350802001001"])  # a demo account, one of the cast
def test_a_taken_demo_username_stops_the_build_and_reset_clears_it(db, username):
    from accounts.actions import create_user

    create_user(acting_user=None, username=username, password=None)
    with pytest.raises(CommandError, match=username):
        build(**TINY)
    assert not Area.objects.exists()
    build(reset=True, **TINY)
    assert user("admin").role_grants.filter(role=Role.PLATFORM_ADMIN).exists()
