"""Survey spreadsheet import: preview, row errors, all or nothing, re-upload is a no-op."""

import csv
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.models import Organization
from demands import importing
from demands.models import Demand
from tests.demands.factories import CampaignFactory

HEADERS = [header for _k, header, _r, _h in importing.COLUMNS]


def row(i, tax_code=None, **overrides):
    values = dict(zip(HEADERS, importing.EXAMPLE_ROW, strict=True))
    values.update(
        {
            "Mã số thuế": tax_code or f"47{i:08d}",
            "Tên doanh nghiệp": f"Công ty Khảo sát {i}",
            "Email doanh nghiệp": f"dn{i}@khaosat.example",
            "Tên nhu cầu": f"Nhu cầu công nghệ số {i}: máy sấy chè",
        }
    )
    values.update(overrides)
    return [values[h] for h in HEADERS]


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def campaign(thai_nguyen):
    return CampaignFactory(province=thai_nguyen)


@pytest.mark.django_db
def test_200_rows_import_with_preview_then_reimport_is_a_no_op(
    client, staff_tn, enterprise_tn, campaign
):
    known = enterprise_tn.organization
    rows = [row(i) for i in range(199)] + [row(999, tax_code=known.tax_code)]
    content = xlsx(rows)
    client.force_login(staff_tn)
    response = client.post(
        reverse("demands:import"),
        {"file": SimpleUploadedFile("khao-sat.xlsx", content), "campaign": campaign.pk},
    )
    preview = response.context["preview"]
    assert not preview.has_errors and len(preview.to_create) == 200
    assert not Demand.objects.exists()  # a preview writes nothing
    token = response.context["confirm_form"].initial["token"]
    response = client.post(reverse("demands:import_confirm"), {"token": token})
    assert response.status_code == 302
    assert Demand.objects.filter(campaign=campaign, status="submitted").count() == 200
    new = Organization.objects.filter(tax_code__startswith="4700")
    assert new.count() == 199 and set(new.values_list("status", flat=True)) == {"pending"}
    assert known.demands.count() == 1
    demand = Demand.objects.get(title="Nhu cầu công nghệ số 5: máy sấy chè")
    assert sorted(demand.fields.values_list("code", flat=True)) == ["2.11", "4.01"]
    assert demand.budget_max_vnd == 2_000_000_000 and demand.events.get().actor == staff_tn
    # the same file again: the preview says everything is there and nothing is offered to write
    response = client.post(
        reverse("demands:import"),
        {"file": SimpleUploadedFile("khao-sat.xlsx", content), "campaign": campaign.pk},
    )
    assert response.context["preview"].already_there == 200
    assert response.context["confirm_form"] is None
    importing.demands_import(by=staff_tn, content=content, filename="x.xlsx", campaign=campaign)
    assert (
        Demand.objects.count() == 200
        and Organization.objects.filter(tax_code__startswith="4700").count() == 199
    )


@pytest.mark.django_db
def test_row_errors_are_listed_and_block_the_whole_file(client, staff_tn, enterprise_bn, campaign):
    rows = [
        row(1),
        row(2, **{"Mã số thuế": "12345"}),
        row(3, **{"Lĩnh vực KH&CN": "9.99"}),
        row(4, **{"Kinh phí từ (VNĐ)": "nhiều"}),
        row(5, **{"Thời hạn cần": "năm sau"}),
        row(6, tax_code=enterprise_bn.organization.tax_code),  # another province's firm
        row(1),  # the same key twice
        row(8, **{"Tên nhu cầu": ""}),
    ]
    client.force_login(staff_tn)
    response = client.post(
        reverse("demands:import"),
        {"file": SimpleUploadedFile("loi.xlsx", xlsx(rows)), "campaign": campaign.pk},
    )
    preview = response.context["preview"]
    assert [r.line for r in preview.error_rows] == [3, 4, 5, 6, 7, 8, 9]
    assert response.context["confirm_form"] is None
    html = response.content.decode()
    assert "9.99" in html
    with pytest.raises(ValidationError):
        importing.demands_import(
            by=staff_tn, content=xlsx(rows), filename="loi.xlsx", campaign=campaign
        )
    assert (
        not Demand.objects.exists()
        and not Organization.objects.filter(tax_code__startswith="4700").exists()
    )


