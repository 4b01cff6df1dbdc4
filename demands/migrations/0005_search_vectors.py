"""Full-text search vectors, kept by PostgreSQL beside the texts (portal/fulltext.py).

Generated columns outside the model: Django never selects them. A later change of the type of
a column they read (title, keywords as varchar) must drop and re-create them. The VACUUM sets
the visibility map the rewrite cleared (index-only scans) and gathers the statistics the
planner needs for the new vectors. SQLite keeps the regex path: nothing to do there.
"""

from django.db import migrations

WORDS = "to_tsvector('simple', regexp_replace({}, '[^[:alnum:]]+', ' ', 'g'))"
TITLE = "title"
BODY = "problem || ' ' || current_situation || ' ' || expected_result || ' ' || keywords"
MARKED = "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]"

COLUMNS = f"""
ALTER TABLE demands_demand
  ADD COLUMN IF NOT EXISTS search_folded tsvector
    GENERATED ALWAYS AS (strip({WORDS.format("search_text")})) STORED,
  ADD COLUMN IF NOT EXISTS search_exact tsvector
    GENERATED ALWAYS AS (setweight({WORDS.format(TITLE)}, 'A') || {WORDS.format(BODY)}) STORED,
  ADD COLUMN IF NOT EXISTS search_plain boolean
    GENERATED ALWAYS AS (lower({TITLE} || ' ' || {BODY}) !~ '{MARKED}') STORED
"""
INDEX = (
    "CREATE INDEX IF NOT EXISTS demands_demand_search_folded ON demands_demand "
    "USING gin (search_folded)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COLUMNS)
        schema_editor.execute(INDEX)
        schema_editor.execute("VACUUM ANALYZE demands_demand")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE demands_demand DROP COLUMN IF EXISTS search_folded, "
            "DROP COLUMN IF EXISTS search_exact, DROP COLUMN IF EXISTS search_plain"
        )


class Migration(migrations.Migration):
    atomic = False  # VACUUM runs outside a transaction

    dependencies = [("demands", "0004_text_max_lengths")]

    operations = [migrations.RunPython(create, drop)]
