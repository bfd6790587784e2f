"""The membership plans offered at launch; administrators edit them as data."""

from django.db import migrations

PLANS = [
    {
        "code": "basic",
        "name": "Trustmark Basic",
        "description": "Trust mark, verification document and Basic buyer protection.",
        "features": ["trust_mark", "verification_document", "guarantee_basic"],
    },
    {
        "code": "plus",
        "name": "Trustmark Plus",
        "description": "Everything in Basic, Plus buyer protection and customer reviews.",
        "features": [
            "trust_mark",
            "verification_document",
            "guarantee_basic",
            "guarantee_plus",
            "reviews",
        ],
    },
]


def create_plans(apps, schema_editor):
    MembershipPlan = apps.get_model("certification", "MembershipPlan")
    for plan in PLANS:
        MembershipPlan.objects.update_or_create(code=plan["code"], defaults=plan)


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]

    operations = [migrations.RunPython(create_plans, migrations.RunPython.noop)]