@pytest.mark.django_db
def test_csv_with_semicolons_and_template_download(client, staff_tn):
    client.force_login(staff_tn)
    template = client.get(reverse("demands:import_template", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADERS)
    writer.writerow(row(1))
    response = client.post(
        reverse("demands:import"),
        {"file": SimpleUploadedFile("khao-sat.csv", buffer.getvalue().encode("utf-8-sig"))},
    )
    assert len(response.context["preview"].to_create) == 1
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    client.post(reverse("demands:import_confirm"), {"token": token})
    assert Demand.objects.get().campaign is None


@pytest.mark.django_db
def test_missing_columns_and_garbage_files(client, staff_tn):
    client.force_login(staff_tn)
    response = client.post(
        reverse("demands:import"), {"file": SimpleUploadedFile("a.xlsx", b"not a zip")}
    )
    assert response.context["preview"].file_errors
    response = client.post(
        reverse("demands:import"),
        {"file": SimpleUploadedFile("a.csv", "Tên nhu cầu\nabc\n".encode())},
    )
    assert response.context["preview"].file_errors and not response.context["preview"].rows


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["enterprise_tn", "rep_jp", "coordinator"])
def test_import_is_for_staff_only(name, client, cast):
    client.force_login(cast(name))
    assert client.get(reverse("demands:import")).status_code == 403
    assert client.get(reverse("demands:import_template", args=["xlsx"])).status_code == 403


@pytest.mark.django_db
def test_a_token_from_another_user_or_forged_is_refused(client, staff_tn, thai_nguyen):
    from tests.conftest import OrganizationFactory, UserFactory

    client.force_login(staff_tn)
    response = client.post(
        reverse("demands:import"), {"file": SimpleUploadedFile("k.xlsx", xlsx([row(1)]))}
    )
    token = response.context["confirm_form"].initial["token"]
    colleague = UserFactory(
        organization=OrganizationFactory(
            kind="provincial_department", province=thai_nguyen, tax_code=""
        )
    )
    client.force_login(colleague)
    assert client.post(reverse("demands:import_confirm"), {"token": token}).status_code == 404
    client.force_login(staff_tn)
    client.post(reverse("demands:import_confirm"), {"token": token + "x"})
    assert not Demand.objects.exists()


@pytest.mark.django_db
def test_campaign_of_another_province_cannot_be_chosen(client, staff_tn, bac_ninh):
    other = CampaignFactory(province=bac_ninh)
    client.force_login(staff_tn)
    response = client.post(
        reverse("demands:import"),
        {"file": SimpleUploadedFile("k.xlsx", xlsx([row(1)])), "campaign": other.pk},
    )
    assert response.status_code == 400 and response.context["form"].errors["campaign"]


@pytest.mark.django_db
def test_a_text_over_its_maximum_is_a_row_error_under_its_column(staff_tn):
    limit = Demand._meta.get_field("problem").max_length
    rows = [row(1), row(2, **{"Vấn đề cần giải quyết": "x" * (limit + 1)})]
    preview = importing.preview(by=staff_tn, content=xlsx(rows), filename="k.xlsx", campaign=None)
    assert [r.line for r in preview.error_rows] == [3]
    assert list(preview.error_rows[0].errors) == ["Vấn đề cần giải quyết"]
    assert str(limit) in preview.error_rows[0].errors["Vấn đề cần giải quyết"][0]


@pytest.mark.django_db
def test_vietnamese_cooperation_names_and_visibility_words_are_read(staff_tn, campaign):
    rows = [
        row(
            1,
            **{"Hình thức hợp tác": "Chuyển giao công nghệ; đào tạo", "Chế độ hiển thị": "bảo mật"},
        ),
        row(2, **{"Hình thức hợp tác": "license; Tư vấn", "Chế độ hiển thị": "cong khai"}),
    ]
    importing.demands_import(by=staff_tn, content=xlsx(rows), filename="vi.xlsx", campaign=campaign)
    first, second = Demand.objects.order_by("title")
    assert sorted(first.cooperation.values_list("code", flat=True)) == [
        "technology_transfer",
        "training",
    ]
    assert first.visibility == "confidential"
    assert sorted(second.cooperation.values_list("code", flat=True)) == ["consulting", "license"]
    assert second.visibility == "public"


@pytest.mark.django_db
def test_template_guide_lists_the_vietnamese_cooperation_names(db):
    from django.utils import translation

    with translation.override("vi"):
        help_text = str({c.key: c.help for c in importing.COLUMNS}["cooperation"])
    assert "Chuyển giao công nghệ (technology_transfer)" in help_text
    assert "Đào tạo (training)" in help_text
