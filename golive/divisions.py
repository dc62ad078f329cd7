"""The national division list (GB/T 2260 district codes and the statistics bureau's 9- and 12-digit
street and community codes), read from the npm package ``china-division`` (modood's
Administrative-divisions-of-China, MIT), which ships them as an SQLite file. No package on PyPI
carries the street and community levels (see README's stack table); the file is opened read-only.

The package writes a prefecture-level city as 4 digits (``3508``); the platform's areas use the
6-digit GB/T 2260 form (``350800``). A municipality's city level is called 市辖区 there and takes
the province's name here (北京市).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

UNNAMED_CITY = ("市辖区", "县")


@dataclass
class Division:
    code: str
    name: str


@dataclass
class Street(Division):
    communities: int = 0


@dataclass
class District(Division):
    streets: list[Street] = field(default_factory=list)


@dataclass
class City(Division):
    province: str = ""
    districts: list[District] = field(default_factory=list)


@contextmanager
def _db() -> Iterator[sqlite3.Connection]:
    path = settings.DIVISIONS_DB
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.OperationalError as exc:
        raise ValidationError(
            _("The national division list is not installed (%(path)s); run make assets.") % {"path": path}
        ) from exc
    with closing(connection):
        yield connection


def _city_name(name: str, province: str) -> str:
    return province if name in UNNAMED_CITY else name


def find_cities(text: str, limit: int = 20) -> list[City]:
    """Cities whose name (or province's name) contains ``text``, or whose code begins with it."""
    text = text.strip()
    if not text:
        return []
    with _db() as db:
        rows = db.execute(
            "SELECT c.code, c.name, p.name FROM city c JOIN province p ON p.code = c.provinceCode "
            "WHERE c.name LIKE ? OR p.name LIKE ? OR c.code || '00' LIKE ? ORDER BY c.code LIMIT ?",
            (f"%{text}%", f"%{text}%", f"{text}%", limit),
        ).fetchall()
    return [
        City(code=f"{code}00", name=_city_name(name, province), province=province)
        for code, name, province in rows
    ]


def city_tree(city_code: str) -> City:
    """A city with its districts, their streets and how many communities each street has."""
    short = city_code[:4]
    if not (city_code.isdigit() and len(city_code) == 6 and city_code.endswith("00")):
        raise ValidationError(_("A city code has 6 digits and ends in 00."))
    with _db() as db:
        found = db.execute(
            "SELECT c.name, p.name FROM city c JOIN province p ON p.code = c.provinceCode WHERE c.code = ?",
            (short,),
        ).fetchone()
        if found is None:
            raise ValidationError(_("No city with code %(code)s in the national list.") % {"code": city_code})
        city = City(code=city_code, name=_city_name(found[0], found[1]), province=found[1])
        districts = db.execute("SELECT code, name FROM area WHERE cityCode = ? ORDER BY code", (short,))
        by_code = {code: District(code=code, name=name) for code, name in districts}
        # ranges on the primary keys: the package indexes codes only
        streets = db.execute(
            "SELECT code, name FROM street WHERE code >= ? AND code < ? ORDER BY code", (short, f"{short}~")
        ).fetchall()
        counts = dict(
            db.execute(
                "SELECT substr(code, 1, 9), count(*) FROM village WHERE code >= ? AND code < ? "
                "GROUP BY substr(code, 1, 9)",
                (short, f"{short}~"),
            ).fetchall()
        )
    for code, name in streets:
        district = by_code.get(code[:6])
        if district is not None:
            district.streets.append(Street(code=code, name=name, communities=counts.get(code, 0)))
    city.districts = [d for d in by_code.values() if d.streets]
    return city


def communities_of(street_codes: list[str]) -> dict[str, list[Division]]:
    """The communities (村/居委会, 12-digit codes) of each street, in code order."""
    found: dict[str, list[Division]] = {code: [] for code in street_codes}
    with _db() as db:
        for code in street_codes:
            rows = db.execute(
                "SELECT code, name FROM village WHERE code >= ? AND code < ? ORDER BY code",
                (code, f"{code}~"),
            )
            found[code] = [Division(code=c, name=n) for c, n in rows]
    return found
