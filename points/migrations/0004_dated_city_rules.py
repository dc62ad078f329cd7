"""Point rules become dated versions per city (issue 10): a change is a new row in force from a day, so
what was booked under the old rule stays explained. The rules there were take effect "since always"
(points.models.SINCE_ALWAYS) and are shared by every city; one version a day per (city, category)."""

import datetime
import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

SINCE_ALWAYS = datetime.date(2000, 1, 1)


def forwards(apps, schema_editor):
    """Give each rule its public id; the default rules that were no longer in force become versions
    before the one that is (a day earlier each), so that one stays the latest."""
    PointRule = apps.get_model("points", "PointRule")
    for rule in PointRule.objects.filter(public_id__isnull=True):
        rule.public_id = uuid.uuid4()
        rule.save(update_fields=["public_id"])
    retired = PointRule.objects.filter(category__isnull=True, active=False).order_by("-id")
    for n, rule in enumerate(retired, start=1):
        rule.effective_from = SINCE_ALWAYS - datetime.timedelta(days=n)
        rule.save(update_fields=["effective_from"])


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0003_default_rule"),
        ("places", "0001_initial"),
        ("service", "0004_verbose_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="pointrule", name="point_rule_one_default"),
        migrations.AlterField(
            model_name="pointrule",
            name="category",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="point_rules",
                to="service.servicecategory",
                verbose_name="category",
            ),
        ),
        migrations.RemoveField(model_name="pointrule", name="updated_at"),
        migrations.AddField(
            model_name="pointrule",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="pointrule",
            name="city",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="places.area",
                verbose_name="city",
            ),
        ),
        migrations.AddField(
            model_name="pointrule",
            name="effective_from",
            field=models.DateField(db_index=True, default=SINCE_ALWAYS, verbose_name="in force from"),
        ),
        migrations.AddField(
            model_name="pointrule",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="pointrule",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="recorded at"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
