"""Monthly values lose the three single-column indexes Django puts on foreign keys: zone and enterprise
lead other indexes already (the range index, the unique constraint), and an index on the indicator alone
(eight values) is never chosen. Each one cost every import a write per value.

Only the indexes are dropped (the foreign-key constraints stay as they are): Django's AlterField would drop
and re-add the constraints, re-validating tens of millions of rows."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "indicators_indicatorvalue_enterprise_id_0e7247ac": "enterprise_id",
    "indicators_indicatorvalue_indicator_id_a69c020d": "indicator_id",
    "indicators_indicatorvalue_zone_id_190f5019": "zone_id",
}
PATTERN_INDEX = "indicators_indicatorvalue_indicator_id_a69c020d_like"  # PostgreSQL only


def drop_indexes(apps, schema_editor):
    for name in [*INDEXES, PATTERN_INDEX]:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_indexes(apps, schema_editor):
    for name, column in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX "{name}" ON "indicators_indicatorvalue" ("{column}")')
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{PATTERN_INDEX}" ON "indicators_indicatorvalue" ("indicator_id" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_enterprise"),
        ("enterprises", "0004_trigram_search_indexes"),
        ("indicators", "0003_enterprise_total_growth"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="indicatorvalue",
                    name="enterprise",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="indicator_values",
                        to="enterprises.enterprise",
                    ),
                ),
                migrations.AlterField(
                    model_name="indicatorvalue",
                    name="indicator",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="values",
                        to="indicators.indicator",
                    ),
                ),
                migrations.AlterField(
                    model_name="indicatorvalue",
                    name="zone",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.zone",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
