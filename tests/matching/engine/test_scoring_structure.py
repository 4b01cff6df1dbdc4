"""The shortlist's structured fit, computed as arrays, equals structured_fit exactly."""

import itertools
import random
from datetime import date

import numpy as np

from matching.engine.profiles import DemandProfile, OfferProfile
from matching.engine.rank import OfferIndex
from matching.engine.scoring import DEFAULT_WEIGHTS, Weights, structured_fit

FIELDS = ["2.02", "2.05", "4.01", "4.02", "1.01", ""]
COOPERATION = ["license", "equipment_sale", "equipment_purchase", "training", "joint_venture"]


def random_offer(rng: random.Random, i: int) -> OfferProfile:
    return OfferProfile(
        id=i,
        title=f"offer {i}",
        text="tea dryer",
        fields=tuple(sorted({rng.choice(FIELDS) for _ in range(rng.randint(0, 2))} - {""})),
        cooperation=tuple(rng.sample(COOPERATION, rng.randint(0, 2))),
        trl=rng.choice([None, 3, 6, 9]),
        country=rng.choice(["", "jp", "KR", "DE"]),
        valid_until=rng.choice([None, date(2020, 1, 1), date(2099, 1, 1)]),
    )


def random_demand(rng: random.Random) -> DemandProfile:
    return DemandProfile(
        id=0,
        title="demand",
        text="tea",
        fields=tuple(
            sorted(
                {rng.choice(FIELDS) for _ in range(rng.randint(0, 2))} - {""}
                | {rng.choice(["9.99", "4.03"])}
            )
        ),
        cooperation=tuple(rng.sample(COOPERATION, rng.randint(0, 2))),
        trl_min=rng.choice([None, 4, 7]),
        preferred_countries=tuple(rng.sample(["JP", "kr", "US"], rng.randint(0, 2))),
    )


def test_array_fit_equals_structured_fit_for_every_combination():
    rng = random.Random(5)
    offers = [random_offer(rng, i) for i in range(300)]
    index = OfferIndex(offers, None)
    structure = index.structure_for_ranking
    assert structure is not None
    items = np.arange(len(offers))
    for weights, _ in itertools.product(
        [DEFAULT_WEIGHTS, Weights(field=0, country=2.5)], range(40)
    ):
        demand = random_demand(rng)
        fits = structure.fit(demand, items, weights)
        expected = [structured_fit(demand, offer, weights, explain=False)[0] for offer in offers]
        assert fits.tolist() == expected
    expired = structure.expired(items, date(2026, 1, 1))
    assert expired.tolist() == [
        o.valid_until is not None and o.valid_until < date(2026, 1, 1) for o in offers
    ]
