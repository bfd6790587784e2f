"""The launch caps (Basic EUR 100, Plus EUR 20,000) and the guarantee number sequence."""

from decimal import Decimal

from django.db import migrations

CAPS = [("basic", "EUR", Decimal("100.00")), ("plus", "EUR", Decimal("20000.00"))]


def create_caps(apps, schema_editor):
    CoverCap = apps.get_model("guarantees", "CoverCap")
    for plan, currency, cap in CAPS:
        CoverCap.objects.get_or_create(plan=plan, currency=currency, defaults={"cap": cap})


class Migration(migrations.Migration):
    dependencies = [("guarantees", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS guarantees_number_seq START 1",
            "DROP SEQUENCE IF EXISTS guarantees_number_seq",
        ),
        migrations.RunPython(create_caps, migrations.RunPython.noop),
    ]
