"""The review queue's actions: the preselected reject reason, the introduction's covering note
in both mails, and the minute during which a shortlist or a rejection can be undone."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from connections import services
from connections.forms import BulkForm, RejectForm
from connections.models import MatchEvent
from matching.models import Match, RejectReason

from .test_services import match, parties  # noqa: F401
from .test_views import many  # noqa: F401

S = Match.Status


def test_reject_reason_preselected_and_changeable(client, staff_tn, match):  # noqa: F811
    assert RejectForm()["reason"].value() == RejectReason.WRONG_FIELD
    assert BulkForm()["reason"].value() == RejectReason.WRONG_FIELD
    client.force_login(staff_tn)
    page = client.get(reverse("connections:review"), {"score_min": "0"}).content.decode()
    assert page.count('<option value="wrong_field" selected>') == 2  # the row and the bulk form
    client.post(reverse("connections:act", args=[match.pk, "reject"]), {"reason": "duplicate"})
    match.refresh_from_db()
    assert match.reject_reason == "duplicate"


def test_covering_note_in_both_mails_each_in_its_language(
    client,
    staff_tn,
    enterprise_tn,
    rep_jp,
    match,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    enterprise_tn.language, rep_jp.language = "vi", "en"
    enterprise_tn.save(update_fields=["language"])
    rep_jp.save(update_fields=["language"])
    note = "Please meet <them> on Monday & bring samples"
    client.force_login(staff_tn)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("connections:act", args=[match.pk, "introduce"]), {"covering_note": note}
        )
    assert response.status_code == 302
    to_firm = next(m for m in mail.outbox if m.to == [enterprise_tn.email])
    to_rep = next(m for m in mail.outbox if m.to == [rep_jp.email])
    assert note in to_firm.body and note in to_rep.body  # as written, not HTML-escaped
    assert "Lời nhắn của cán bộ:" in to_firm.body
    assert "A note from the staff:" in to_rep.body
    # The introduction was emailed: the message says it cannot be undone and offers no Undo.
    shown = client.get(reverse("connections:review")).content.decode()
    assert reverse("connections:undo") not in shown


def test_bulk_introduce_carries_the_covering_note(
    client,
    staff_tn,
    many,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client.force_login(staff_tn)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("connections:review_bulk"),
            {"action": "introduce", "ids": [many[0].pk], "covering_note": "Xin chào"},
        )
    assert mail.outbox and all("Xin chào" in m.body for m in mail.outbox)


def test_covering_note_too_long_refused(client, staff_tn, match):  # noqa: F811
    client.force_login(staff_tn)
    client.post(
        reverse("connections:act", args=[match.pk, "introduce"]), {"covering_note": "x" * 2001}
    )
    match.refresh_from_db()
    assert match.status == S.PROPOSED


@pytest.mark.parametrize("action", ["shortlist", "reject"])
def test_undo_within_a_minute_restores_and_records(client, staff_tn, match, action):  # noqa: F811
    client.force_login(staff_tn)
    response = client.post(
        reverse("connections:act", args=[match.pk, action]), {"reason": "duplicate"}, follow=True
    )
    shown = response.content.decode()
    assert f'<form method="post" action="{reverse("connections:undo")}"' in shown
    assert match.demand.title in shown
    response = client.post(reverse("connections:undo"), {"ids": [match.pk]})
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == S.PROPOSED and match.reject_reason == "" and match.reviewer is None
    last = match.events.order_by("-id").first()
    done = {"shortlist": S.SHORTLISTED, "reject": S.REJECTED}[action]
    assert (last.from_status, last.to_status, last.actor) == (done, S.PROPOSED, staff_tn)


def test_htmx_row_offers_the_undo(client, staff_tn, match):  # noqa: F811
    client.force_login(staff_tn)
    response = client.post(
        reverse("connections:act", args=[match.pk, "shortlist"]), headers={"HX-Request": "true"}
    )
    row = response.content.decode()
    assert f'id="match-{match.pk}"' in row
    assert f'<form method="post" action="{reverse("connections:undo")}"' in row


def test_undo_reject_of_a_shortlisted_pair_goes_back_to_shortlisted(client, staff_tn, match):  # noqa: F811
    services.match_shortlist(match=match, by=staff_tn)
    client.force_login(staff_tn)
    client.post(reverse("connections:act", args=[match.pk, "reject"]), {"reason": "duplicate"})
    client.post(reverse("connections:undo"), {"ids": [match.pk]})
    match.refresh_from_db()
    assert match.status == S.SHORTLISTED and match.reject_reason == ""


def test_bulk_undo(client, staff_tn, many):  # noqa: F811
    ids = [m.pk for m in many[:3]]
    client.force_login(staff_tn)
    response = client.post(
        reverse("connections:review_bulk"),
        {"action": "reject", "ids": ids, "reason": "wrong_field"},
        follow=True,
    )
    assert reverse("connections:undo") in response.content.decode()
    client.post(reverse("connections:undo"), {"ids": ids})
    assert set(Match.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"proposed"}


def test_undo_after_61_seconds_refused(client, staff_tn, match):  # noqa: F811
    services.match_reject(match=match, by=staff_tn, reason="duplicate")
    MatchEvent.objects.filter(match=match).update(
        created_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    client.force_login(staff_tn)
    response = client.post(reverse("connections:undo"), {"ids": [match.pk]}, follow=True)
    match.refresh_from_db()
    assert match.status == S.REJECTED
    assert [str(m) for m in response.context["messages"]] == [
        f"Không thể hoàn tác cặp kết nối #{match.pk} nữa: đã quá một phút."
    ]
    assert match.events.count() == 1


def test_undo_refused_once_the_match_moved_on(client, staff_tn, match):  # noqa: F811
    services.match_reject(match=match, by=staff_tn, reason="duplicate")
    MatchEvent.objects.create(match=match, actor=None, from_status="rejected", to_status="rejected")
    Match.objects.filter(pk=match.pk).update(status=S.SHORTLISTED)
    client.force_login(staff_tn)
    response = client.post(reverse("connections:undo"), {"ids": [match.pk]}, follow=True)
    match.refresh_from_db()
    assert match.status == S.SHORTLISTED
    assert [str(m) for m in response.context["messages"]] == [
        f"Không thể hoàn tác cặp kết nối #{match.pk} nữa: hiện nó đang ở trạng thái đã đưa vào danh sách chọn."
    ]


def test_undo_of_an_introduction_refused(staff_tn, match, django_capture_on_commit_callbacks):  # noqa: F811
    from django.core.exceptions import ValidationError

    with django_capture_on_commit_callbacks(execute=True):
        services.match_introduce(match=match, by=staff_tn)
    with pytest.raises(ValidationError):
        services.match_undo(match=match, by=staff_tn)
    match.refresh_from_db()
    assert match.status == S.INTRODUCED


def test_undo_by_another_staff_of_the_province_is_403(client, staff_tn, match):  # noqa: F811
    from tests.factories import UserFactory

    colleague = UserFactory(organization=staff_tn.organization)
    services.match_reject(match=match, by=staff_tn, reason="duplicate")
    client.force_login(colleague)
    assert client.post(reverse("connections:undo"), {"ids": [match.pk]}).status_code == 403
    match.refresh_from_db()
    assert match.status == S.REJECTED


@pytest.mark.parametrize("who", ["staff_bn", "enterprise_tn", "rep_jp", "coordinator"])
def test_undo_refused_to_other_roles(client, cast, staff_tn, match, who):  # noqa: F811
    services.match_reject(match=match, by=staff_tn, reason="duplicate")
    client.force_login(cast(who))
    assert client.post(reverse("connections:undo"), {"ids": [match.pk]}).status_code in (403, 404)
    match.refresh_from_db()
    assert match.status == S.REJECTED


def test_undo_anonymous_redirected_to_sign_in(client, staff_tn, match):  # noqa: F811
    services.match_reject(match=match, by=staff_tn, reason="duplicate")
    response = client.post(reverse("connections:undo"), {"ids": [match.pk]})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    match.refresh_from_db()
    assert match.status == S.REJECTED
