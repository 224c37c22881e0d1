"""On PostgreSQL, trigram indexes serve the registry's name search (``icontains`` → UPPER(...) LIKE).

SQLite scans; it serves zones of tens of thousands of enterprises well enough (docs/benchmarks.md).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

COLUMNS = ("name", "name_en", "short_name")


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS enterprise_{column}_trgm ON enterprises_enterprise "
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS enterprise_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0003_enterprise_name_order_index")]

    operations = [migrations.RunPython(create, drop)]
