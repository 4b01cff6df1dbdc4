"""Issue 16's story in a browser: the coordinator plans a connection session in Thái Nguyên
with rep.japan and rep.germany, two firms register, the portal proposes meetings with
reasons, both sides accept, the timetable is built without a clash, everyone downloads an
agenda and an .ics, and a "follow up" reaches the pipeline board and the session report."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Organization, User
from events import services
from events.models import MeetingRequest, Session
from events.scheduling import Placement, clashes
from matching.models import Match

from .conftest import switch_user

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Phiên làm việc kết nối công nghệ nước ngoài – Thái Nguyên"
FIRMS = ["enterprise.tea@demo.local", "enterprise.electronics@demo.local"]
REPS = ["rep.japan@demo.local", "rep.germany@demo.local"]


def _org(email):
    return User.objects.get(email=email).organization


def test_connection_session_from_planning_to_follow_up(demo, page, sign_in, live_server):
    today = timezone.localdate()
    page = sign_in("coordinator@demo.local")
    page.goto(f"{live_server.url}/sessions/new/")
    page.fill("#id_title", TITLE)
    page.select_option("#id_province", label="Thái Nguyên")
    page.fill("#id_venue", "Trung tâm Hội nghị tỉnh Thái Nguyên")
    page.fill("#id_first_day", (today + dt.timedelta(days=7)).isoformat())
    page.fill("#id_slots_per_day", "6")
    page.fill("#id_tables", "4")
    page.fill("#id_breaks_text", "10:00-10:15")
    page.fill("#id_registration_opens_on", today.isoformat())
    page.fill("#id_registration_closes_on", (today + dt.timedelta(days=5)).isoformat())
    page.select_option("#id_status", "open")
    for email in REPS:
        page.check(f"input[name=representations][value='{_org(email).pk}']")
    page.click("form button[type=submit] >> nth=-1")
    page.wait_for_load_state()
    session = Session.objects.get(title=TITLE)
    assert page.url.endswith(f"/sessions/{session.pk}/")

    for email in REPS + FIRMS:  # representatives accept, firms register with all they bring
        page = switch_user(page, sign_in, email)
        page.goto(f"{live_server.url}/sessions/{session.pk}/register/")
        name = "offers" if email in REPS else "demands"
        boxes = page.locator(f"input[name={name}]")
        assert boxes.count() > 0, email
        for i in range(boxes.count()):
            boxes.nth(i).check()
        page.click("form button[type=submit] >> nth=-1")
        page.wait_for_load_state()
        assert f"/sessions/{session.pk}/meetings/" in page.url

    proposed = MeetingRequest.objects.filter(session=session, asked_by="engine")
    if not proposed.exists():  # the demo's engine kept no pair: a firm asks a representation
        tea = _org(FIRMS[0])
        page = switch_user(page, sign_in, FIRMS[0])
        page.goto(f"{live_server.url}/sessions/{session.pk}/meetings/")
        page.select_option("#id_other", label=_org(REPS[0]).name)
        page.click(f"form[action='/sessions/{session.pk}/meetings/ask/'] button")
        page.wait_for_load_state()
        assert MeetingRequest.objects.filter(session=session, firm__organization=tea).exists()
    else:
        page = switch_user(page, sign_in, FIRMS[0])
        page.goto(f"{live_server.url}/sessions/{session.pk}/meetings/")
        assert page.locator("ul.reasons li").count() > 0  # proposals come with their reasons

    for email in FIRMS + REPS:  # each says yes to every meeting waiting for its answer
        page = switch_user(page, sign_in, email)
        for _round in range(30):
            page.goto(f"{live_server.url}/sessions/{session.pk}/meetings/")
            button = page.locator("button[name=answer][value=yes]")
            if button.count() == 0:
                break
            button.first.click()
            page.wait_for_load_state()
    accepted = MeetingRequest.objects.filter(session=session, status="accepted")
    assert accepted.exists()

    page = switch_user(page, sign_in, "coordinator@demo.local")
    page.goto(f"{live_server.url}/sessions/{session.pk}/schedule/")
    page.click("form.inline-form button >> text=/Lập lịch gặp|Build the timetable/")
    page.wait_for_load_state()
    meetings = services.accepted_meetings(session)
    placed = {m.pk: Placement(m.slot, m.table) for m in meetings if m.slot is not None}
    assert placed and clashes(services._problem(session, meetings), placed) == []

    participants = {m.firm.organization_id for m in meetings if m.slot is not None} | {
        m.representation.organization_id for m in meetings if m.slot is not None
    }
    for email in FIRMS + REPS:
        if _org(email).pk not in participants:
            continue
        page = switch_user(page, sign_in, email)
        page.goto(f"{live_server.url}/sessions/{session.pk}/agenda/")
        assert page.locator("section.agenda tbody tr").count() >= 1
        ics = page.request.get(f"{live_server.url}/sessions/{session.pk}/agenda.ics")
        assert ics.ok and "BEGIN:VEVENT" in ics.text()

    # After the day: the firm of the first placed meeting with a demand says "follow up".
    meeting = next(m for m in meetings if m.slot is not None and m.demand_id)
    firm_user = User.objects.filter(organization_id=meeting.firm.organization_id).first()
    page = switch_user(page, sign_in, firm_user.email)
    page.goto(f"{live_server.url}/sessions/{session.pk}/agenda/")
    page.fill(f"#note-{meeting.pk}", "Gửi báo giá trong tuần")
    page.click(f"form[action='/sessions/meeting/{meeting.pk}/outcome/'] button[value=follow_up]")
    page.wait_for_load_state()
    match = Match.objects.get(demand_id=meeting.demand_id, offer_id=meeting.offer_id)
    assert match.status == Match.Status.INTRODUCED

    page = switch_user(page, sign_in, "staff.thainguyen@demo.local")
    page.goto(f"{live_server.url}/matching/board/")
    assert match.demand.title[:30] in page.content()
    page.goto(f"{live_server.url}/sessions/{session.pk}/report/")
    follow_ups = page.locator(
        "dt:has-text('Tiếp tục kết nối') + dd, dt:has-text('Follow-ups') + dd"
    )
    assert follow_ups.first.inner_text().strip() == "1"
    assert Organization.objects.filter(pk=meeting.firm.organization_id).exists()
