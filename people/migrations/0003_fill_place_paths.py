"""Data migration: fill the stored place paths of existing members and residents."""

from django.db import migrations


def fill(apps, schema_editor):
    Member = apps.get_model("people", "Member")
    Resident = apps.get_model("people", "Resident")
    for model, with_unit in ((Member, True), (Resident, False)):
        related = ["residence_area", "residence_building__grid"] + (["unit__address_area"] if with_unit else [])
        batch = []
        for person in model.objects.select_related(*related).iterator(chunk_size=2000):
            person.residence_path = person.residence_area.path if person.residence_area_id else ""
            building = person.residence_building
            person.grid_path = building.grid.path if building is not None and building.grid_id else ""
            if with_unit:
                person.unit_path = person.unit.address_area.path if person.unit_id else ""
            batch.append(person)
            if len(batch) >= 2000:
                model.objects.bulk_update(batch, ["residence_path", "grid_path"] + (["unit_path"] if with_unit else []))
                batch = []
        if batch:
            model.objects.bulk_update(batch, ["residence_path", "grid_path"] + (["unit_path"] if with_unit else []))


class Migration(migrations.Migration):
    dependencies = [("people", "0002_place_paths"), ("orgs", "0002_initial"), ("places", "0001_initial")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
