"""Pages of the review queue, board, introductions and match detail: scope, contacts, queries."""

import pytest
from django.urls import reverse

from connections import services
from matching.engine.scoring import LIKELY_ANSWER
from matching.models import Answer, Match

from .conftest import OFFERS, make_offer
from .test_services import consent, introduce, match, parties  # noqa: F401


@pytest.fixture
def many(tea_demand, rep_jp, rep_de):
    offers = [make_offer(rep.organization, **spec) for rep in (rep_jp, rep_de) for spec in OFFERS]
    return [
        Match.objects.create(demand=tea_demand, offer=o, score=0.3 + i / 20, engine_version="t")
        for i, o in enumerate(offers)
    ]


def test_review_queue_lists_province_matches_only(client, staff_tn, staff_bn, many):
    client.force_login(staff_tn)
    response = client.get(reverse("connections:review"), {"score_min": "0"})
    assert response.status_code == 200
    assert [m.pk for m in response.context["matches"]] == [
        m.pk for m in sorted(many, key=lambda m: -m.score)
    ]
    client.force_login(staff_bn)
    assert (
        list(client.get(reverse("connections:review"), {"score_min": "0"}).context["matches"]) == []
    )


def test_review_queue_shows_likely_answers_first_and_every_pair_on_request(client, staff_tn, many):
    # Twenty proposals a demand are mostly weakly related: by default the queue holds the
    # likely answers (what the dashboard counts as awaiting review) and says how to see all.
    client.force_login(staff_tn)
    response = client.get(reverse("connections:review"))
    likely = [m.pk for m in sorted(many, key=lambda m: -m.score) if m.score >= LIKELY_ANSWER]
    assert [m.pk for m in response.context["matches"]] == likely
    assert 0 < len(likely) < len(many)
    assert b"?score_min=0" in response.content
    everything = client.get(reverse("connections:review"), {"score_min": "0"})
    assert len(everything.context["matches"]) == len(many)


@pytest.mark.parametrize("who", ["enterprise_tn", "rep_jp"])
def test_review_queue_not_for_parties(client, cast, who):
    client.force_login(cast(who))
    assert client.get(reverse("connections:review")).status_code == 404


def test_review_queue_filters(client, staff_tn, many):
    client.force_login(staff_tn)
    response = client.get(reverse("connections:review"), {"country": "DE", "score_min": "0.5"})
    assert {m.pk for m in response.context["matches"]} == {
        m.pk for m in many if m.offer.provider_country == "DE" and m.score >= 0.5
    }


def test_review_queue_constant_queries(client, staff_tn, many, django_assert_max_num_queries):
    client.force_login(staff_tn)
    with django_assert_max_num_queries(14):
        client.get(reverse("connections:review"))


def test_board_constant_queries(client, staff_tn, many, django_assert_max_num_queries):
    Match.objects.filter(pk__in=[m.pk for m in many]).update(status="meeting")
    client.force_login(staff_tn)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("connections:board"))
    assert response.status_code == 200


def test_act_htmx_returns_row_and_plain_post_redirects(client, staff_tn, match):  # noqa: F811
    client.force_login(staff_tn)
    url = reverse("connections:act", args=[match.pk, "shortlist"])
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and f'id="match-{match.pk}"' in response.content.decode()
    response = client.post(
        reverse("connections:act", args=[match.pk, "reject"]), {"reason": "duplicate"}
    )
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == "rejected" and match.reject_reason == "duplicate"


def test_act_on_other_province_is_404(client, staff_bn, match):  # noqa: F811
    client.force_login(staff_bn)
    assert client.post(reverse("connections:act", args=[match.pk, "shortlist"])).status_code == 404
    assert client.get(reverse("connections:detail", args=[match.pk])).status_code == 404


def test_bulk_introduce(client, staff_tn, many, django_capture_on_commit_callbacks):
    client.force_login(staff_tn)
    ids = [m.pk for m in many[:3]]
    response = client.post(reverse("connections:review_bulk"), {"action": "introduce", "ids": ids})
    assert response.status_code == 302
    assert set(Match.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"introduced"}


