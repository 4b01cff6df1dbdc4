"""Long lists (portal/pagination.py): counted exactly up to the cap, "more than" past it, any
page fetched by its ids; the field filter lists each offer once."""

import pytest
from django.urls import reverse

from offers import selectors
from portal import pagination
from tests.demands.factories import DemandFactory
from tests.offers.factories import OfferFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(pagination, "CAP", 30)
    monkeypatch.setattr(pagination, "SEARCH_CAP", 30)
    return 30


def _offers(rep, n, **kwargs):
    return [
        OfferFactory(representation=rep.organization, created_by=rep, **kwargs) for _ in range(n)
    ]


def _reading(user, language):
    user.language = language
    user.save(update_fields=["language"])


def test_catalogue_counts_exactly_below_the_cap(client, small_cap, rep_jp, staff_tn):
    _offers(rep_jp, 3)
    _reading(staff_tn, "en")
    client.force_login(staff_tn)
    response = client.get(reverse("offers:catalog"))
    assert "3 published offers" in response.content.decode()
    assert not response.context["page"].paginator.capped


@pytest.mark.parametrize(
    ("language", "wording", "page_label"),
    [
        ("en", "More than 30 published offers", "Page 3<"),
        ("vi", "Hơn 30 công nghệ chào bán đã công bố", "Trang 3<"),
    ],
)
def test_catalogue_past_the_cap_says_more_than_and_pages_on(
    client, small_cap, rep_jp, staff_tn, language, wording, page_label
):
    _offers(rep_jp, 56)
    every = list(selectors.offer_list_catalog(staff_tn).values_list("pk", flat=True))
    _reading(staff_tn, language)
    client.force_login(staff_tn)
    url = reverse("offers:catalog")

    first = client.get(url)
    assert wording in first.content.decode()
    assert first.context["page"].has_next()

    deep = client.get(url, {"page": 3})  # past the 30 counted: found by its ids
    html = deep.content.decode()
    assert [o.pk for o in deep.context["page"]] == every[50:]
    assert page_label in html  # the number of pages is not known, so not shown
    assert "page=2" in html and "page=4" not in html  # previous, and no next at the end

    past_the_end = client.get(url, {"page": 9})
    assert [o.pk for o in past_the_end.context["page"]] == every[25:50]


def test_a_search_past_the_cap_pages_by_relevance(client, small_cap, rep_jp, staff_tn):
    _offers(rep_jp, 31, title="Máy sấy chè", summary="Sấy chè xanh.")
    bare = OfferFactory(
        representation=rep_jp.organization,
        title="May say che",
        summary="",
        title_vi="",
        summary_vi="",
        advantages="",
    )
    client.force_login(staff_tn)
    url = reverse("offers:catalog")
    second = client.get(url, {"q": "sấy chè", "page": 2})
    rows = list(second.context["page"])
    assert second.context["page"].paginator.capped
    assert rows[-1] == bare  # every exact match first, on every page
    assert all(row.search_reason for row in rows)


def test_a_search_counts_less_far_than_the_list(client, monkeypatch, rep_jp, staff_tn):
    """A search ranks every hit: "more than" comes sooner there than on the whole list."""
    monkeypatch.setattr(pagination, "SEARCH_CAP", 3)
    _offers(rep_jp, 4, title="Máy sấy chè", summary="Sấy chè xanh.")
    _reading(staff_tn, "en")
    client.force_login(staff_tn)
    url = reverse("offers:catalog")
    assert "4 published offers" in client.get(url).content.decode()
    assert "More than 3 published offers" in client.get(url, {"q": "sấy"}).content.decode()


def test_field_filter_lists_each_offer_once(client, rep_jp, staff_tn):
    two_fields = OfferFactory(
        representation=rep_jp.organization, relations={"fields": ["2.03", "2.05"]}
    )
    other_area = OfferFactory(representation=rep_jp.organization, relations={"fields": ["4.01"]})
    client.force_login(staff_tn)
    url = reverse("offers:catalog")
    in_area = client.get(url, {"field": "2"}).context["page"]
    assert list(in_area) == [two_fields]
    assert in_area.paginator.count == 1
    assert list(client.get(url, {"field": "2.05"}).context["page"]) == [two_fields]
    assert list(client.get(url, {"field": "4.01"}).context["page"]) == [other_area]


def test_demand_list_past_the_cap(client, monkeypatch, enterprise_tn, staff_tn):
    monkeypatch.setattr(pagination, "CAP", 2)
    for _ in range(3):
        DemandFactory(
            organization=enterprise_tn.organization, created_by=enterprise_tn, status="published"
        )
    _reading(staff_tn, "en")
    client.force_login(staff_tn)
    response = client.get(reverse("demands:list"), {"scope": "province"})
    assert "More than 2 demands" in response.content.decode()
    assert len(response.context["page"]) == 3  # a page still shows its 25 rows


def test_api_count_says_when_it_stops(monkeypatch, rep_jp):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    _offers(rep_jp, 3)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=rep_jp).key}")
    exact = client.get("/api/offers/").json()
    assert (exact["count"], exact["count_capped"]) == (3, False)

    monkeypatch.setattr(pagination, "CAP", 2)
    first = client.get("/api/offers/", {"page_size": 2}).json()
    assert (first["count"], first["count_capped"]) == (2, True)
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    ids = {row["id"] for row in first["results"] + second["results"]}
    assert len(ids) == 3
