"""Search by the beginning of a text column, asked so that the database walks an index range.

``LIKE 'zh%'`` looks like a range but is one only where the planner may treat it so: on PostgreSQL
when the column's index is ``varchar_pattern_ops`` or the database collation is exactly "C" (a
"C.UTF-8" database is not, so the plain ``name_initials`` index was walked in list order past every
row: 484 ms at 200,000 members), and on SQLite never (its LIKE ignores case, so no plain index
serves it). The same set asked as ``field >= 'zh' AND field < 'zi'`` is an index range on both
(6 ms). docs/SCALE.md, "What is indexed, and why".
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

_SURROGATES = range(0xD800, 0xE000)
_LAST_CODE_POINT = 0x10FFFF


def prefix_successor(prefix: str) -> str | None:
    """The first text after every text beginning with ``prefix``, in code point order: the last
    character incremented (``zh`` → ``zi``, ``张`` U+5F20 → U+5F21). A last character that cannot grow
    (U+10FFFF) is dropped and the one before it grows instead; surrogates, which no stored text
    holds and UTF-8 cannot encode, are stepped over. None when nothing can grow: no upper bound."""
    while prefix:
        code = ord(prefix[-1]) + 1
        if code in _SURROGATES:
            code = _SURROGATES.stop
        if code <= _LAST_CODE_POINT:
            return prefix[:-1] + chr(code)
        prefix = prefix[:-1]
    return None


def prefix_range_q(field: str, prefix: str) -> Q:
    """Rows whose ``field`` begins with ``prefix``, as a range on ``field`` (an empty prefix: all).

    The range is the prefix set exactly where the column sorts by code point: SQLite's default
    (BINARY) collation, PostgreSQL's "C" and "C.UTF-8", and lowercase Latin letters (pinyin initials)
    under any collation. For Chinese text on PostgreSQL use ``indexed_prefix_q``.
    """
    if not prefix:
        return Q()
    upper = prefix_successor(prefix)
    if upper is None:
        return Q(**{f"{field}__gte": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def indexed_prefix_q(field: str, prefix: str) -> Q:
    """Rows whose ``field`` begins with ``prefix``, for a column indexed with ``varchar_pattern_ops``
    on PostgreSQL (the name columns: ``member_name_prefix``, ``resident_name_prefix``).

    PostgreSQL derives the range from ``LIKE 'prefix%'`` on that index itself, comparing bytes
    (code points) whatever the collation, where a ``>=``/``<`` range would follow the collation and
    could not use a pattern index; SQLite gets the range (``prefix_range_q``).
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix}) if prefix else Q()
    return prefix_range_q(field, prefix)
