"""GET /api/matches/ shows a representative what its pages show it: the pairs of its offers
once staff shortlisted or introduced them (DESIGN.md), never the engine's proposals, staff
rejections or staff notes. Every other role is refused."""

import pytest
from django.urls import reverse
from django.utils import timezone

from demands.models import Demand, Visibility
from matching.models import Match

from ..conftest import CAST
from ..offers.factories import OfferFactory

pytestmark = pytest.mark.django_db

NOTE = "Ghi chú nội bộ của cán bộ Sở"
Status = Match.Status
SEEN = {
    Status.SHORTLISTED,
    Status.INTRODUCED,
    Status.CONSENTED,
    Status.MEETING,
    Status.NEGOTIATING,
    Status.AGREEMENT,
    Status.DROPPED,
}


def demand(enterprise, title: str, visibility=Visibility.PUBLIC) -> Demand:
    return Demand.objects.create(
        organization=enterprise.organization,
        province=enterprise.organization.province,
        title=title,
        status=Demand.Status.PUBLISHED,
        visibility=visibility,
        published_at=timezone.now(),
    )


def pair(demand, offer, status) -> Match:
    return Match.objects.create(
        demand=demand,
        offer=offer,
        score=0.9,  # a likely answer: only staff's decisions decide what a representative sees
        engine_version="test",
        status=status,
        notes=NOTE,
        reject_reason="other" if status == Status.REJECTED else "",
        drop_reason=NOTE if status == Status.DROPPED else "",
    )


@pytest.fixture
def pairs(rep_jp, rep_de, enterprise_tn):
    """rep_jp's offer paired in every status (public demands), with a confidential demand
    shortlisted and another introduced; rep_de's offer introduced to a public demand."""
    offer = OfferFactory(representation=rep_jp.organization, created_by=rep_jp)
    matches = {
        status: pair(demand(enterprise_tn, f"Need {status}"), offer, status) for status in Status
    }
    secret = Visibility.CONFIDENTIAL
    matches["secret shortlisted"] = pair(
        demand(enterprise_tn, "Secret shortlisted need", secret), offer, Status.SHORTLISTED
    )
    matches["secret introduced"] = pair(
        demand(enterprise_tn, "Secret introduced need", secret), offer, Status.INTRODUCED
    )
    other = OfferFactory(representation=rep_de.organization, created_by=rep_de)
    matches["rep_de"] = pair(demand(enterprise_tn, "German need"), other, Status.INTRODUCED)
    return offer, matches


def api_ids(api, user) -> set[int]:
    response = api(user).get("/api/matches/", {"page_size": 100})
    assert response.status_code == 200
    assert NOTE not in response.content.decode()  # notes and drop reasons stay staff's
    return {row["id"] for row in response.json()["results"]}


def page_ids(client, user, matches) -> set[int]:
    """The pairs whose match page opens for the user."""
    client.force_login(user)
    return {m.pk for m in matches.values() if client.get(f"/matching/{m.pk}/").status_code == 200}


@pytest.mark.parametrize("name", CAST)
def test_matches_api_answers_representatives_only(api, cast, name, pairs):
    response = api(cast(name)).get("/api/matches/")
    expected = {"anonymous": 401, "rep_jp": 200, "rep_de": 200}.get(name, 403)
    assert response.status_code == expected
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("name", ["rep_jp", "rep_de"])
def test_the_api_lists_the_pairs_the_pages_open(api, client, cast, name, pairs):
    _offer, matches = pairs
    user = cast(name)
    listed = api_ids(api, user)
    assert listed == page_ids(client, user, matches)
    if name == "rep_jp":
        seen = {key for key, m in matches.items() if m.pk in listed}
        assert seen == SEEN | {"secret introduced"}
    else:
        assert listed == {matches["rep_de"].pk}


def test_the_offer_page_shows_the_demands_the_api_lists(api, client, rep_jp, pairs):
    offer, matches = pairs
    listed = api_ids(api, rep_jp)
    client.force_login(rep_jp)
    page = client.get(reverse("offers:detail", args=[offer.pk])).content.decode()
    for key, match in matches.items():
        if match.offer_id != offer.pk or match.demand.visibility == Visibility.CONFIDENTIAL:
            continue
        assert (match.demand.title in page) == (match.pk in listed), key
    assert "Secret shortlisted need" not in page and "Secret introduced need" not in page
    assert NOTE not in page


def test_the_match_counts_on_the_pages_count_only_what_the_api_lists(api, client, rep_jp, pairs):
    """'My offers' and the offer page count the listed pairs that answer a demand (a dropped
    pair no longer does): never the engine's proposals or a confidential shortlisted pair."""
    offer, _matches = pairs
    rows = api(rep_jp).get("/api/matches/", {"page_size": 100}).json()["results"]
    answering = [row for row in rows if row["status"] != Status.DROPPED]
    client.force_login(rep_jp)
    detail = client.get(reverse("offers:detail", args=[offer.pk]))
    assert detail.context["match_count"] == len(answering) == len(SEEN - {Status.DROPPED}) + 1
    mine = client.get(reverse("offers:mine"))
    assert dict(mine.context["rows"])[offer] == len(answering)
