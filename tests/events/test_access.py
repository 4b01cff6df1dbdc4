"""Every session page and action, tried by every role: who may, who gets 404 (ids don't leak)."""

import pytest
from django.db.models import Q
from django.urls import reverse

from events import services
from events.models import MeetingRequest, Registration

from ..factories import OrganizationFactory, UserFactory

R = MeetingRequest
pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "enterprise_bn",  # another province
    "enterprise_tn_other",  # the session's province, not registered
    "rep_kr",  # a representation not invited
    "staff_bn",
    "staff_tn",
    "coordinator",
    "enterprise_tn",  # registered
    "rep_jp",  # invited and registered
]
RUNS = {"staff_tn", "coordinator"}
PARTIES = {"enterprise_tn", "rep_jp"}


@pytest.fixture
def enterprise_tn_other(thai_nguyen):
    return UserFactory(
        organization=OrganizationFactory(name="Gốm Thái Nguyên", province=thai_nguyen)
    )


@pytest.fixture
def rep_kr(db):
    from accounts.models import Organization

    return UserFactory(
        organization=OrganizationFactory(
            kind=Organization.Kind.REPRESENTATION,
            name="Đại diện tại Hàn Quốc",
            province=None,
            country="KR",
            tax_code="",
        )
    )


@pytest.fixture
def scheduled(registered, coordinator, enterprise_tn, rep_jp, rep_de):
    for request in R.objects.filter(session=registered):
        rep = rep_jp if request.representation.organization_id == rep_jp.organization_id else rep_de
        services.request_answer(request=request, by=rep, yes=True)
        services.request_answer(request=request, by=enterprise_tn, yes=True)
    services.schedule_build(session=registered, by=coordinator, seconds=1)
    return registered


def _client(client, cast, role):
    if role != "anonymous":
        client.force_login(cast(role))
    return client


