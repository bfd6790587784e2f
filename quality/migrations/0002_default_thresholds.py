"""The first thresholds, from quality.definitions; administrators edit them afterwards."""

from django.db import migrations


def create_thresholds(apps, schema_editor):
    from quality.definitions import DEFINITIONS

    Threshold = apps.get_model("quality", "Threshold")
    for key, d in DEFINITIONS.items():
        Threshold.objects.get_or_create(
            key=key,
            defaults={
                "higher_is_worse": d.higher_is_worse,
                "yellow": d.yellow,
                "red": d.red,
                "min_sample": d.min_sample,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunPython(create_thresholds, migrations.RunPython.noop)]
