"""The eight indicators of the monthly enterprise survey (their codes are part of the API contract)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def load(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from zoneops.indicators.definitions import STANDARD_INDICATORS

    model = apps.get_model("indicators", "Indicator")
    for order, spec in enumerate(STANDARD_INDICATORS, start=1):
        model.objects.update_or_create(
            code=spec.code,
            defaults={
                "name_zh": spec.name_zh,
                "name_en": spec.name_en,
                "unit": spec.unit,
                "template_unit": spec.template_unit,
                "kind": spec.kind,
                "allow_negative": spec.allow_negative,
                "sort_order": order,
            },
        )


def unload(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("indicators", "Indicator").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
