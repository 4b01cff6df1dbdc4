"""XLSX reports: who may download them, what they contain, and formula-like cells escaped."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from insights.reports import PIPELINE_HEADERS, YEARLY_HEADERS
from portal.models import Province

from ..conftest import CAST
from .conftest import AGREEMENT_VALUE, FORMULA_TITLE, YEAR

pytestmark = pytest.mark.django_db

ALLOWED = {"staff_tn", "staff_bn", "coordinator", "superuser"}
REPORTS = ["insights:report_pipeline", "insights:report_yearly"]


def sheet_rows(response) -> list[list]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("who", CAST)
def test_report_permission_per_role(client, cast, who, report):
    if who != "anonymous":
        client.force_login(cast(who))
    response = client.get(reverse(report))
    if who == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    else:
        assert response.status_code == (200 if who in ALLOWED else 404)


def pipeline_ids(client, user) -> set[int]:
    client.force_login(user)
    rows = sheet_rows(client.get(reverse("insights:report_pipeline")))
    assert rows[0] == PIPELINE_HEADERS
    return {row[0] for row in rows[1:]}


def test_pipeline_holds_the_introduced_matches_of_the_users_scope(
    client, world, staff_tn, staff_bn, coordinator
):
    assert pipeline_ids(client, staff_tn) == world.tn_introduced
    assert pipeline_ids(client, staff_bn) == world.bn_introduced
    assert pipeline_ids(client, coordinator) == world.tn_introduced | world.bn_introduced


def test_pipeline_content_and_formula_cells_escaped(client, world, staff_tn):
    client.force_login(staff_tn)
    rows = sheet_rows(client.get(reverse("insights:report_pipeline")))
    column = {header: i for i, header in enumerate(PIPELINE_HEADERS)}
    agreement_row = next(r for r in rows[1:] if r[column["Mã nhu cầu"]] == world.tn_demands[0].pk)
    assert agreement_row[column["Tên nhu cầu"]] == "'" + FORMULA_TITLE
    assert agreement_row[column["Giá trị thỏa thuận (VNĐ)"]] == AGREEMENT_VALUE
    assert agreement_row[column["Số cuộc gặp"]] == 1
    assert agreement_row[column["Doanh nghiệp"]] == "Chè Tân Cương"
    for row in rows:
        for cell in row:
            assert not (isinstance(cell, str) and cell.startswith(("=", "+", "-", "@")))


EXPECTED_YEAR = {
    "Thái Nguyên": [5, 3, 3, 2, 1, AGREEMENT_VALUE],
    "Bắc Ninh": [2, 1, 1, 0, 0, 0],
}


def yearly(client, user, year=YEAR) -> dict[str, list]:
    client.force_login(user)
    response = client.get(reverse("insights:report_yearly"), {"year": year})
    rows = sheet_rows(response)
    assert rows[0] == YEARLY_HEADERS
    assert rows[-1][0].startswith("Số liệu tính lúc ")  # when the kept figures were computed
    return {row[0]: row[1:] for row in rows[1:-1]}


def test_yearly_summary_for_staff_holds_their_province_only(client, world, staff_tn):
    assert yearly(client, staff_tn) == {"Thái Nguyên": EXPECTED_YEAR["Thái Nguyên"]}


def test_yearly_summary_for_the_coordinator_spans_every_province(client, world, coordinator):
    table = yearly(client, coordinator)
    assert len(table) == Province.objects.count() + 1  # and the total row
    assert table["Thái Nguyên"] == EXPECTED_YEAR["Thái Nguyên"]
    assert table["Bắc Ninh"] == EXPECTED_YEAR["Bắc Ninh"]
    assert table["Tổng cộng"] == [7, 4, 4, 2, 1, AGREEMENT_VALUE]


def test_yearly_summary_of_another_year_is_empty(client, world, coordinator):
    assert yearly(client, coordinator, YEAR + 1)["Tổng cộng"] == [0, 0, 0, 0, 0, 0]


def test_yearly_summary_refuses_a_bad_year(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("insights:report_yearly"), {"year": "abc"}).status_code == 404
