"""Load the criteria catalogue 2026.1 (audits/data/criteria_2026_1.json)."""

from django.db import migrations


def load(apps, schema_editor):
    from audits.catalogue import load_catalogue, read_catalogue_file

    load_catalogue(
        read_catalogue_file("criteria_2026_1.json"),
        criteria_set_model=apps.get_model("audits", "CriteriaSet"),
        category_model=apps.get_model("audits", "Category"),
        criterion_model=apps.get_model("audits", "Criterion"),
    )


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