PAGES = {
    # name: roles answered 200 (others: 404; anonymous: the sign-in page)
    "events:list": set(ROLES) - {"anonymous"},
    "events:create": {"staff_bn", "staff_tn", "coordinator"},
    "events:detail": set(ROLES) - {"anonymous"},
    "events:edit": RUNS,
    "events:register": {"enterprise_tn_other", "enterprise_tn", "rep_jp"},
    "events:meetings": RUNS | PARTIES,
    "events:schedule": RUNS,
    "events:agenda": RUNS | PARTIES,
    "events:agenda_ics": RUNS | PARTIES,
    "events:report": RUNS,
    "events:report_xlsx": RUNS,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_session_page_for_every_role(client, cast, role, name, scheduled):
    args = [] if name in ("events:list", "events:create") else [scheduled.pk]
    response = _client(client, cast, role).get(reverse(name, args=args))
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role in PAGES[name]:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


def test_draft_session_unseen_but_by_who_runs_it(client, cast, scheduled):
    scheduled.status = "draft"
    scheduled.save()
    for role, status in [
        ("enterprise_tn", 404),
        ("rep_jp", 404),
        ("staff_bn", 404),
        ("staff_tn", 200),
    ]:
        client.force_login(cast(role))
        assert client.get(reverse("events:detail", args=[scheduled.pk])).status_code == status


def _meeting(session, rep):
    return R.objects.filter(session=session, representation__organization=rep.organization).first()


@pytest.mark.parametrize("role", ROLES)
def test_build_timetable_for_every_role(client, cast, role, scheduled):
    response = _client(client, cast, role).post(reverse("events:schedule", args=[scheduled.pk]))
    assert response.status_code == (302 if role in RUNS or role == "anonymous" else 404)


@pytest.mark.parametrize("role", ROLES)
def test_check_in_for_every_role(client, cast, role, scheduled, rep_jp):
    meeting = _meeting(scheduled, rep_jp)
    response = _client(client, cast, role).post(reverse("events:check_in", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert (meeting.checked_in_at is not None) == (role in RUNS)
    if role not in RUNS and role != "anonymous":
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_outcome_for_every_role(client, cast, role, scheduled, rep_jp):
    meeting = _meeting(scheduled, rep_jp)
    response = _client(client, cast, role).post(
        reverse("events:outcome", args=[meeting.pk]), {"outcome": "not_now", "note": "x"}
    )
    meeting.refresh_from_db()
    recorded = meeting.enterprise_outcome or meeting.representation_outcome
    assert bool(recorded) == (role in PARTIES)
    if role not in PARTIES and role != "anonymous":
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_move_and_drop_for_every_role(client, cast, role, scheduled, rep_jp):
    meeting = _meeting(scheduled, rep_jp)
    client = _client(client, cast, role)
    client.post(reverse("events:move", args=[meeting.pk]), {"slot": meeting.slot, "table": 2})
    client.post(reverse("events:drop", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert (meeting.status == R.Status.DROPPED) == (role in RUNS)


@pytest.mark.parametrize("role", ROLES)
def test_answer_for_every_role(client, cast, role, registered, rep_jp):
    meeting = _meeting(registered, rep_jp)
    _client(client, cast, role).post(reverse("events:answer", args=[meeting.pk]), {"answer": "no"})
    meeting.refresh_from_db()
    assert (meeting.status == R.Status.DECLINED) == (role in PARTIES)


@pytest.mark.parametrize("role", ROLES)
def test_ask_and_add_for_every_role(client, cast, role, registered, rep_de, enterprise_tn):
    firm = Registration.objects.get(session=registered, organization=enterprise_tn.organization)
    rep = Registration.objects.get(session=registered, organization=rep_de.organization)
    client = _client(client, cast, role)
    data = {"other": rep.pk} if role == "enterprise_tn" else {"demand": firm.demands.get().pk}
    client.post(reverse("events:ask", args=[registered.pk]), data)
    said_yes = R.objects.filter(Q(enterprise_answer="yes") | Q(representation_answer="yes"))
    assert said_yes.exists() == (role in PARTIES)
    before = R.objects.count()
    client.post(
        reverse("events:add", args=[registered.pk]), {"firm": firm.pk, "representation": rep.pk}
    )
    assert R.objects.count() - before == (1 if role in RUNS else 0)


def test_register_page_registers_a_firm(client, in_english, enterprise_tn_other, scheduled):
    from ..matching.conftest import TEA_DEMAND, make_demand

    demand = make_demand(enterprise_tn_other.organization, **TEA_DEMAND)
    client.force_login(enterprise_tn_other)
    url = reverse("events:register", args=[scheduled.pk])
    refused = client.post(url, {})
    assert "Choose at least one demand" in refused.content.decode()
    response = client.post(url, {"demands": [demand.pk], "unavailable_slots": ["1"]})
    assert response.status_code == 302
    registration = Registration.objects.get(
        session=scheduled, organization=enterprise_tn_other.organization
    )
    assert registration.unavailable_slots == [1]


def test_meetings_page_hides_the_firm_from_the_representation(client, rep_jp, registered):
    client.force_login(rep_jp)
    page = client.get(reverse("events:meetings", args=[registered.pk])).content.decode()
    assert "Chè Tân Cương" not in page
    assert "same field" in page or "cùng lĩnh vực" in page


def test_ics_in_the_readers_zone_with_the_online_link(client, rep_jp, scheduled):
    scheduled.is_online = True
    scheduled.online_link = "https://meet.example.org/tn-2026"
    scheduled.save()
    rep_jp.time_zone = "Asia/Tokyo"
    rep_jp.save()
    client.force_login(rep_jp)
    body = client.get(reverse("events:agenda_ics", args=[scheduled.pk])).content.decode()
    first = min(
        start for (start, _end) in scheduled.slot_times()
    )  # 08:30 in Vietnam is 10:30 in Tokyo
    assert "DTSTART;TZID=Asia/Tokyo:" in body
    assert first.strftime("%Y%m%d") + "T1030" in body or "T1100" in body or "T1145" in body
    assert "https://meet.example.org/tn-2026" in body
    assert body.count("BEGIN:VEVENT") == 2  # rep.japan's two meetings


def test_report_xlsx_is_a_workbook(client, staff_tn, scheduled):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(staff_tn)
    response = client.get(reverse("events:report_xlsx", args=[scheduled.pk]))
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.max_row == 1 + R.objects.filter(session=scheduled).count()
