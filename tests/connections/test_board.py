"""The connections board: each stage shows its newest cards and its total, "show more" lists a
stage alone, a national unit filters by province; never every card of the country at once."""

import pytest
from django.urls import reverse

from connections.selectors import BOARD_COLUMN_CARDS
from matching.models import Match
from offers.models import Offer

from ..conftest import CAST
from .conftest import TEA_DEMAND, make_demand

BOARD = "connections:board"


def offers_of(rep, n) -> list[Offer]:
    return [
        Offer.objects.create(
            representation=rep.organization,
            provider_name=f"Provider {i}",
            provider_country="JP",
            title=f"Offer {i}",
            summary="Tea.",
            status=Offer.Status.PUBLISHED,
        )
        for i in range(n)
    ]


@pytest.fixture
def board(tea_demand, enterprise_bn, rep_jp):
    """More meetings in Thái Nguyên than a column shows; one agreement in Bắc Ninh."""
    offers = offers_of(rep_jp, BOARD_COLUMN_CARDS + 3)
    meetings = [
        Match.objects.create(
            demand=tea_demand, offer=offer, score=0.5, engine_version="t", status="meeting"
        )
        for offer in offers
    ]
    bn_demand = make_demand(enterprise_bn.organization, **TEA_DEMAND)
    agreement = Match.objects.create(
        demand=bn_demand, offer=offers[0], score=0.5, engine_version="t", status="agreement"
    )
    return {"meetings": meetings, "bn_agreement": agreement}


def cards(response) -> dict[str, list[int]]:
    assert response.status_code == 200
    return {column.stage: [m.pk for m in column.cards] for column in response.context["columns"]}


@pytest.mark.parametrize("who", CAST)
def test_board_per_role(client, cast, who, board):
    if who != "anonymous":
        client.force_login(cast(who))
    response = client.get(reverse(BOARD))
    if who == "anonymous":
        assert response.status_code == 302
    elif who in ("staff_tn", "staff_bn", "coordinator", "superuser"):
        shown = {pk for pks in cards(response).values() for pk in pks}
        tn = {m.pk for m in board["meetings"]}
        bn = {board["bn_agreement"].pk}
        if who == "staff_bn":
            assert shown == bn
        elif who == "staff_tn":
            assert shown <= tn and len(shown) == BOARD_COLUMN_CARDS
        else:  # every province, each column capped
            assert bn <= shown <= tn | bn and len(shown) == BOARD_COLUMN_CARDS + 1
    else:
        assert response.status_code == 404


def test_board_column_shows_its_newest_cards_total_and_a_link_to_more(
    client, in_english, staff_tn, board
):
    client.force_login(staff_tn)
    response = client.get(reverse(BOARD))
    column = next(c for c in response.context["columns"] if c.stage == "meeting")
    newest = sorted(board["meetings"], key=lambda m: (-m.updated_at.timestamp(), m.pk))
    assert [m.pk for m in column.cards] == [m.pk for m in newest[:BOARD_COLUMN_CARDS]]
    assert column.total == len(board["meetings"]) and column.more == 3
    page = response.content.decode()
    assert "?stage=meeting" in page and "Show 3 more" in page
    more = client.get(reverse(BOARD), {"stage": "meeting"})
    assert [m.pk for m in more.context["cards"]] == [m.pk for m in newest]
    assert "columns" not in more.context


def test_board_coordinator_filters_by_province_staff_cannot(
    client, coordinator, staff_tn, board, thai_nguyen, bac_ninh
):
    client.force_login(coordinator)
    page = client.get(reverse(BOARD)).content.decode()
    assert '<select name="province"' in page
    bn = cards(client.get(reverse(BOARD), {"province": bac_ninh.pk}))
    assert bn["agreement"] == [board["bn_agreement"].pk] and bn["meeting"] == []
    tn = cards(client.get(reverse(BOARD), {"province": thai_nguyen.pk}))
    assert tn["agreement"] == [] and len(tn["meeting"]) == BOARD_COLUMN_CARDS
    only_bn = client.get(reverse(BOARD), {"province": bac_ninh.pk, "stage": "meeting"})
    assert list(only_bn.context["cards"]) == []
    client.force_login(staff_tn)
    page = client.get(reverse(BOARD)).content.decode()
    assert '<select name="province"' not in page
    assert cards(client.get(reverse(BOARD), {"province": bac_ninh.pk}))["agreement"] == []


def test_board_refuses_bad_filters_with_a_message(client, coordinator, board):
    client.force_login(coordinator)
    response = client.get(reverse(BOARD), {"province": "abc", "stage": "nowhere"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"province", "stage"}
    assert sum(len(pks) for pks in cards(response).values()) == BOARD_COLUMN_CARDS + 1


def test_board_queries_do_not_grow_with_cards(
    client, coordinator, board, django_assert_max_num_queries
):
    client.force_login(coordinator)
    with django_assert_max_num_queries(10):
        client.get(reverse(BOARD))
    with django_assert_max_num_queries(11):
        client.get(reverse(BOARD), {"stage": "meeting"})
