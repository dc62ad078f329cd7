"""Materialized-path helpers shared by every tree (areas, grids, party organisations)."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

SEPARATOR = "."


def child_path(parent_path: str | None, code: str) -> str:
    return f"{parent_path or ''}{code}{SEPARATOR}"


def subtree_q(field: str, prefix: str) -> Q:
    """Rows whose ``field`` lies in the subtree rooted at ``prefix`` (the root included).

    PostgreSQL answers ``LIKE 'prefix%'`` from the varchar_pattern_ops index Django adds to an
    indexed CharField. SQLite's LIKE is case-insensitive and will not use a plain index, so there
    the same set is asked as a range: paths are codes and dots, and ``/`` sorts right after ``.``.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + "/"})
    return Q(**{f"{field}__startswith": prefix})


def any_subtree_q(field: str, prefixes: Iterable[str]) -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= subtree_q(field, prefix)
    return q


def ancestor_paths(path: str) -> list[str]:
    """The paths of the node with ``path`` and of every node above it (``350800.350802.`` →
    ``350800.``, ``350800.350802.``)."""
    return [path[:i] for i in range(1, len(path) + 1) if path[i - 1] == SEPARATOR]
