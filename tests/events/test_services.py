"""The session's story at the service level: proposals, answers, timetable, outcomes, report."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from connections.models import MatchEvent
from events import selectors, services
from events.models import MeetingRequest, Registration
from events.scheduling import Placement, Problem, clashes
from matching.models import Match
from notifications.models import Notification

R = MeetingRequest
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]  # also on the embedded demo's database


def test_session_slots_skip_the_break(session):
    times = [start.strftime("%H:%M") for start, _end in session.slot_times()]
    assert times == ["08:30", "09:00", "09:45", "10:15"]


def test_session_create_refused_to_staff_of_another_province(staff_bn, thai_nguyen):
    from .conftest import session_data

    with pytest.raises(PermissionDenied):
        services.session_create(
            by=staff_bn, data=session_data(thai_nguyen), representations=[], interpreters={}
        )


def test_session_create_invites_and_notifies_representations(session, rep_jp):
    invitation = Registration.objects.get(session=session, organization=rep_jp.organization)
    assert invitation.status == Registration.Status.INVITED
    assert Notification.objects.filter(user=rep_jp).exists()


def test_registration_proposes_pairs_best_first_with_reasons(registered, rep_jp, enterprise_tn):
    rows = selectors.requests_for(enterprise_tn, registered)
    assert [round(r.value, 2) for r in rows] == [0.82, 0.55, 0.31]
    assert all(r.asked_by == R.Asker.ENGINE for r in rows)
    assert rows[0].reason_texts and "4.01" in rows[0].reason_texts[0]


def test_enterprise_of_another_province_cannot_register(session, enterprise_bn):
    from demands.models import Demand

    with pytest.raises(PermissionDenied):
        services.registration_save(session=session, by=enterprise_bn, demands=[Demand()])


def test_registration_refuses_another_firms_demand(session, enterprise_tn, enterprise_bn):
    from ..matching.conftest import TEA_DEMAND, make_demand

    other = make_demand(enterprise_bn.organization, **TEA_DEMAND)
    with pytest.raises(ValidationError):
        services.registration_save(session=session, by=enterprise_tn, demands=[other])


def test_representation_never_sees_the_firm_before_accepting(registered, rep_jp, enterprise_tn):
    firm = enterprise_tn.organization.name
    before = selectors.requests_for(rep_jp, registered)
    assert before and all(firm not in r.firm_name for r in before)
    top = before[0]
    services.request_answer(request=top, by=rep_jp, yes=True)
    services.request_answer(request=top, by=enterprise_tn, yes=True)
    after = {r.pk: r for r in selectors.requests_for(rep_jp, registered)}
    assert after[top.pk].status == R.Status.ACCEPTED
    assert after[top.pk].firm_name == firm
    assert all(firm not in r.firm_name for r in after.values() if r.pk != top.pk)


def test_request_declined_by_one_side(registered, rep_de, enterprise_tn):
    request = R.objects.get(session=registered, representation__organization=rep_de.organization)
    services.request_answer(request=request, by=rep_de, yes=False)
    request.refresh_from_db()
    assert request.status == R.Status.DECLINED
    with pytest.raises(PermissionDenied):  # answered: nothing more to say
        services.request_answer(request=request, by=enterprise_tn, yes=True)


def test_free_request_asked_by_the_firm_is_answered_by_the_representation(
    registered, enterprise_tn, rep_de
):
    other = Registration.objects.get(session=registered, organization=rep_de.organization)
    request = services.request_ask(
        session=registered, by=enterprise_tn, other=other, note="Nói về robot"
    )
    assert request.enterprise_answer == R.Answer.YES and request.status == R.Status.REQUESTED
    with pytest.raises(PermissionDenied):
        services.request_answer(request=request, by=enterprise_tn, yes=True)
    services.request_answer(request=request, by=rep_de, yes=True)
    request.refresh_from_db()
    assert request.status == R.Status.ACCEPTED


def _accept_all(session, enterprise_tn, rep_jp, rep_de):
    for request in R.objects.filter(session=session):
        rep = rep_jp if request.representation.organization_id == rep_jp.organization_id else rep_de
        services.request_answer(request=request, by=rep, yes=True)
        services.request_answer(request=request, by=enterprise_tn, yes=True)


def _timetable(session):
    meetings = services.accepted_meetings(session)
    problem = services._problem(session, meetings)
    placed = {m.pk: Placement(m.slot, m.table) for m in meetings if m.slot is not None}
    return problem, placed


def test_built_timetable_has_no_clash_and_keeps_pinned(
    registered, coordinator, enterprise_tn, rep_jp, rep_de
):
    _accept_all(registered, enterprise_tn, rep_jp, rep_de)
    services.schedule_build(session=registered, by=coordinator, seconds=2)
    problem, placed = _timetable(registered)
    assert len(placed) == 3  # the firm meets three times in four slots
    assert clashes(problem, placed) == []
    # Staff pin the PCB meeting to the firm's free slot; the firm then cannot attend another.
    pcb = R.objects.get(session=registered, representation__organization=rep_de.organization)
    free = ({0, 1, 2, 3} - {where.slot for where in placed.values()}).pop()
    services.meeting_move(request=pcb, by=coordinator, slot=free, table=1)
    away = next(s for s in range(4) if s != free)
    firm = Registration.objects.get(session=registered, organization=enterprise_tn.organization)
    firm.unavailable_slots = [away]
    firm.save()
    services.schedule_build(session=registered, by=coordinator, seconds=2)
    problem, placed = _timetable(registered)
    assert clashes(problem, placed) == []
    assert placed[pcb.pk] == Placement(free, 1)
    assert all(where.slot != away for where in placed.values())


def test_interpreter_limit_keeps_japanese_meetings_apart(
    registered, coordinator, enterprise_tn, rep_jp, rep_de
):
    _accept_all(registered, enterprise_tn, rep_jp, rep_de)
    services.schedule_build(session=registered, by=coordinator, seconds=2)
    problem, placed = _timetable(registered)
    assert isinstance(problem, Problem) and problem.interpreters == {"ja": 1}
    japanese = [m.id for m in problem.meetings if m.language == "ja"]
    assert len({placed[m].slot for m in japanese}) == len(japanese)


def test_move_into_a_busy_slot_is_refused_with_the_reason(
    registered, coordinator, enterprise_tn, rep_jp, rep_de
):
    _accept_all(registered, enterprise_tn, rep_jp, rep_de)
    services.schedule_build(session=registered, by=coordinator, seconds=2)
    meetings = R.objects.filter(session=registered).order_by("slot")
    first, second = meetings[0], meetings[1]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.meeting_move(request=second, by=coordinator, slot=first.slot, table=1)
    assert "someone is already in another meeting" in str(refused.value)


def test_follow_up_introduces_the_pair_with_the_meeting_in_its_history(
    registered, coordinator, enterprise_tn, rep_jp, rep_de, pairs
):
    _accept_all(registered, enterprise_tn, rep_jp, rep_de)
    services.schedule_build(session=registered, by=coordinator, seconds=2)
    meeting = R.objects.get(match=pairs[0])
    services.meeting_check_in(request=meeting, by=coordinator)
    services.meeting_record_outcome(
        request=meeting, by=enterprise_tn, outcome="follow_up", note="Gửi báo giá"
    )
    match = Match.objects.get(pk=pairs[0].pk)
    assert match.status == Match.Status.INTRODUCED
    assert MatchEvent.objects.filter(match=match, note__contains=registered.title).exists()
    services.meeting_record_outcome(request=meeting, by=rep_jp, outcome="follow_up")
    match.refresh_from_db()
    assert match.status == Match.Status.CONSENTED
    figures = selectors.report(registered)
    assert figures["held"] == 1 and figures["follow_ups"] == 1 and figures["firms"] == 1


def test_follow_up_on_a_free_meeting_creates_the_match(
    registered, coordinator, enterprise_tn, rep_de, tea, de_offer
):
    Match.objects.filter(demand=tea, offer=de_offer).delete()
    firm = Registration.objects.get(session=registered, organization=enterprise_tn.organization)
    rep = Registration.objects.get(session=registered, organization=rep_de.organization)
    meeting = services.request_add(
        session=registered,
        by=coordinator,
        firm=firm,
        representation=rep,
        demand=tea,
        offer=de_offer,
    )
    services.schedule_build(session=registered, by=coordinator, seconds=2)
    services.meeting_record_outcome(request=meeting, by=rep_de, outcome="follow_up")
    match = Match.objects.get(demand=tea, offer=de_offer)
    assert match.status == Match.Status.INTRODUCED


def test_reminders_sent_once_the_day_before(registered, coordinator, enterprise_tn, rep_jp, rep_de):
    _accept_all(registered, enterprise_tn, rep_jp, rep_de)
    services.schedule_build(session=registered, by=coordinator, seconds=2)
    day_before = registered.first_day - dt.timedelta(days=1)
    rep_jp.language = "en"
    rep_jp.save()
    sent = services.sessions_remind_tomorrow(today=day_before)
    assert sent >= 3
    assert services.sessions_remind_tomorrow(today=day_before) == 0
    assert Notification.objects.filter(user=rep_jp, title__startswith="Tomorrow").exists()
    with translation.override("vi"):  # the firm reads it in Vietnamese
        in_vietnamese = _("Tomorrow: %s") % registered.title
    assert Notification.objects.filter(user=enterprise_tn, title=in_vietnamese).exists()


def test_asking_for_a_proposed_meeting_is_saying_yes_to_it(registered, rep_jp, enterprise_tn, tea):
    firm = Registration.objects.get(session=registered, organization=enterprise_tn.organization)
    before = R.objects.count()
    request = services.request_ask(session=registered, by=rep_jp, other=firm, demand=tea)
    assert R.objects.count() == before
    assert request.asked_by == R.Asker.ENGINE and request.representation_answer == R.Answer.YES


def test_a_session_reads_in_its_readers_language(client, session, rep_jp, settings):
    """Pages, tab titles and notifications name the session by its English title for
    English readers (when the organisers gave one), else by its Vietnamese one."""
    from django.urls import reverse

    client.force_login(rep_jp)
    url = reverse("events:detail", args=[session.pk])
    assert "Phiên làm việc kết nối công nghệ nước ngoài" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "<title>Foreign technology connection session" in english
    assert "Phiên làm việc" not in english
