"""Spreadsheet import: template, preview with row errors, all or nothing, idempotent."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from offers import importing
from offers.models import Offer

pytestmark = pytest.mark.django_db


def row(n: int, **changes) -> dict:
    values = {
        **importing.EXAMPLE,
        "external_ref": f"JP-{n:03d}",
        "title": f"Offer number {n}: compact vision-guided picking robot",
        "publish": "yes",
        "valid_until": "2099-12-31",
    }
    values.update(changes)
    return values


def xlsx(rows: list[dict]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(importing.COLUMN_NAMES)
    for values in rows:
        sheet.append([values.get(c, "") for c in importing.COLUMN_NAMES])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, content: bytes, name="offers.xlsx"):
    return client.post(reverse("offers:import"), {"file": SimpleUploadedFile(name, content)})


def confirm(client):
    return client.post(reverse("offers:import"), {"confirm": "1"})


def test_templates_download_and_read_back(client, rep_jp):
    client.force_login(rep_jp)
    response = client.get(reverse("offers:import_template", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == importing.COLUMN_NAMES
    response = client.get(reverse("offers:import_template", args=["csv"]))
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == importing.COLUMN_NAMES
    preview = importing.import_preview(by=rep_jp, name="t.csv", content=response.content)
    assert not preview.has_errors and preview.count("create") == 1


def test_hundred_rows_import_then_reimport_is_a_no_op(client, rep_jp):
    client.force_login(rep_jp)
    content = xlsx([row(n) for n in range(100)])
    preview = upload(client, content)
    assert preview.status_code == 200
    assert preview.context["preview"].count("create") == 100
    assert not Offer.objects.exists()  # the preview writes nothing
    assert confirm(client).status_code == 302
    assert (
        Offer.objects.filter(representation=rep_jp.organization, status="published").count() == 100
    )
    offer = Offer.objects.get(external_ref="JP-007")
    assert offer.title_vi == importing.EXAMPLE["title_vi"]
    assert sorted(offer.fields.values_list("code", flat=True)) == ["2.02", "2.03"]
    assert offer.trl_id == 8 and offer.provider_country == "JP"

    again = upload(client, content)
    assert again.context["preview"].count("unchanged") == 100
    confirm(client)
    assert Offer.objects.count() == 100
    assert offer.events.count() == 2  # created, published: nothing new


def test_changed_row_updates_its_offer(rep_jp):
    first = importing.import_preview(by=rep_jp, name="a.xlsx", content=xlsx([row(1), row(2)]))
    importing.offers_import(by=rep_jp, preview=first)
    changed = importing.import_preview(
        by=rep_jp, name="a.xlsx", content=xlsx([row(1), row(2, keywords="robot, thị giác")])
    )
    assert [r.action for r in changed.rows] == ["unchanged", "update"]
    result = importing.offers_import(by=rep_jp, preview=changed)
    assert (result.updated, result.unchanged) == (1, 1)
    assert Offer.objects.get(external_ref="JP-002").keywords == "robot, thị giác"


def test_one_bad_row_blocks_every_row(client, rep_jp):
    client.force_login(rep_jp)
    rows = [row(n) for n in range(5)]
    rows[3] = row(3, provider_country="XX", fields="9.99", trl="12")
    rows.append(row(0))  # the same reference twice
    response = upload(client, xlsx(rows))
    preview = response.context["preview"]
    assert preview.has_errors
    assert {r.line for r in preview.error_rows} == {5, 7}
    assert {"provider_country", "fields", "trl"} <= set(preview.error_rows[0].errors)
    assert b'name="confirm"' not in response.content
    assert confirm(client).status_code == 302  # nothing pending: back to the upload
    assert not Offer.objects.exists()


def test_publish_column_requires_a_complete_row(rep_jp):
    preview = importing.import_preview(
        by=rep_jp, name="a.xlsx", content=xlsx([row(1, advantages="", ip_status="")])
    )
    assert {"advantages", "ip_status"} <= set(preview.rows[0].errors)
    draft = importing.import_preview(
        by=rep_jp, name="a.xlsx", content=xlsx([row(1, advantages="", publish="no")])
    )
    assert not draft.has_errors


def test_csv_with_semicolons_and_broken_files(rep_jp):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(importing.COLUMN_NAMES)
    writer.writerow([row(1)[c] for c in importing.COLUMN_NAMES])
    preview = importing.import_preview(by=rep_jp, name="a.csv", content=out.getvalue().encode())
    assert not preview.has_errors
    broken = importing.import_preview(by=rep_jp, name="a.xlsx", content=b"not a zip")
    assert broken.file_errors
    missing = importing.import_preview(by=rep_jp, name="a.csv", content=b"title\nx\n")
    assert missing.file_errors


def test_same_reference_in_two_representations_are_different_offers(rep_jp, rep_de):
    for rep in (rep_jp, rep_de):
        importing.offers_import(
            by=rep, preview=importing.import_preview(by=rep, name="a.xlsx", content=xlsx([row(1)]))
        )
    assert Offer.objects.filter(external_ref="JP-001").count() == 2


def test_import_refused_to_other_roles(client, enterprise_tn):
    client.force_login(enterprise_tn)
    assert upload(client, xlsx([row(1)])).status_code == 404
    assert not Offer.objects.exists()


def test_a_text_over_its_maximum_is_a_row_error(rep_jp):
    limit = Offer._meta.get_field("description").max_length
    preview = importing.import_preview(
        by=rep_jp, name="a.xlsx", content=xlsx([row(1), row(2, description="x" * (limit + 1))])
    )
    assert [r.line for r in preview.error_rows] == [3]
    assert set(preview.error_rows[0].errors) == {"description"}
    assert str(limit) in preview.error_rows[0].errors["description"][0]
