"""Seed China's working-day calendar for every year from 2000 to five years past the last notice."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.utils import timezone


def load(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from zoneops.core import workcalendar
    from zoneops.core.services import store_calendar_year

    year_model = apps.get_model("core", "WorkCalendarYear")
    day_model = apps.get_model("core", "WorkCalendarDay")
    first, last = workcalendar.default_years()
    moment = timezone.now()
    for year in range(first, last + 1):
        store_calendar_year(year_model=year_model, day_model=day_model, year=year, loaded_at=moment)


def unload(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("core", "WorkCalendarDay").objects.all().delete()
    apps.get_model("core", "WorkCalendarYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]

    operations = [migrations.RunPython(load, unload)]
