"""pipeline.xlsx ends with each agreement's registration and the time zones of the pair's
meetings, read in the sheet's one query (issue 15, section 5)."""

import datetime

import pytest
from django.urls import reverse

from connections.models import Agreement, Meeting
from insights.reports import PIPELINE_HEADERS

from .conftest import YEAR, at
from .test_reports import sheet_rows

pytestmark = pytest.mark.django_db

APPENDED = [
    "Phải đăng ký hợp đồng CGCN",
    "Số giấy chứng nhận đăng ký",
    "Ngày đăng ký",
    "Múi giờ cuộc gặp",
]


@pytest.fixture
def registered(world):
    agreement = Agreement.objects.get()
    agreement.registration_required = True
    agreement.registration_number = "=12/GCN"  # a formula-like number stays text
    agreement.registered_on = datetime.date(YEAR, 6, 20)
    agreement.save()
    Meeting.objects.create(match=agreement.match, starts_at=at(5, 3), timezone="Asia/Tokyo")
    Meeting.objects.create(match=agreement.match, starts_at=at(5, 4), timezone="Asia/Tokyo")
    return agreement


def test_pipeline_ends_with_registration_and_meeting_zones(
    client, registered, staff_tn, django_assert_max_num_queries
):
    assert PIPELINE_HEADERS[-len(APPENDED) :] == APPENDED
    client.force_login(staff_tn)
    with django_assert_max_num_queries(6):  # still the sheet's one query, whatever the rows
        response = client.get(reverse("insights:report_pipeline"))
    rows = sheet_rows(response)
    by_match = {row[0]: dict(zip(PIPELINE_HEADERS, row, strict=True)) for row in rows[1:]}
    signed = by_match[registered.match_id]
    assert signed["Phải đăng ký hợp đồng CGCN"] == "Có"
    assert signed["Số giấy chứng nhận đăng ký"] == "'=12/GCN"
    assert signed["Ngày đăng ký"].date() == datetime.date(YEAR, 6, 20)
    assert signed["Múi giờ cuộc gặp"] == "Asia/Ho_Chi_Minh, Asia/Tokyo"
    others = [row for pk, row in by_match.items() if pk != registered.match_id]
    assert others and all(row["Phải đăng ký hợp đồng CGCN"] is None for row in others)
    zones = {row["Múi giờ cuộc gặp"] for row in others}
    assert zones == {"Asia/Ho_Chi_Minh", None}  # a pair with one meeting, one without


@pytest.mark.sqlite
def test_pipeline_meeting_zones_on_every_database(client, registered, coordinator):
    client.force_login(coordinator)
    rows = sheet_rows(client.get(reverse("insights:report_pipeline")))
    row = next(r for r in rows[1:] if r[0] == registered.match_id)
    assert row[len(PIPELINE_HEADERS) - 1] == "Asia/Ho_Chi_Minh, Asia/Tokyo"
