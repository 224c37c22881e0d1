"""Load the complete GB/T 4754-2017 classification (sections, divisions, groups, classes)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def load(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from zoneops.enterprises.classification import classification_rows

    model = apps.get_model("enterprises", "IndustryClass")
    existing = set(model.objects.values_list("code", flat=True))
    # Parents come first in classification_rows(), so each parent exists when its children arrive.
    for level in ("section", "division", "group", "class"):
        model.objects.bulk_create(
            [
                model(
                    code=r.code,
                    level=r.level,
                    parent_id=r.parent or None,
                    name_zh=r.name_zh,
                    name_en=r.name_en,
                )
                for r in classification_rows()
                if r.level == level and r.code not in existing
            ]
        )


def unload(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    model = apps.get_model("enterprises", "IndustryClass")
    for level in ("class", "group", "division", "section"):
        model.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
