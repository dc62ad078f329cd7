"""Subtree queries: correct on both engines, and answered from an index (the plans are read)."""

from django.db import connection

from places.models import Area
from places.paths import subtree_q


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_subtree_includes_root_and_descendants_only(cast):
    p = cast.places
    assert codes(Area.objects.subtree(p.street_a)) == ["350802001", "350802001001", "350802001002"]
    assert codes(Area.objects.subtree(p.a1)) == ["350802001001"]
    assert len(codes(Area.objects.subtree(p.city))) == 7


def test_a_sibling_whose_code_extends_the_prefix_is_not_inside(cast):
    """A path is codes joined by dots, so 350802001 is not an ancestor of 3508020011… codes."""
    from places.actions import create_area

    other = create_area(
        acting_user=None, code="350812", name="别的区", level="district", parent=cast.places.city
    )
    assert other.pk not in Area.objects.subtree(cast.places.district).values_list("pk", flat=True)


def test_subtree_query_uses_the_path_index(cast):
    qs = Area.objects.filter(subtree_q("path", cast.places.street_a.path)).values("id")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            assert "places_area_path" in plan and "Index" in plan, plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING" in plan and "INDEX" in plan and "path" in plan, plan
