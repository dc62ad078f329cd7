"""Writes to the people registries, and the audited reveal of sensitive numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import scope_for
from audit.actions import record_event, record_events
from audit.models import Outcome
from gongjian import bulk
from gongjian.names import pinyin_initials
from gongjian.privacy import InvalidNumber, decrypt, keyed_hash, normalize_id_number, normalize_phone, seal
from people.models import Member, MemberStatus, Resident, SensitiveNumbers
from rollups.counting import mark_changed

if TYPE_CHECKING:
    from accounts.models import User
    from orgs.models import PartyOrg, Unit
    from places.models import Area, Building, Compound

Person = TypeVar("Person", bound=SensitiveNumbers)


def seal_numbers(person: SensitiveNumbers, *, id_number: str | None = None, phone: str | None = None) -> None:
    """Validate and seal numbers onto a person (not saved). ``None`` leaves a number as it is."""
    if id_number is not None:
        value = normalize_id_number(id_number)
        sealed = seal("id_number", value)
        person.id_number_cipher, person.id_number_hash, person.id_number_hint = (
            sealed.cipher,
            sealed.hash,
            sealed.hint,
        )
    if phone is not None:
        if phone == "":
            person.phone_cipher = person.phone_hash = person.phone_hint = ""
        else:
            sealed = seal("phone", normalize_phone(phone))
            person.phone_cipher, person.phone_hash, person.phone_hint = (
                sealed.cipher,
                sealed.hash,
                sealed.hint,
            )


def derive_place_paths(person: Member | Resident) -> None:
    """Copy the tree paths of a person's home, grid and unit onto the row (not saved).

    The paths are immutable once an area or grid exists, so the copies only change when the person
    moves, changes unit, or their unit or building is moved; refresh_place_paths covers the last two.
    """
    area = person.residence_area
    person.residence_path = area.path if area is not None else ""
    building = person.residence_building
    grid = building.grid if building is not None else None
    person.grid_path = grid.path if grid is not None else ""
    if isinstance(person, Member):
        unit = person.unit
        person.unit_path = unit.address_area.path if unit is not None else ""


def refresh_place_paths(
    *, members: QuerySet[Member] | None = None, residents: QuerySet[Resident] | None = None
) -> int:
    """Re-derive the stored paths of the given people, after a unit or a building moved."""
    changed = 0
    jobs: list[tuple[QuerySet[Any] | None, list[str]]] = [
        (members, ["residence_path", "grid_path", "unit_path"]),
        (residents, ["residence_path", "grid_path"]),
    ]
    for queryset, fields in jobs:
        if queryset is None:
            continue
        batch = list(
            queryset.select_related(
                "residence_area",
                "residence_building__grid",
                *(["unit__address_area"] if "unit_path" in fields else []),
            )
        )
        for person in batch:
            derive_place_paths(person)
        type_ = queryset.model
        type_.objects.bulk_update(batch, fields, batch_size=500)
        changed += len(batch)
    return changed


@dataclass
class MemberData:
    """What a roster row or a form says of a member; unit and places resolved to objects."""

    name: str
    id_number: str
    phone: str
    party_org: PartyOrg
    gender: str = ""
    birth_date: date | None = None
    joined_on: date | None = None
    status: str = MemberStatus.FULL
    unit: Unit | None = None
    residence_area: Area | None = None
    residence_compound: Compound | None = None
    residence_building: Building | None = None
    in_service: bool = False
    skills: str = ""


def find_member_by_id_number(id_number: str) -> Member | None:
    return Member.objects.filter(
        id_number_hash=keyed_hash("id_number", normalize_id_number(id_number))
    ).first()


def _fill_member(person: Member, data: MemberData, id_number: str) -> None:
    """The fields a member's data sets, for ``save_member`` and each row of ``save_members_bulk``
    alike: the name and its initials, gender and birth date (read from the normalised ``id_number``
    when not given), status, unit, organisation, home, service; then the place paths."""
    from gongjian.privacy import birth_date_from_id, gender_from_id

    person.name = data.name.strip()
    person.name_initials = pinyin_initials(person.name)
    person.gender = data.gender or gender_from_id(id_number)
    person.birth_date = data.birth_date or birth_date_from_id(id_number)
    person.joined_on = data.joined_on
    person.status = data.status
    person.unit = data.unit
    person.party_org = data.party_org
    person.residence_area = data.residence_area
    person.residence_compound = data.residence_compound
    person.residence_building = data.residence_building
    person.in_service = data.in_service
    person.skills = data.skills
    derive_place_paths(person)


@transaction.atomic
def save_member(
    *,
    acting_user: User | None,
    data: MemberData,
    member: Member | None = None,
    request: HttpRequest | None = None,
    via: str = "form",
) -> Member:
    """Create a member, or update the one with the same ID number: a re-import updates, never duplicates."""
    try:
        id_number = normalize_id_number(data.id_number)
    except InvalidNumber as exc:
        raise ValidationError({"id_number": str(exc)}) from exc
    existing = member or find_member_by_id_number(id_number)
    creating = existing is None
    person = existing or Member()
    try:
        seal_numbers(person, id_number=id_number, phone=data.phone)
    except InvalidNumber as exc:
        raise ValidationError({"phone": str(exc)}) from exc
    if (
        not creating
        and person.pk
        and Member.objects.exclude(pk=person.pk).filter(id_number_hash=person.id_number_hash).exists()
    ):
        raise ValidationError({"id_number": _("Another member has this ID number.")})
    lived = person.residence_path
    _fill_member(person, data, id_number)
    person.save()
    mark_changed([lived, person.residence_path])  # the area figures count them where they live
    record_event(
        actor=acting_user,
        action="member.create" if creating else "member.update",
        target=person,
        request=request,
        detail={"via": via},
    )
    return person


@transaction.atomic
def save_resident(
    *,
    acting_user: User | None,
    name: str,
    residence_area: Area,
    phone: str | None = "",
    id_number: str = "",
    gender: str = "",
    residence_compound: Compound | None = None,
    residence_building: Building | None = None,
    household_note: str = "",
    resident: Resident | None = None,
    request: HttpRequest | None = None,
) -> Resident:
    from people.homes import check_home  # homes writes through this module

    check_home(residence_area, residence_compound, residence_building)
    person = resident or Resident()
    try:
        seal_numbers(person, phone=phone, id_number=id_number or None)
    except InvalidNumber as exc:
        raise ValidationError(str(exc)) from exc
    person.name = name.strip()
    person.name_initials = pinyin_initials(person.name)
    person.gender = gender
    person.residence_area = residence_area
    person.residence_compound = residence_compound
    person.residence_building = residence_building
    person.household_note = household_note
    lived = person.residence_path
    derive_place_paths(person)
    creating = person.pk is None
    person.save()
    mark_changed([lived, person.residence_path])
    record_event(
        actor=acting_user,
        action="resident.create" if creating else "resident.update",
        target=person,
        request=request,
    )
    return person


REVEALABLE = ("id_number", "phone")


def can_reveal(user: User, person: SensitiveNumbers, field: str) -> bool:
    """Who may see a full number. The caller has already found ``person`` through visible_to(user).

    - platform administrators: everything;
    - a unit's party admin: ID and phone of the unit's own members (roster work, certificates);
    - a community party organisation: phones of members and residents living in its community;
    - a grid worker: phones of residents living in their grid;
    - members and residents: their own numbers.
    """
    scope = scope_for(user)
    if scope.everything:
        return True
    if isinstance(person, Member):
        if person.pk in scope.member_ids:
            return True
        if person.unit_id in scope.units_for(Role.UNIT_ADMIN):
            return True
        if field == "phone" and person.residence_area_id:
            # community grants only: a street grant held beside them gives no right to reveal
            return scope.holds_area(Role.COMMUNITY, person.residence_area)
        return False
    if isinstance(person, Resident):
        if person.pk in scope.resident_ids:
            return True
        if field != "phone":
            return False
        if scope.holds_area(Role.COMMUNITY, person.residence_area):
            return True
        building = person.residence_building
        if Role.GRID_WORKER in scope.roles and building and building.grid:
            grid_path = building.grid.path
            return any(grid_path.startswith(p) for p in scope.grid_paths)
    return False


def find_for_reveal(
    *,
    acting_user: User,
    queryset: QuerySet[Person],
    public_id: object,
    field: str,
    request: HttpRequest | None = None,
) -> Person:
    """The person behind ``public_id`` in the caller's scope. An attempt on anyone else is audited as
    denied, with the id that was asked for, and answers exactly like a missing record (404)."""
    person = queryset.filter(public_id=public_id).first()
    if person is None:
        record_event(
            actor=acting_user,
            action=f"privacy.reveal.{field}",
            request=request,
            outcome=Outcome.DENIED,
            detail={"requested_id": str(public_id), "reason": "missing or out of scope"},
        )
        raise Http404
    return person


def reveal_number(
    *, acting_user: User, person: SensitiveNumbers, field: str, request: HttpRequest | None = None
) -> str:
    """Decrypt one number for one user, after checking the right; every attempt is audited.

    Not wrapped in a transaction on purpose: a refused attempt must leave its audit row too.
    """
    if field not in REVEALABLE:
        raise ValidationError(_("Unknown field."))
    if not can_reveal(acting_user, person, field):
        record_event(
            actor=acting_user,
            action=f"privacy.reveal.{field}",
            target=person,
            request=request,
            outcome=Outcome.DENIED,
        )
        raise PermissionDenied(_("Your role may not see this number in full."))
    cipher = getattr(person, f"{field}_cipher")
    value = decrypt(cipher) if cipher else ""
    record_event(actor=acting_user, action=f"privacy.reveal.{field}", target=person, request=request)
    return value


# Writes in bulk (city set-up imports, golive) -------------------------------------------------

MEMBER_FIELDS = [
    "id_number_cipher",
    "id_number_hash",
    "id_number_hint",
    "phone_cipher",
    "phone_hash",
    "phone_hint",
    "name",
    "name_initials",
    "gender",
    "birth_date",
    "joined_on",
    "status",
    "unit",
    "party_org",
    "residence_area",
    "residence_compound",
    "residence_building",
    "in_service",
    "skills",
    "residence_path",
    "unit_path",
    "grid_path",
    "updated_at",
]


def prepare_member(person: Member, data: MemberData) -> Member:
    """Set on ``person`` (not saved) what ``data`` says, with ``save_member``'s rules: the numbers
    sealed, name initials, gender and birth date from the ID number, the place paths. The row must
    have been checked (numbers valid). The bulk writers build every row with it."""
    id_number = normalize_id_number(data.id_number)
    seal_numbers(person, id_number=id_number, phone=data.phone)
    _fill_member(person, data, id_number)
    return person


@transaction.atomic
def save_members_bulk(
    *,
    acting_user: User | None,
    rows: list[MemberData],
    existing: dict[str, Member],
    via: str = "import",
    batch_size: int = 1000,
) -> tuple[list[Member], list[Member]]:
    """Create or update many members at once, with ``save_member``'s rules, in batches: the rows must
    have been checked (numbers valid, one row per ID number); ``existing`` maps ID-number hashes to the
    members they update. Every member written gets its own audit row (``member.create`` /
    ``member.update``, ``via``), written in bulk too. Returns (created, updated)."""
    from django.utils import timezone

    created: list[Member] = []
    updated: list[Member] = []
    touched: set[str] = set()  # where they lived and live: the roll-ups count them there
    for data in rows:
        id_number = normalize_id_number(data.id_number)
        person = existing.get(keyed_hash("id_number", id_number))
        if person is None:
            person = Member()
            created.append(person)
        else:
            updated.append(person)
        touched.add(person.residence_path)
        prepare_member(person, data)
        touched.add(person.residence_path)
        person.updated_at = timezone.now()
    bulk.insert(Member, created, batch_size=batch_size)  # COPY on PostgreSQL
    Member.objects.bulk_update(updated, MEMBER_FIELDS, batch_size=batch_size)
    mark_changed(touched)
    record_events(actor=acting_user, action="member.create", targets=list(created), detail={"via": via})
    record_events(actor=acting_user, action="member.update", targets=list(updated), detail={"via": via})
    return created, updated


@dataclass
class ResidentData:
    """What a residents' file says of a resident; places resolved to objects."""

    name: str
    id_number: str
    residence_area: Area
    phone: str = ""
    gender: str = ""
    residence_compound: Compound | None = None
    residence_building: Building | None = None
    household_note: str = ""


