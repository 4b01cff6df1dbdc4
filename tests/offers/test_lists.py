"""Catalog search and filters, and constant query counts on every list."""

import pytest
from django.urls import reverse

from .factories import OfferFactory

pytestmark = pytest.mark.django_db


def many_offers(rep, n):
    for i in range(n):
        OfferFactory(
            representation=rep.organization,
            created_by=rep,
            relations={"fields": ["2.03", "2.02"], "cooperation": ["license", "training"]},
            status="draft" if i % 5 == 0 else "published",
        )


def test_unaccented_vietnamese_word_finds_the_offer(client, enterprise_tn, rep_jp):
    tea = OfferFactory(
        representation=rep_jp.organization,
        title="Tea leaf colour sorter",
        title_vi="Máy tách màu chè búp tươi",
        provider_name="Chama",
    )
    other = OfferFactory(representation=rep_jp.organization, title="Mould robot")
    client.force_login(enterprise_tn)
    for query in ("che", "CHÈ bup", "tach mau", "chama"):
        body = client.get(reverse("offers:catalog"), {"q": query}).content.decode()
        assert tea.get_absolute_url() in body, query
        assert other.get_absolute_url() not in body, query


def test_catalog_filters(client, enterprise_tn, rep_jp, rep_de):
    jp = OfferFactory(
        representation=rep_jp.organization,
        trl_id=9,
        ip_status="patent_granted",
        relations={"fields": ["4.01"], "cooperation": ["training"]},
    )
    de = OfferFactory(
        representation=rep_de.organization,
        provider_country="DE",
        trl_id=5,
        relations={"fields": ["2.05"], "cooperation": ["license"]},
    )
    client.force_login(enterprise_tn)

    def found(**params):
        page = client.get(reverse("offers:catalog"), params).context["page"]
        return {o.pk for o in page}

    assert found() == {jp.pk, de.pk}
    assert found(country="DE") == {de.pk}
    assert found(trl_min=7) == {jp.pk}
    assert found(field="4.01") == {jp.pk}
    assert found(field="2") == {de.pk}  # an area: all its fields
    assert found(cooperation="license") == {de.pk}
    assert found(ip_status="patent_granted") == {jp.pk}
    assert found(language="en") == {jp.pk, de.pk}
    assert found(language="vi") == set()


def test_detail_shows_vietnamese_first_then_original(client, enterprise_tn, offer_jp):
    client.force_login(enterprise_tn)
    body = client.get(offer_jp.get_absolute_url()).content.decode()
    assert body.index(offer_jp.summary_vi) < body.index(offer_jp.summary)


@pytest.mark.parametrize("n", [2, 30])
def test_list_pages_cost_a_constant_number_of_queries(
    client, api, rep_jp, enterprise_tn, n, django_assert_max_num_queries
):
    from demands.models import Demand

    many_offers(rep_jp, n)
    for i in range(n):
        d = Demand.objects.create(
            organization=enterprise_tn.organization,
            province=enterprise_tn.organization.province,
            title=f"Need {i}",
            status="published",
            visibility="public" if i % 2 else "anonymised",
        )
        d.fields.set(["2.03"])
    client.force_login(rep_jp)
    token_client = api(rep_jp)
    pages = [
        lambda: client.get(reverse("offers:catalog")),
        lambda: client.get(reverse("offers:catalog"), {"q": "mould", "field": "2.03"}),
        lambda: client.get(reverse("offers:mine")),
        lambda: client.get(reverse("insights:dashboard_representative")),
        lambda: token_client.get("/api/offers/"),
        lambda: token_client.get("/api/demands/"),
    ]
    for page in pages:
        # 17: the representative dashboard's first visit computes its kept figures, the host
        # country's fields read first among them (insights/snapshots.py; later visits: 10),
        # and reads once which firms consented to the representation (demands/rules.py)
        with django_assert_max_num_queries(17):
            assert page().status_code == 200
