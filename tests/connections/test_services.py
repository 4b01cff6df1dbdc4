"""The review queue, introductions with consent and the pipeline, at service and view level."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from connections import services
from connections.models import Agreement, MatchEvent
from demands.models import Demand
from matching.models import Answer, Match

from .conftest import OFFERS, make_offer

S = Match.Status


@pytest.fixture
def parties(enterprise_tn, rep_jp):
    org = enterprise_tn.organization
    org.contact_name, org.contact_email, org.contact_phone = (
        "Nguyễn Văn A",
        "a@chetancuong.vn",
        "0912",
    )
    org.save()
    rep = rep_jp.organization
    rep.contact_name, rep.contact_email = "Tanaka", "tanaka@rep-jp.example"
    rep.save()


@pytest.fixture
def match(tea_demand, rep_jp, parties):
    offer = make_offer(rep_jp.organization, **OFFERS[0])
    return Match.objects.create(demand=tea_demand, offer=offer, score=0.8, engine_version="t")


def introduce(match, staff, capture):
    with capture(execute=True):
        services.match_introduce(match=match, by=staff)
    match.refresh_from_db()
    return match


def consent(match, staff, enterprise, rep, capture):
    introduce(match, staff, capture)
    with capture(execute=True):
        services.match_answer(match=match, by=enterprise, answer=Answer.INTERESTED)
        services.match_answer(match=match, by=rep, answer=Answer.INTERESTED)
    match.refresh_from_db()
    return match


# --- services ---------------------------------------------------------------------------------


def test_match_shortlist_reject_undo_record_events(match, staff_tn):
    services.match_shortlist(match=match, by=staff_tn)
    services.match_reject(match=match, by=staff_tn, reason="over_budget")
    services.match_shortlist(match=match, by=staff_tn, note="undo")
    match.refresh_from_db()
    assert match.status == S.SHORTLISTED and match.reject_reason == ""
    events = list(match.events.values_list("from_status", "to_status", "actor"))
    assert events == [
        ("proposed", "shortlisted", staff_tn.pk),
        ("shortlisted", "rejected", staff_tn.pk),
        ("rejected", "shortlisted", staff_tn.pk),
    ]


def test_match_reject_other_needs_text(match, staff_tn):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.match_reject(match=match, by=staff_tn, reason="other")
    with pytest.raises(ValidationError):
        services.match_reject(match=match, by=staff_tn, reason="nonsense")


@pytest.mark.parametrize("who", ["staff_bn", "enterprise_tn", "rep_jp", "coordinator"])
def test_match_review_refused_outside_province_staff(match, cast, who):
    for service in (services.match_shortlist, services.match_introduce):
        with pytest.raises(PermissionDenied):
            service(match=match, by=cast(who))
    assert not MatchEvent.objects.exists()


def test_match_introduce_marks_demand_and_emails_both_sides(
    match, staff_tn, enterprise_tn, rep_jp, django_capture_on_commit_callbacks
):
    introduce(match, staff_tn, django_capture_on_commit_callbacks)
    assert match.status == S.INTRODUCED and match.introduced_at
    assert Demand.objects.get(pk=match.demand_id).status == "in_connection"
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([enterprise_tn.email, rep_jp.email])
    to_rep = next(m for m in mail.outbox if m.to == [rep_jp.email])
    # anonymised demand: the firm's name and contact never reach the representative
    assert "Chè Tân Cương" not in to_rep.subject + to_rep.body
    assert "a@chetancuong.vn" not in to_rep.body
    assert match.demand.title in to_rep.body
    assert enterprise_tn.notifications.filter(kind="introduction").exists()


def test_confidential_demand_title_not_emailed_to_representative(
    match, staff_tn, rep_jp, django_capture_on_commit_callbacks
):
    Demand.objects.filter(pk=match.demand_id).update(visibility="confidential")
    introduce(match, staff_tn, django_capture_on_commit_callbacks)
    to_rep = next(m for m in mail.outbox if m.to == [rep_jp.email])
    assert match.demand.title not in to_rep.body
    assert "Chè Tân Cương" not in to_rep.body


def test_public_demand_names_firm_to_representative(
    match, staff_tn, rep_jp, django_capture_on_commit_callbacks
):
    Demand.objects.filter(pk=match.demand_id).update(visibility="public")
    introduce(match, staff_tn, django_capture_on_commit_callbacks)
    to_rep = next(m for m in mail.outbox if m.to == [rep_jp.email])
    assert "Chè Tân Cương" in to_rep.body


def test_match_answer_both_interested_consents(
    match, staff_tn, enterprise_tn, rep_jp, django_capture_on_commit_callbacks
):
    match = consent(match, staff_tn, enterprise_tn, rep_jp, django_capture_on_commit_callbacks)
    assert match.status == S.CONSENTED and match.both_consented
    # contacts never travel by email
    assert all(
        "a@chetancuong.vn" not in m.body and "tanaka@rep-jp" not in m.body for m in mail.outbox
    )


def test_match_answer_not_interested_drops(
    match, staff_tn, enterprise_tn, rep_jp, django_capture_on_commit_callbacks
):
    introduce(match, staff_tn, django_capture_on_commit_callbacks)
    services.match_answer(match=match, by=rep_jp, answer=Answer.NOT_INTERESTED, message="no")
    match.refresh_from_db()
    assert match.status == S.DROPPED and match.drop_reason


def test_match_answer_refused_twice_and_to_outsiders(
    match, staff_tn, enterprise_tn, enterprise_bn, rep_de, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):  # not introduced yet
        services.match_answer(match=match, by=enterprise_tn, answer=Answer.INTERESTED)
    introduce(match, staff_tn, django_capture_on_commit_callbacks)
    for outsider in (enterprise_bn, rep_de, staff_tn):
        with pytest.raises(PermissionDenied):
            services.match_answer(match=match, by=outsider, answer=Answer.INTERESTED)
    services.match_answer(match=match, by=enterprise_tn, answer=Answer.INTERESTED)
    with pytest.raises(PermissionDenied):
        services.match_answer(match=match, by=enterprise_tn, answer=Answer.NOT_INTERESTED)


def test_pipeline_to_agreement(
    match, staff_tn, enterprise_tn, rep_jp, django_capture_on_commit_callbacks
):
    consent(match, staff_tn, enterprise_tn, rep_jp, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    starts = timezone.now() + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.match_schedule_meeting(
            match=match,
            by=staff_tn,
            data={
                "starts_at": starts,
                "timezone": "Asia/Tokyo",
                "mode": "online",
                "interpreter_needed": True,
                "interpreter_language": "Japanese",
            },
        )
    assert {m.to[0] for m in mail.outbox} == {enterprise_tn.email, rep_jp.email}
    services.match_schedule_meeting(match=match, by=staff_tn, data={"starts_at": starts})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.match_update_meeting(
            meeting=meeting, by=staff_tn, data={"starts_at": starts + datetime.timedelta(hours=1)}
        )
    assert len(mail.outbox) == 2
    with pytest.raises(services.TransitionError):  # not negotiating yet
        services.match_record_agreement(
            match=match, by=staff_tn, kind="license", signed_on=datetime.date(2026, 1, 5)
        )
    services.match_start_negotiation(match=match, by=staff_tn)
    with pytest.raises(PermissionDenied):
        services.match_record_agreement(
            match=match, by=enterprise_tn, kind="license", signed_on=datetime.date(2026, 1, 5)
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.match_record_agreement(
            match=match,
            by=staff_tn,
            kind="license",
            value_vnd=5_000_000,
            signed_on=datetime.date(2026, 1, 5),
            registration_required=True,
        )
    match.refresh_from_db()
    assert match.status == S.AGREEMENT and Agreement.objects.get(match=match).value_vnd == 5_000_000
    assert {enterprise_tn.email, rep_jp.email, staff_tn.email} <= {m.to[0] for m in mail.outbox}
    steps = list(
        match.events.exclude(from_status="introduced", to_status="introduced").values_list(
            "to_status", flat=True
        )
    )
    assert steps == [
        "introduced",
        "consented",
        "meeting",
        "meeting",
        "meeting",
        "negotiating",
        "agreement",
    ]


@pytest.mark.parametrize(
    "status", ["proposed", "shortlisted", "introduced", "agreement", "dropped"]
)
def test_match_drop_refused_outside_the_pipeline(match, staff_tn, status):
    Match.objects.filter(pk=match.pk).update(status=status)
    with pytest.raises(services.TransitionError):
        services.match_drop(match=match, by=staff_tn, reason="x")


@pytest.mark.parametrize("status", ["consented", "meeting", "negotiating"])
def test_match_drop_from_pipeline(match, staff_tn, status):
    Match.objects.filter(pk=match.pk).update(status=status)
    services.match_drop(match=match, by=staff_tn, reason="budget cut")
    match.refresh_from_db()
    assert match.status == S.DROPPED and match.drop_reason == "budget cut"


@pytest.mark.parametrize(
    ("start", "service"),
    [
        ("rejected", "match_introduce"),
        ("introduced", "match_shortlist"),
        ("consented", "match_start_negotiation"),
        ("agreement", "match_shortlist"),
    ],
)
def test_illegal_transitions_refused(match, staff_tn, start, service):
    Match.objects.filter(pk=match.pk).update(status=start)
    with pytest.raises(services.TransitionError):
        getattr(services, service)(match=match, by=staff_tn)


def test_remind_overdue_once(
    match, staff_tn, enterprise_tn, rep_jp, django_capture_on_commit_callbacks
):
    introduce(match, staff_tn, django_capture_on_commit_callbacks)
    services.match_answer(match=match, by=enterprise_tn, answer=Answer.INTERESTED)
    Match.objects.filter(pk=match.pk).update(
        introduced_at=timezone.now() - datetime.timedelta(days=15)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.matches_remind_overdue() == 1
        assert services.matches_remind_overdue() == 0
    assert [m.to for m in mail.outbox] == [[rep_jp.email]]


def test_weekly_digest_to_staff_of_the_province(
    match, staff_tn, staff_bn, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.staff_weekly_digest() == 1
    assert [m.to for m in mail.outbox] == [[staff_tn.email]]
