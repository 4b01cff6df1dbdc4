"""Load provinces, the S&T field taxonomy, TRL and cooperation types from portal/data/*.csv.

Re-runnable: rows are upserted by their key, so a corrected CSV can be loaded by a later
migration calling the same function.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def load(apps, schema_editor):
    Province = apps.get_model("portal", "Province")
    Field = apps.get_model("portal", "Field")
    TRL = apps.get_model("portal", "TechnologyReadinessLevel")
    CooperationType = apps.get_model("portal", "CooperationType")

    for row in rows("provinces.csv"):
        Province.objects.update_or_create(
            slug=row["slug"],
            defaults={"name_vi": row["name_vi"], "name_en": row["name_en"], "kind": row["kind"],
                      "merged_from": row["merged_from"]},
        )
    # Areas first, so every field finds its parent.
    for row in sorted(rows("fields.csv"), key=lambda r: (bool(r["parent"]), r["code"])):
        Field.objects.update_or_create(
            code=row["code"],
            defaults={"name_vi": row["name_vi"], "name_en": row["name_en"],
                      "parent_id": row["parent"] or None},
        )
    for row in rows("trl.csv"):
        TRL.objects.update_or_create(
            level=int(row["level"]),
            defaults={k: row[k] for k in ("name_vi", "name_en", "description_vi", "description_en")},
        )
    for position, row in enumerate(rows("cooperation.csv")):
        CooperationType.objects.update_or_create(
            code=row["code"],
            defaults={"name_vi": row["name_vi"], "name_en": row["name_en"], "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