def test_enterprise_sees_only_introductions_on_own_demands(
    client,
    enterprise_tn,
    enterprise_bn,
    staff_tn,
    match,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client.force_login(enterprise_tn)
    assert client.get(reverse("connections:detail", args=[match.pk])).status_code == 404
    assert list(client.get(reverse("connections:introductions")).context["matches"]) == []
    introduce(match, staff_tn, django_capture_on_commit_callbacks)
    assert [m.pk for m in client.get(reverse("connections:introductions")).context["matches"]] == [
        match.pk
    ]
    client.force_login(enterprise_bn)
    assert client.get(reverse("connections:detail", args=[match.pk])).status_code == 404
    assert list(client.get(reverse("connections:introductions")).context["matches"]) == []


def test_contacts_hidden_until_both_consent(
    client,
    enterprise_tn,
    rep_jp,
    staff_tn,
    match,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    introduce(match, staff_tn, django_capture_on_commit_callbacks)
    url = reverse("connections:detail", args=[match.pk])
    client.force_login(rep_jp)
    page = client.get(url).content.decode()
    assert "a@chetancuong.vn" not in page and "Chè Tân Cương" not in page
    client.force_login(enterprise_tn)
    assert (
        client.post(
            reverse("connections:answer", args=[match.pk]), {"answer": "interested"}
        ).status_code
        == 302
    )
    assert "tanaka@rep-jp.example" not in client.get(url).content.decode()
    client.force_login(rep_jp)
    client.post(reverse("connections:answer", args=[match.pk]), {"answer": "interested"})
    assert "a@chetancuong.vn" in client.get(url).content.decode()
    client.force_login(enterprise_tn)
    assert "tanaka@rep-jp.example" in client.get(url).content.decode()


def test_api_contact_null_until_consent(
    client,
    enterprise_tn,
    rep_jp,
    staff_tn,
    match,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    introduce(match, staff_tn, django_capture_on_commit_callbacks)
    client.force_login(rep_jp)
    url = reverse("api-match-list")
    rows = client.get(url).json()["results"]
    assert rows[0]["contact"] is None
    services.match_answer(match=match, by=enterprise_tn, answer=Answer.INTERESTED)
    services.match_answer(match=match, by=rep_jp, answer=Answer.INTERESTED)
    rows = client.get(url).json()["results"]
    assert rows[0]["contact"]["email"] == "a@chetancuong.vn"


def test_pipeline_views_refuse_non_staff(
    client,
    enterprise_tn,
    rep_jp,
    staff_tn,
    match,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    consent(match, staff_tn, enterprise_tn, rep_jp, django_capture_on_commit_callbacks)
    client.force_login(enterprise_tn)
    response = client.post(
        reverse("connections:meeting_create", args=[match.pk]),
        {"starts_at": "2026-12-01T10:00", "timezone": "Asia/Tokyo", "mode": "online"},
    )
    assert response.status_code == 403
    client.force_login(staff_tn)
    response = client.post(
        reverse("connections:meeting_create", args=[match.pk]),
        {"starts_at": "2026-12-01T10:00", "timezone": "Asia/Tokyo", "mode": "online"},
    )
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == "meeting"
    assert match.meetings.get().starts_at.utcoffset().total_seconds() == 0  # stored in UTC
    assert match.meetings.get().starts_at.hour == 1  # 10:00 Tokyo = 01:00 UTC


def test_agreement_form_refuses_a_negative_value():
    from connections.forms import AgreementForm

    form = AgreementForm(data={"kind": "license", "value_vnd": -5, "signed_on": "2026-11-26"})
    assert not form.is_valid()
    assert "value_vnd" in form.errors


def test_meeting_time_is_shown_in_the_meetings_own_time_zone(client, staff_tn, match):  # noqa: F811
    import datetime as dt
    import zoneinfo

    from connections.models import Meeting

    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    Meeting.objects.create(
        match=match, starts_at=dt.datetime(2026, 12, 4, 10, 25, tzinfo=tokyo), timezone="Asia/Tokyo"
    )
    client.force_login(staff_tn)
    page = client.get(reverse("connections:detail", args=[match.pk])).content.decode()
    assert "10:25" in page  # not 08:25, the same moment in Hà Nội


def test_a_representation_pages_through_all_its_introductions(client, tea_demand, rep_jp):
    """Thirty a page, newest first; the older ones on the next pages, not out of reach."""
    from django.utils import timezone

    now = timezone.now()
    introduced = [
        Match.objects.create(
            demand=tea_demand,
            offer=make_offer(rep_jp.organization, title=f"Offer {i}", summary="Tea rolling"),
            score=0.5,
            engine_version="t",
            status=Match.Status.INTRODUCED,
            introduced_at=now - timezone.timedelta(hours=i),
        )
        for i in range(31)
    ]
    client.force_login(rep_jp)
    first = client.get(reverse("connections:introductions"))
    assert [m.pk for m in first.context["matches"]] == [m.pk for m in introduced[:30]]
    assert "page=2" in first.content.decode()
    second = client.get(reverse("connections:introductions"), {"page": 2})
    assert [m.pk for m in second.context["matches"]] == [introduced[30].pk]


def test_once_both_sides_said_interested_the_firm_is_named_everywhere_to_that_representation(
    client,
    staff_tn,
    enterprise_tn,
    rep_jp,
    rep_de,
    match,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """Anonymity holds until consent; after it the firm is named on the demand page and the
    dashboard too, not only on the match page. Another representation still reads it anonymised."""
    from accounts import permissions

    firm = match.demand.organization.name
    demand_url = reverse("demands:detail", args=[match.demand.pk])
    client.force_login(rep_jp)
    assert firm not in client.get(demand_url).content.decode()
    consent(match, staff_tn, enterprise_tn, rep_jp, django_capture_on_commit_callbacks)
    client.force_login(rep_jp)
    assert firm in client.get(demand_url).content.decode()
    assert firm in client.get(reverse("insights:dashboard_representative")).content.decode()
    client.force_login(rep_de)
    assert firm not in client.get(demand_url).content.decode()
    assert not permissions.can(rep_de, "demand.view_identity", match.demand)
