"""A trigram GIN index on the folded search text (PostgreSQL only; SQLite scans)."""

from django.db import migrations

INDEX = "demands_demand_search_text_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON demands_demand USING gin (search_text gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("demands", "0001_initial"), ("portal", "0003_postgres_search_extensions")]

    operations = [migrations.RunPython(create, drop)]
