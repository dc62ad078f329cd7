"""The rule versions' public ids are unique and there is one version a day per (city, category); a
migration of its own, after 0004 filled the ids (PostgreSQL will not alter a table with the updates'
trigger events pending in the same transaction)."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("points", "0004_dated_city_rules")]

    operations = [
        migrations.AlterField(
            model_name="pointrule",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterModelOptions(
            name="pointrule",
            options={
                "ordering": ["city_id", "category_id", "effective_from"],
                "verbose_name": "points rule",
                "verbose_name_plural": "points rules",
            },
        ),
        migrations.AddConstraint(
            model_name="pointrule",
            constraint=models.UniqueConstraint(
                condition=models.Q(("category__isnull", True), ("city__isnull", True)),
                fields=("effective_from",),
                name="point_rule_day_shared_default",
            ),
        ),
        migrations.AddConstraint(
            model_name="pointrule",
            constraint=models.UniqueConstraint(
                condition=models.Q(("category__isnull", False), ("city__isnull", True)),
                fields=("category", "effective_from"),
                name="point_rule_day_shared",
            ),
        ),
        migrations.AddConstraint(
            model_name="pointrule",
            constraint=models.UniqueConstraint(
                condition=models.Q(("category__isnull", True), ("city__isnull", False)),
                fields=("city", "effective_from"),
                name="point_rule_day_city_default",
            ),
        ),
        migrations.AddConstraint(
            model_name="pointrule",
            constraint=models.UniqueConstraint(
                condition=models.Q(("category__isnull", False), ("city__isnull", False)),
                fields=("city", "category", "effective_from"),
                name="point_rule_day_city",
            ),
        ),
    ]
