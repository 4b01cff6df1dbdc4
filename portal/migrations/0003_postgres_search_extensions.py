"""unaccent and pg_trgm for accent-blind, typo-tolerant search. No-ops on SQLite."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_load_reference_data")]

    operations = [UnaccentExtension(), TrigramExtension()]
