"""The guarantee number comes from the INSERT (column default, RETURNING): no SELECT nextval first.

Same format as before, G-YYYY-NNNNNNN from guarantees_number_seq (more digits
once the sequence passes 9,999,999, never cut).
"""

import guarantees.models
from django.db import migrations, models

NEXT_NUMBER = """
CREATE OR REPLACE FUNCTION guarantees_next_number(year integer DEFAULT NULL) RETURNS varchar
LANGUAGE sql VOLATILE AS $$
    SELECT 'G-' || coalesce(year, extract(year FROM current_date)::integer) || '-'
        || lpad(n::text, greatest(7, length(n::text)), '0')
    FROM nextval('guarantees_number_seq') AS n
$$
"""


class Migration(migrations.Migration):

    dependencies = [
        ('guarantees', '0003_checkout_secret'),
    ]

    operations = [
        migrations.RunSQL(NEXT_NUMBER, "DROP FUNCTION IF EXISTS guarantees_next_number(integer)"),
        migrations.AlterField(
            model_name='guarantee',
            name='number',
            field=models.CharField(db_default=guarantees.models.GuaranteeNumber(), editable=False, max_length=24, unique=True, verbose_name='number'),
        ),
        migrations.AlterField(
            model_name='guaranteeevent',
            name='number',
            field=models.CharField(db_default=guarantees.models.GuaranteeNumber(), editable=False, max_length=24, verbose_name='number'),
        ),
    ]
