"""The pipeline sheet written from plain values (one query, portal/xlsx.py) holds, cell for
cell, what the model-by-model sheet written by openpyxl held before (issue 14)."""

import io

import pytest
from django.db.models import Count, Max
from django.urls import reverse
from openpyxl import load_workbook

from accounts import permissions
from connections.models import Meeting, Message
from demands.exporting import safe_cell
from demands.models import Demand, Visibility
from insights import figures
from insights.reports import PIPELINE_HEADERS, _local, _thread_activity, workbook_response
from matching.selectors import matches_visible_to

from .conftest import at

pytestmark = pytest.mark.django_db


def rows_before(user) -> list[list]:
    """The sheet's rows as the previous code built them: a model per match, a rule per row."""
    matches = (
        figures.introduced(matches_visible_to(user))
        .select_related(
            "demand",
            "demand__province",
            "demand__organization",
            "offer",
            "offer__representation",
            "agreement",
        )
        .annotate(meeting_count=Count("meetings"), last_meeting=Max("meetings__starts_at"))
        .annotate(**_thread_activity())
        .order_by("demand__province__name_vi", "-introduced_at", "id")
    )
    rows = []
    for match in matches:
        demand, offer = match.demand, match.offer
        agreement = getattr(match, "agreement", None)
        shows = permissions.can(user, "demand.view_identity", demand)
        rows.append(
            [
                safe_cell(v)
                for v in (
                    match.pk,
                    demand.pk,
                    demand.title,
                    demand.province.name_vi,
                    demand.organization.name if shows else "",
                    offer.pk,
                    offer.title,
                    offer.provider_name,
                    offer.provider_country.code,
                    offer.representation.name,
                    round(match.score, 3),
                    match.get_status_display(),
                    _local(match.introduced_at),
                    match.meeting_count,
                    _local(match.last_meeting),
                    agreement.get_kind_display() if agreement else None,
                    agreement.value_vnd if agreement else None,
                    agreement.signed_on if agreement else None,
                    match.message_count,
                    _local(match.last_message_at),
                    # Appended by issue 15 (section 5): the registration and meetings' zones.
                    ("Có" if agreement.registration_required else "Không") if agreement else None,
                    (agreement.registration_number or None) if agreement else None,
                    agreement.registered_on if agreement else None,
                    ", ".join(sorted({m.timezone for m in match.meetings.all()})) or None,
                )
            ]
        )
    return rows


def cells(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def busier(world, staff_tn):
    """Two meetings on one pair, messages (one hidden), a public and a confidential demand."""
    _, meeting_pk, consented_pk = sorted(world.tn_introduced)
    Meeting.objects.create(match_id=meeting_pk, starts_at=at(7, 1))
    for hidden in (None, at(7, 3)):
        Message.objects.create(
            match_id=consented_pk,
            channel="shared",
            side="staff",
            author=staff_tn,
            body="Xin chào",
            created_at=at(7, 2),
            hidden_at=hidden,
            hidden_by=staff_tn if hidden else None,
            hidden_reason="spam" if hidden else "",
        )
    Demand.objects.filter(pk=world.tn_demands[1].pk).update(visibility=Visibility.PUBLIC)
    Demand.objects.filter(pk=world.tn_demands[2].pk).update(visibility=Visibility.CONFIDENTIAL)
    return world


@pytest.mark.parametrize("who", ["staff_tn", "staff_bn", "coordinator", "superuser"])
def test_pipeline_sheet_holds_the_same_cells_as_before(client, cast, who, busier):
    user = cast(who)
    before = workbook_response("Ket noi", PIPELINE_HEADERS, rows_before(user), "before")
    client.force_login(user)
    response = client.get(reverse("insights:report_pipeline"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="ket-noi-')
    now = cells(response.content)
    assert now == cells(before.content)
    assert len(now) > 1 or who == "staff_bn"


def test_pipeline_query_count_does_not_grow_with_rows(
    client, coordinator, busier, django_assert_max_num_queries
):
    client.force_login(coordinator)
    with django_assert_max_num_queries(6):
        client.get(reverse("insights:report_pipeline"))
