"""The similar-offer warning (offers_similar_to): pg_trgm on PostgreSQL, the same measure in
Python on SQLite (`make run`). Marked `sqlite`: `make test` runs these on both databases."""

import pytest
from django.db import connection

from offers import selectors
from offers.models import Offer

from .factories import OfferFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

PROVIDER = "Yamada Robotics"


def similar_titles(user, title, provider=PROVIDER):
    offer = OfferFactory.build(title=title, provider_name=provider)
    return [o.title for o in selectors.offers_similar_to(offer, user=user)]


def test_a_near_copy_from_the_same_provider_is_found(rep_jp, rep_de):
    mine = {"representation": rep_jp.organization, "created_by": rep_jp, "provider_name": PROVIDER}
    OfferFactory(**mine, title="Vision-guided mould polishing robot")
    OfferFactory(**mine, title="Solar tea dryer with heat pump")
    OfferFactory(**mine, title="Vision guided mould polishing robot arm", status="archived")
    OfferFactory(
        representation=rep_de.organization,
        created_by=rep_de,
        provider_name="Yamada robotics",  # the same name, in another representation's draft
        title="Vision guided mould polishing robot",
        status=Offer.Status.DRAFT,
    )

    found = similar_titles(rep_jp, "Vision guided mould polishing robots")

    assert found == ["Vision-guided mould polishing robot"]
    assert similar_titles(rep_jp, "Mould polishing with a vision-guided robot") == [
        "Vision-guided mould polishing robot"
    ]
    assert similar_titles(rep_jp, "Heat pump for drying rice") == []
    assert similar_titles(rep_jp, "Vision guided mould polishing robots", "Other K.K.") == []


def test_the_closest_titles_come_first_and_the_list_is_capped(rep_jp):
    for title in [
        "Tea dryer",
        "Tea dryer with heat pump",
        "Tea dryers with heat pumps",
        "Solar tea dryer with heat pump",
        "Tea dryer, heat pump model",
        "Tea dryer with a heat pump",
        "Tea dryer: heat pump",
    ]:
        OfferFactory(
            representation=rep_jp.organization,
            created_by=rep_jp,
            provider_name=PROVIDER,
            title=title,
        )
    found = similar_titles(rep_jp, "Tea dryer with heat pump")
    assert len(found) == 5
    assert found[0] == "Tea dryer with heat pump"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares with pg_trgm")
def test_the_sqlite_measure_is_pg_trgm_similarity():
    pairs = [
        ("Vision-guided mould polishing robot", "Vision guided mould polishing robots"),
        ("Tea dryer with heat pump", "Solar tea dryer, heat-pump model 2"),
        ("Robot", "robots"),
        ("A", "B"),
    ]
    with connection.cursor() as cursor:
        for a, b in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            (expected,) = cursor.fetchone()
            ga, gb = selectors.title_trigrams(a), selectors.title_trigrams(b)
            ours = len(ga & gb) / len(ga | gb) if ga and gb else 0.0
            assert ours == pytest.approx(expected, abs=1e-6), (a, b)
