"""A checked roster, kept between the preview and the import: every clean row already built into the
member row the import writes (numbers sealed, initials, place paths), so the file is parsed, checked
and sealed once (issue 12).

The check run writes it (``save_checked``) beside the uploaded file, as gzipped JSON lines: a header
(the unit, the counts, and a snapshot of every organisation, area, compound and building the rows
name) and one line per row. It holds what the database will hold (ciphertext, keyed hashes, hints),
never a number in clear. The import run, inside its one transaction, checks in bulk only what the
database may have changed since (``write_checked``): the members under the rows' ID-number hashes
(locked), and the snapshot taken again. If anything differs it answers None and the caller checks
the whole file again the old way, which reports the change row by row exactly as before.

Then it writes: new members with COPY (``gongjian.bulk.copy_rows``), updated ones with one
``UPDATE … FROM`` a COPYed temporary table (``gongjian.bulk.update_rows``), one audit row each
(``audit.actions.record_target_events``, COPY too). The set of communities touched is known in one
place, ``Written.communities``.
"""

from __future__ import annotations

import gzip
import io
import json
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections, router
from django.db.models import prefetch_related_objects
from django.utils import timezone

from audit.actions import record_target_events
from gongjian import bulk
from jobs.roster import RosterCheck
from orgs.models import PartyOrg, Unit
from people.actions import MEMBER_FIELDS, prepare_member
from people.models import Member
from places.models import Area, Building, Compound
from rollups.counting import mark_changed

VERSION = 1
# the member columns a roster row sets (people.actions.MEMBER_FIELDS, but updated_at), as attnames
_ATTNAMES = {f.name: f.attname for f in Member._meta.concrete_fields}
ROW_COLUMNS = [_ATTNAMES[name] for name in MEMBER_FIELDS if name != "updated_at"]
_HASH = ROW_COLUMNS.index("id_number_hash")
_NAME = ROW_COLUMNS.index("name")
_AREA = ROW_COLUMNS.index("residence_area_id")
_PATH = ROW_COLUMNS.index("residence_path")
CHUNK = 20_000  # keys in one IN (PostgreSQL); SQLite gets 900


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def save_checked(*, name: str, unit: Unit, check: RosterCheck) -> str:
    """Build every clean row of ``check`` into its member row and store them under ``name`` (in
    default storage); answers the stored name. Only for a check without errors."""
    buildings = [d.residence_building for _n, d in check.members if d.residence_building is not None]
    prefetch_related_objects(list({b.pk: b for b in buildings}.values()), "grid")  # each grid read once
    refs: dict[str, set[int]] = {"orgs": set(), "areas": set(), "compounds": set(), "buildings": set()}
    with tempfile.TemporaryFile() as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) as packed:
            out = io.TextIOWrapper(packed, encoding="utf-8")
            lines = []
            person = Member()  # one scratch instance: prepare_member sets every column of ROW_COLUMNS
            for number, data in check.members:
                prepare_member(person, data)
                refs["orgs"].add(person.party_org_id)
                for key, pk in (
                    ("areas", person.residence_area_id),
                    ("compounds", person.residence_compound_id),
                    ("buildings", person.residence_building_id),
                ):
                    if pk is not None:
                        refs[key].add(pk)
                row = [number, check.existing.get(number), *(_value(getattr(person, c)) for c in ROW_COLUMNS)]
                lines.append(json.dumps(row, ensure_ascii=False))
                if len(lines) >= 5000:
                    out.write("\n".join(lines) + "\n")
                    lines = []
            if lines:
                out.write("\n".join(lines) + "\n")
            out.flush()
            out.detach()
        header: dict[str, Any] = {
            "version": VERSION,
            "unit": unit.pk,
            "rows": len(check.members),
            "new": check.new,
            "updates": check.updates,
            "refs": {key: sorted(ids) for key, ids in refs.items()},
        }
        header["snapshot"] = snapshot(unit=unit, refs=header["refs"])
        raw.seek(0)
        with tempfile.TemporaryFile() as whole:
            with gzip.GzipFile(fileobj=whole, mode="wb", compresslevel=1) as head:
                head.write((json.dumps(header, ensure_ascii=False) + "\n").encode())
            while chunk := raw.read(1 << 20):  # gzip members concatenated read as one stream
                whole.write(chunk)
            whole.seek(0)
            return default_storage.save(name, File(whole, name=name))


def read_header(name: str) -> dict[str, Any] | None:
    """The stored check's header; None if it is gone or of another version."""
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle, gzip.open(handle, "rt", encoding="utf-8") as text:
        header = json.loads(text.readline())
    return header if header.get("version") == VERSION else None


def _rows(name: str) -> Iterator[list[Any]]:
    with default_storage.open(name, "rb") as handle, gzip.open(handle, "rt", encoding="utf-8") as text:
        text.readline()
        for line in text:
            yield json.loads(line)


