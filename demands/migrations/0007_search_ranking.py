"""Search ranked from small columns read in the row, filtered by GIN indexes alone.

0005's `search_exact` (every word with its accents, title weighted A) was read once per word
and per found row, out of line (TOAST): 25 buffers a row, 0.5-0.8 s for the 7,511 offers
holding "xu ly nuoc thai" (demands: the same columns). It becomes:

- `search_match`: the words with their accents, weighted B when the texts carry no Vietnamese
  accent at all (typed without them: a bare "che" there stands for "chè"), else D. "Typed
  with these accents" is then one GIN query: ('chè') | ('che':B).
- `search_title`: the title's words with their accents (small, kept in the row).
- `search_bare`: the words written without any accent in a text that has accents ("PCB",
  "robot", "xanh"), empty for a text without accents (small, kept in the row).

With `search_plain`, the ranking reads only the row itself. SQLite keeps the regex path.
"""

from django.db import migrations

WORDS = "to_tsvector('simple', regexp_replace({}, '[^[:alnum:]]+', ' ', 'g'))"
TITLE = "title"
TEXT = (
    "title || ' ' || problem || ' ' || current_situation || ' ' || expected_result || ' ' "
    "|| keywords"
)
MARKED = "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]"
PLAIN = f"(lower({TEXT}) !~ '{MARKED}')"
BARE = f"regexp_replace(lower({TEXT}), '[[:alnum:]]*{MARKED}[[:alnum:]]*', ' ', 'g')"

COLUMNS = f"""
ALTER TABLE demands_demand
  DROP COLUMN IF EXISTS search_exact,
  ADD COLUMN IF NOT EXISTS search_match tsvector GENERATED ALWAYS AS
    (setweight({WORDS.format(TEXT)}, CASE WHEN {PLAIN} THEN 'B' ELSE 'D' END::"char")) STORED,
  ADD COLUMN IF NOT EXISTS search_title tsvector GENERATED ALWAYS AS
    (strip({WORDS.format(TITLE)})) STORED,
  ADD COLUMN IF NOT EXISTS search_bare tsvector GENERATED ALWAYS AS
    (CASE WHEN {PLAIN} THEN ''::tsvector ELSE strip({WORDS.format(BARE)}) END) STORED
"""
STORAGE = (
    "ALTER TABLE demands_demand ALTER COLUMN search_title SET STORAGE MAIN, "
    "ALTER COLUMN search_bare SET STORAGE MAIN"
)
INDEX = (
    "CREATE INDEX IF NOT EXISTS demands_demand_search_match ON demands_demand "
    "USING gin (search_match)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COLUMNS)
        schema_editor.execute(STORAGE)
        schema_editor.execute(INDEX)
        schema_editor.execute("VACUUM ANALYZE demands_demand")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE demands_demand DROP COLUMN IF EXISTS search_match, "
            "DROP COLUMN IF EXISTS search_title, DROP COLUMN IF EXISTS search_bare"
        )
        # 0005's column, as 0005 made it
        words = WORDS.format
        body = "problem || ' ' || current_situation || ' ' || expected_result || ' ' || keywords"
        schema_editor.execute(
            "ALTER TABLE demands_demand ADD COLUMN search_exact tsvector GENERATED ALWAYS AS "
            f"(setweight({words(TITLE)}, 'A') || {words(body)}) STORED"
        )


class Migration(migrations.Migration):
    atomic = False  # VACUUM runs outside a transaction

    dependencies = [("demands", "0006_demand_export")]

    operations = [migrations.RunPython(create, drop)]
