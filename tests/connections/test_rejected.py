"""A pair staff rejected leaves the top of every list, is shown apart with its reason, and stays
rejected through re-matching and a full rebuild."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connections import selectors as connections_selectors
from connections import services as workflow
from matching import selectors, services
from matching.models import Match, MatchingRun
from offers.models import Offer

from ..conftest import CAST
from .conftest import make_offer

pytestmark = pytest.mark.django_db

NOTE = "Máy vò chè, không phải máy sấy"


@pytest.fixture
def rejected(tea_demand, offers, staff_tn):
    """The demand's best pair, rejected by the province's staff with a note."""
    services.match_demand(demand_id=tea_demand.id)
    top = Match.objects.filter(demand=tea_demand).order_by("-score", "id").first()
    workflow.match_reject(match=top, by=staff_tn, reason="other", note=NOTE)
    top.refresh_from_db()
    return top


def rebuild(coordinator, capture):
    with capture(execute=True):
        run = services.rebuild_start(by=coordinator)  # tasks run in-process in these tests
    run.refresh_from_db()
    assert run.state == MatchingRun.State.DONE
    return run


def test_a_rejected_pair_stays_rejected_and_out_of_the_list_through_a_full_rebuild(
    rejected, tea_demand, offers, staff_tn, coordinator, django_capture_on_commit_callbacks
):
    assert selectors.matches_for_demand(user=staff_tn, demand=tea_demand)[0].pk != rejected.pk
    rebuild(coordinator, django_capture_on_commit_callbacks)
    services.match_offer(offer_id=rejected.offer_id)  # the offer's side too
    services.match_demand(demand_id=tea_demand.id)
    after = Match.objects.get(pk=rejected.pk)
    assert (after.status, after.reject_reason, after.reviewer_id) == (
        Match.Status.REJECTED,
        "other",
        staff_tn.pk,
    )
    assert after.score == pytest.approx(rejected.score)  # re-scored, still the best score
    listed = selectors.matches_for_demand(user=staff_tn, demand=tea_demand)
    assert rejected.pk not in [m.pk for m in listed]
    assert len(listed) == len(offers) - 1
    apart = connections_selectors.rejected_for_demand(user=staff_tn, demand=tea_demand)
    assert [m.pk for m in apart] == [rejected.pk]
    assert NOTE in apart[0].rejection_note and apart[0].reviewer == staff_tn


def test_a_rejected_pair_that_falls_out_of_both_top_lists_is_kept(rejected, tea_demand, offers):
    Offer.objects.filter(pk=rejected.offer_id).update(status=Offer.Status.ARCHIVED)
    services.match_offer(offer_id=rejected.offer_id)
    services.match_demand(demand_id=tea_demand.id)
    kept = Match.objects.get(pk=rejected.pk)
    assert kept.status == Match.Status.REJECTED
    assert (kept.in_demand_top, kept.in_offer_top) == (False, False)
    # an untouched proposal of an archived offer goes: the pruning itself still works
    other = make_offer(rejected.offer.representation, title="Tea dryer", summary="tea drying")
    services.match_demand(demand_id=tea_demand.id)
    Offer.objects.filter(pk=other.pk).update(status=Offer.Status.ARCHIVED)
    services.match_offer(offer_id=other.pk)
    services.match_demand(demand_id=tea_demand.id)
    assert not Match.objects.filter(offer=other, status=Match.Status.PROPOSED).exists()


def test_the_demand_page_shows_rejected_pairs_apart_with_reason_and_reviewer(
    client, rejected, tea_demand, staff_tn
):
    client.force_login(staff_tn)
    html = client.get(tea_demand.get_absolute_url()).content.decode()
    listed, apart = html.split('id="rejected-matches"')
    assert f'href="{rejected.offer.get_absolute_url()}"' not in listed.split('id="matches"')[1]
    assert f'data-rejected="{rejected.pk}"' in apart
    assert NOTE in apart and staff_tn.get_full_name() in apart
    assert "(1)" in apart.split("</summary>")[0]


def test_the_review_queue_lists_rejected_pairs_apart_and_on_request(client, rejected, staff_tn):
    client.force_login(staff_tn)
    response = client.get(reverse("connections:review"))
    assert rejected.pk not in [m.pk for m in response.context["matches"]]
    assert [m.pk for m in response.context["rejected"]] == [rejected.pk]
    html = response.content.decode()
    assert f'data-rejected="{rejected.pk}"' in html and NOTE in html
    assert "status=rejected" in response.context["rejected_more_url"]
    on_request = client.get(reverse("connections:review"), {"status": "rejected"})
    assert [m.pk for m in on_request.context["matches"]] == [rejected.pk]
    assert on_request.context["rejected"] == []  # already the list itself


def test_the_review_queue_keeps_its_filters_for_the_rejected_part(client, rejected, staff_tn):
    client.force_login(staff_tn)
    country = rejected.offer.provider_country.code
    other = "DE" if country != "DE" else "JP"
    assert client.get(reverse("connections:review"), {"country": other}).context["rejected"] == []
    assert (
        len(client.get(reverse("connections:review"), {"country": country}).context["rejected"])
        == 1
    )


def test_a_shortlisted_again_pair_returns_to_the_list(client, rejected, tea_demand, staff_tn):
    workflow.match_shortlist(match=rejected, by=staff_tn, note="nhầm")
    listed = selectors.matches_for_demand(user=staff_tn, demand=tea_demand)
    assert listed[0].pk == rejected.pk
    assert connections_selectors.rejected_for_demand(user=staff_tn, demand=tea_demand) == []


def test_the_representative_never_sees_a_rejection_of_its_offer(client, rejected, rep_jp, staff_tn):
    # DESIGN: a representative sees its offers' pairs once staff shortlisted or introduced
    # them, never rejections (nor the reason, the note or who decided), on pages or by URL.
    client.force_login(rep_jp)
    html = client.get(rejected.offer.get_absolute_url()).content.decode()
    assert f'data-rejected="{rejected.pk}"' not in html
    assert NOTE not in html and staff_tn.get_full_name() not in html
    assert "Why rejected:" not in html and "Lý do loại:" not in html
    assert client.get(reverse("connections:detail", args=[rejected.pk])).status_code == 404


# Who sees the rejected part of each page: (status code, rejected pair listed, staff note shown).
DEMAND_PAGE = {
    "anonymous": (302, False, False),
    "pending_enterprise_tn": (404, False, False),
    "enterprise_tn": (200, False, False),
    "enterprise_bn": (200, False, False),
    "staff_tn": (200, True, True),
    "staff_bn": (200, False, False),
    "rep_jp": (200, False, False),
    "rep_de": (200, False, False),
    "coordinator": (200, True, True),
    "superuser": (200, True, True),
}
OFFER_PAGE = DEMAND_PAGE
REVIEW_QUEUE = dict.fromkeys(CAST, (404, False, False)) | {
    "anonymous": (302, False, False),
    "staff_tn": (200, True, True),
    "staff_bn": (200, False, False),
}


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("page", ["demand", "offer", "review"])
def test_every_role_sees_only_the_rejected_pairs_it_may_see(client, cast, rejected, who, page):
    expected = {"demand": DEMAND_PAGE, "offer": OFFER_PAGE, "review": REVIEW_QUEUE}[page][who]
    url = {
        "demand": rejected.demand.get_absolute_url(),
        "offer": rejected.offer.get_absolute_url(),
        "review": reverse("connections:review"),
    }[page]
    if who != "anonymous":
        client.force_login(cast(who))
    response = client.get(url)
    html = response.content.decode()
    assert (
        response.status_code,
        f'data-rejected="{rejected.pk}"' in html,
        NOTE in html,
    ) == expected


def test_the_demand_page_costs_the_same_queries_with_more_rejected_pairs(
    client, rejected, tea_demand, rep_jp, staff_tn, django_assert_max_num_queries
):
    client.force_login(staff_tn)
    url = tea_demand.get_absolute_url()
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(5):
        offer = make_offer(rep_jp.organization, title=f"Offer {i}", summary="x")
        match = Match.objects.create(demand=tea_demand, offer=offer, score=0.9, engine_version="t")
        workflow.match_reject(match=match, by=staff_tn, reason="duplicate")
    with django_assert_max_num_queries(len(before.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count("data-rejected=") == 6
