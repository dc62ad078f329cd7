"""The default points rule: 10 points an hour, 5 extra for an urgent need, at most 80 points a day."""

from django.db import migrations


def forwards(apps, schema_editor):
    PointRule = apps.get_model("points", "PointRule")
    if not PointRule.objects.filter(category__isnull=True, active=True).exists():
        PointRule.objects.create(category=None, points_per_hour=10, urgent_bonus=5, daily_cap=80, active=True)


def backwards(apps, schema_editor):
    apps.get_model("points", "PointRule").objects.filter(category__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("points", "0002_append_only"), ("service", "0002_default_menu")]
    operations = [migrations.RunPython(forwards, backwards)]
