"""Roll-ups: counts kept per place and summed up the area tree at read time (docs/ROLLUPS.md).

Three small tables, none edited by hand:

- ``Mark``: one row per place key (an area path, or ``""`` for rows with no place, e.g. members with
  no home on record). Every write that changes a counted row bumps the keys it touched, in its own
  transaction (``rollups.counting.mark_changed``).
- ``Tally``: the counts of one group of measures for one key and period, landing at a path (the key's
  own path, or for ``""`` the community the rule gives).
- ``Fill``: which version of a key a group's tallies for a period were counted at; a key whose mark
  moved on is counted again before it is read. ``key="*"`` says the whole group was counted once.
"""

from __future__ import annotations

from django.db import models


class Mark(models.Model):
    """A place key and how many times the rows counted there changed (bumped by the writes)."""

    key = models.CharField(max_length=255, unique=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key or '(no place)'} v{self.version}"


class Fill(models.Model):
    """The version of ``key`` that the tallies of ``group`` for ``period`` were counted at."""

    group = models.CharField(max_length=40)
    period = models.CharField(max_length=24, blank=True)
    key = models.CharField(max_length=255)
    version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "period", "key"], name="rollups_fill_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.period} {self.key} v{self.version}"


class Tally(models.Model):
    """One measure's count of the rows of ``key`` that land at ``path``, for a period (or none)."""

    group = models.CharField(max_length=40)
    measure = models.CharField(max_length=40)
    period = models.CharField(max_length=24, blank=True)
    key = models.CharField(max_length=255)
    path = models.CharField(max_length=255)
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "period", "key", "path", "measure"], name="rollups_tally_unique"
            ),
        ]
        indexes = [
            # the sum over a subtree: group and period equal, then a prefix range on the path
            models.Index(
                fields=["group", "period", "path"],
                name="rollups_tally_subtree",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group}.{self.measure} {self.period} {self.path} = {self.value}"
