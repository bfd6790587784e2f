"""Mark numbers come from a sequence: unique and gap-tolerant under concurrency."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("certification", "0003_trust_marks")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS certification_trustmark_number_seq START 1",
            "DROP SEQUENCE IF EXISTS certification_trustmark_number_seq",
        )
    ]
