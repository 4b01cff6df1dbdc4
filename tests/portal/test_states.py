"""One state machine per model: a demand, an offer or a match moves only as its model declares."""

import pytest
from django.utils import translation

from demands.models import Demand
from demands.services import demand_transition
from matching.models import Match
from offers.models import Offer
from offers.services import offer_transition
from portal.states import TransitionError
from tests.demands.factories import DemandFactory
from tests.offers.factories import OfferFactory


@pytest.mark.parametrize("model", [Demand, Offer, Match])
def test_every_status_is_reached_or_left_by_a_declared_move(model):
    # A status added to the enum without a move would strand every row that reaches it.
    moves = model.WORKFLOW.moves
    named = set(moves) | {end for ends in moves.values() for end in ends}
    assert named == set(model.Status.values)


def test_an_offer_is_not_moved_back_to_draft(rep_jp):
    offer = OfferFactory(representation=rep_jp.organization)
    with translation.override("en"), pytest.raises(TransitionError) as refused:
        offer_transition(offer, Offer.Status.DRAFT, by=rep_jp)
    assert refused.value.messages == ["An offer that is published cannot move to draft."]
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PUBLISHED
    assert not offer.events.exists()


def test_a_closed_demand_is_not_reopened(enterprise_tn, staff_tn):
    demand = DemandFactory(
        organization=enterprise_tn.organization, created_by=enterprise_tn, status="closed"
    )
    with translation.override("en"), pytest.raises(TransitionError) as refused:
        demand_transition(demand, Demand.Status.PUBLISHED, by=staff_tn)
    assert refused.value.messages == ["A demand that is closed cannot move to published."]
    demand.refresh_from_db()
    assert demand.status == Demand.Status.CLOSED
    assert not demand.events.exists()
