"""Survey campaigns: open, invite, follow, export; demands submitted while one runs join it."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from demands import services
from demands.models import Demand, SurveyCampaign
from tests.demands.factories import CampaignFactory

S = Demand.Status


@pytest.mark.django_db(transaction=False)
def test_staff_open_a_campaign_invite_and_follow_it(
    client, staff_tn, enterprise_tn, make_demand, django_capture_on_commit_callbacks
):
    client.force_login(staff_tn)
    response = client.post(
        reverse("demands:campaign_create"),
        {
            "name": "Khảo sát 2026",
            "year": 2026,
            "opens_on": "2026-01-01",
            "closes_on": "2026-12-31",
            "intro": "Xin mời",
        },
    )
    campaign = SurveyCampaign.objects.get()
    assert (
        response.url == campaign.get_absolute_url()
        and campaign.province == staff_tn.organization.province
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("demands:campaign_invite", args=[campaign.pk]),
            {"emails": f"{enterprise_tn.email}, moi@doanhnghiep.example\nmoi@doanhnghiep.example"},
        )
    assert campaign.invitations.count() == 2 and len(mail.outbox) == 2
    assert (
        campaign.invitations.get(email=enterprise_tn.email).organization
        == enterprise_tn.organization
    )
    make_demand(status=S.SUBMITTED, campaign=campaign, title="Trả lời khảo sát", fields=["2.11"])
    make_demand(status=S.DRAFT, campaign=campaign, title="Nháp chưa gửi")
    response = client.get(campaign.get_absolute_url())
    stats = response.context["stats"]
    assert (stats["invited"], stats["responded"], stats["demand_total"]) == (2, 1, 1)
    assert [f.code for f in stats["by_field"]] == ["2.11"]
    html = response.content.decode()
    assert "Trả lời khảo sát" in html and "Nháp chưa gửi" not in html
    exported = client.get(reverse("demands:campaign_export", args=[campaign.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
    values = list(sheet.values)
    assert values[0][1] == "Tên nhu cầu" and [r[1] for r in values[1:]] == ["Trả lời khảo sát"]


@pytest.mark.django_db
def test_invalid_invitations_and_dates_are_refused(client, staff_tn):
    client.force_login(staff_tn)
    response = client.post(
        reverse("demands:campaign_create"),
        {"name": "Sai ngày", "year": 2026, "opens_on": "2026-12-31", "closes_on": "2026-01-01"},
    )
    assert response.status_code == 400 and not SurveyCampaign.objects.exists()
    campaign = CampaignFactory(province=staff_tn.organization.province)
    response = client.post(
        reverse("demands:campaign_invite", args=[campaign.pk]), {"emails": "không-phải-email"}
    )
    assert response.status_code == 400 and not campaign.invitations.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("staff_tn", 200),
        ("coordinator", 200),
        ("staff_bn", 404),
        ("enterprise_tn", 404),
        ("rep_jp", 404),
    ],
)
def test_campaign_pages_by_role(name, status, client, cast, thai_nguyen):
    campaign = CampaignFactory(province=thai_nguyen)
    client.force_login(cast(name))
    assert client.get(campaign.get_absolute_url()).status_code == status
    assert (
        client.get(reverse("demands:campaign_export", args=[campaign.pk, "csv"])).status_code
        == status
    )
    assert client.get(reverse("demands:campaign_list")).status_code == (
        200 if name.startswith(("staff", "coord")) else 404
    )


@pytest.mark.django_db
def test_only_the_province_staff_invite(client, staff_bn, coordinator, thai_nguyen):
    campaign = CampaignFactory(province=thai_nguyen)
    client.force_login(coordinator)
    assert (
        client.post(
            reverse("demands:campaign_invite", args=[campaign.pk]), {"emails": "a@b.example"}
        ).status_code
        == 403
    )
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the service
        services.campaign_invite(campaign=campaign, by=staff_bn, emails=["a@b.example"])
    assert not campaign.invitations.exists()