def snapshot(*, unit: Unit, refs: dict[str, list[int]]) -> dict[str, list]:
    """What the check relied on, read again in bulk: the unit's place and organisations, and each
    organisation, area, compound and building the rows name (the fields the check and the row's
    paths depend on). Equal snapshots: the rows would check and build the same."""

    def rows(model, ids: list[int], fields: tuple[str, ...]) -> list[list]:
        found = []
        for start in range(0, len(ids), CHUNK):
            found += model.objects.filter(pk__in=ids[start : start + CHUNK]).values_list("pk", *fields)
        return sorted([list(r) for r in found])

    return {
        "unit": [list(r) for r in Unit.objects.filter(pk=unit.pk).values_list("pk", "address_area__path")],
        "unit_orgs": sorted(PartyOrg.objects.filter(unit=unit).values_list("path", flat=True)),
        "orgs": rows(PartyOrg, refs["orgs"], ("code", "unit_id", "path")),
        "areas": rows(Area, refs["areas"], ("code", "level", "path")),
        "compounds": rows(Compound, refs["compounds"], ("name", "community_id")),
        "buildings": rows(Building, refs["buildings"], ("name", "compound_id", "grid__path")),
    }


@dataclass
class Written:
    new: int = 0
    updates: int = 0
    communities: set[int] = field(default_factory=set)  # residence areas of the members written
    # where the members written lived and live: the roll-ups recount those places (rollups.mark_changed)
    places: set[str] = field(default_factory=set)


def write_checked(*, name: str, unit: Unit, acting_user: Any, via: str = "import") -> Written | None:
    """Write the stored check's rows, if the database still says what it said at the check; else None
    (nothing written). Run inside the import's transaction."""
    header = read_header(name)
    if header is None or header["unit"] != unit.pk:
        return None
    # pass 1: the rows' hashes and the members they were found to update; lock those members now
    expected = {row[2 + _HASH]: row[1] for row in _rows(name)}
    if not _same_members(expected, unit):
        return None
    if snapshot(unit=unit, refs=header["refs"]) != header["snapshot"]:
        return None
    written = Written()
    now = timezone.now()
    connection = connections[router.db_for_write(Member)]
    fields = {f.attname: f for f in Member._meta.concrete_fields}
    public_id, created_at = fields["public_id"], fields["created_at"]
    stamp = created_at.get_db_prep_save(now, connection)
    created: list[tuple[str, str, str]] = []
    updated: list[tuple[str, str, str]] = []
    # the columns a roster does not set, as a new member has them
    rest = [
        (c, fields[c].get_db_prep_save(fields[c].get_default(), connection))
        for c in fields
        if c not in ROW_COLUMNS and c not in ("id", "public_id", "created_at", "updated_at")
    ]

    def new_rows() -> Iterator[list[Any]]:
        for row in _rows(name):
            if row[1] is not None:
                continue
            values = row[2:]
            key = uuid.uuid4()
            created.append(("people.member", str(key), values[_NAME]))
            if values[_AREA] is not None:
                written.communities.add(values[_AREA])
            written.places.add(values[_PATH])
            yield [public_id.get_db_prep_save(key, connection), *values, *(v for _c, v in rest), stamp, stamp]

    columns = [*["public_id"], *ROW_COLUMNS, *(c for c, _v in rest), "created_at", "updated_at"]
    written.new = bulk.copy_rows(Member, [fields[c].column for c in columns], new_rows())

    public_ids: dict[int, str] = {}

    def update_rows() -> Iterator[list[Any]]:
        for row in _rows(name):
            if row[1] is None:
                continue
            values = row[2:]
            if values[_AREA] is not None:
                written.communities.add(values[_AREA])
            written.places.add(values[_PATH])
            updated.append(("people.member", str(row[1]), values[_NAME]))
            yield [row[1], *values, stamp]

    moving = [pk for pk in expected.values() if pk is not None]
    for start in range(0, len(moving), CHUNK):
        written.places.update(
            Member.objects.filter(pk__in=moving[start : start + CHUNK]).values_list(
                "residence_path", flat=True
            )
        )
    written.updates = bulk.update_rows(
        Member, [fields[c].column for c in [*ROW_COLUMNS, "updated_at"]], update_rows()
    )
    if updated:  # audit rows name the member's public id
        pks = [int(target_id) for _t, target_id, _l in updated]
        for start in range(0, len(pks), CHUNK):
            public_ids.update(
                Member.objects.filter(pk__in=pks[start : start + CHUNK]).values_list("pk", "public_id")
            )
        updated = [(kind, str(public_ids[int(pk)]), label) for kind, pk, label in updated]
    mark_changed(written.places)
    record_target_events(actor=acting_user, action="member.create", targets=created, detail={"via": via})
    record_target_events(actor=acting_user, action="member.update", targets=updated, detail={"via": via})
    return written


def _same_members(expected: dict[str, int | None], unit: Unit) -> bool:
    """Whether the members under these hashes are exactly the ones the check found (all the unit's),
    locking them until the transaction ends; a hash taken since, or a member moved, answers False."""
    hashes = list(expected)
    step = CHUNK if connections[router.db_for_write(Member)].vendor == "postgresql" else 900
    found: dict[str, int] = {}
    for start in range(0, len(hashes), step):
        for digest, pk, unit_id in (
            Member.objects.select_for_update()
            .filter(id_number_hash__in=hashes[start : start + step])
            .values_list("id_number_hash", "pk", "unit_id")
        ):
            if unit_id != unit.pk:
                return False
            found[digest] = pk
    return all(found.get(digest) == pk for digest, pk in expected.items())


def discard_checked(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)
