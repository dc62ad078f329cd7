"""The check-in pages moved to member_views.py, unit_views.py and community_views.py.

Only kept while service/pages/unit.py still imports ``_uuids`` from here: it is
``gongjian.pages.parse_uuids`` now. Delete this module once that import is changed."""

from gongjian.pages import parse_uuids as _uuids

__all__ = ["_uuids"]