RESIDENT_FIELDS = [
    "id_number_cipher",
    "id_number_hash",
    "id_number_hint",
    "phone_cipher",
    "phone_hash",
    "phone_hint",
    "name",
    "name_initials",
    "gender",
    "residence_area",
    "residence_compound",
    "residence_building",
    "household_note",
    "residence_path",
    "grid_path",
]


@transaction.atomic
def save_residents_bulk(
    *,
    acting_user: User | None,
    rows: list[ResidentData],
    existing: dict[str, Resident],
    via: str = "import",
    batch_size: int = 1000,
) -> tuple[list[Resident], list[Resident]]:
    """Create or update many residents at once (by ID-number hash), each audited, in bulk."""
    created: list[Resident] = []
    updated: list[Resident] = []
    touched: set[str] = set()
    for data in rows:
        id_number = normalize_id_number(data.id_number)
        digest = keyed_hash("id_number", id_number)
        person = existing.get(digest)
        if person is None:
            person = Resident()
            created.append(person)
        else:
            updated.append(person)
        touched.add(person.residence_path)
        seal_numbers(person, id_number=id_number, phone=data.phone)
        person.name = data.name.strip()
        person.name_initials = pinyin_initials(person.name)
        person.gender = data.gender
        person.residence_area = data.residence_area
        person.residence_compound = data.residence_compound
        person.residence_building = data.residence_building
        person.household_note = data.household_note
        derive_place_paths(person)
        touched.add(person.residence_path)
    Resident.objects.bulk_create(created, batch_size=batch_size)
    Resident.objects.bulk_update(updated, RESIDENT_FIELDS, batch_size=batch_size)
    mark_changed(touched)
    record_events(actor=acting_user, action="resident.create", targets=list(created), detail={"via": via})
    record_events(actor=acting_user, action="resident.update", targets=list(updated), detail={"via": via})
    return created, updated
