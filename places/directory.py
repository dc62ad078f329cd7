"""The community directory: the 12-digit codes a roster asks for, looked up by name, initials or code.

Whose directory it is (docs/SCOPES.md, "The community directory"): a community's name and division code
are public statistical codes, not private, and a unit's party admin must find the communities its
members live in, anywhere in the city. So a unit admin looks up every community; everyone else who
may open the page looks up the communities they may see (``Area.objects.visible_to``). The directory
shows names and codes only: no figures, and no way into an area's pages beyond ``visible_to``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.roles import AREA_ROLES, IMPORT_ROLES
from accounts.scope import scope_for
from gongjian.names import pinyin_initials
from places.models import Area, AreaLevel, AreaQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# Who may open the directory: who imports rosters, and the area roles who help them.
DIRECTORY_ROLES = (*IMPORT_ROLES, *AREA_ROLES)


def community_directory(user: User | AnonymousUser) -> AreaQuerySet:
    """Communities whose name and code the user may look up: all of them for a unit admin, else the visible."""
    communities = Area.objects.of_level(AreaLevel.COMMUNITY)
    scope = scope_for(user)
    if scope.everything or scope.has(*IMPORT_ROLES):
        return communities
    return communities.filter(pk__in=Area.objects.visible_to(user).values("pk"))


@lru_cache(maxsize=65536)
def _initials(name: str) -> str:
    return pinyin_initials(name)


QUERY_MAX = 40


def clean_query(raw: str) -> str:
    """The search as typed, trimmed, without control characters (PostgreSQL refuses a NUL), at most 40."""
    return "".join(ch for ch in raw if ch.isprintable()).strip()[:QUERY_MAX]


def is_initials(query: str) -> bool:
    """A query of Latin letters only is read as pinyin initials (lzsq for 龙津社区)."""
    return query.isascii() and query.isalpha()


def matching_ids(communities: AreaQuerySet, initials: str) -> list[int]:
    """The communities, in code order, whose name's pinyin initials hold ``initials`` (龙津社区 is found by
    ljsq, lj or sq); one query, the initials worked out here, as no column stores them."""
    wanted = initials.lower()
    return [
        pk for pk, name in communities.order_by("code").values_list("pk", "name") if wanted in _initials(name)
    ]


def search(communities: AreaQuerySet, query: str) -> AreaQuerySet:
    """A code prefix (digits), or a name: the community's, its street's or its district's."""
    if query.isdigit():
        return communities.filter(code__startswith=query)
    return communities.filter(
        Q(name__icontains=query) | Q(parent__name__icontains=query) | Q(parent__parent__name__icontains=query)
    )
