"""The seeded demo keeps its promise: each demand's answering offers come first on its page.

demands.demo.DEMANDS names, for each demand, the demo offers that genuinely answer it (in
English, Vietnamese and Japanese, Korean or German); the other offers of the same fields are
distractors. What a visitor sees on a matched demand's page is its matches by score.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from demands.demo import ANSWERS, DEMANDS
from demands.models import Demand
from matching.models import Match
from offers.demo import DATA
from offers.models import Offer
from offers.services import offer_detect_language

MATCHED = set(Demand.LIVE_STATUSES)


def _language(item: dict) -> str:
    offer = Offer(title=item["title"], summary=item["summary"], description=item["description"])
    return offer_detect_language(offer)


def test_each_matched_demo_demand_has_answers_in_several_languages():
    offers = {item["ref"]: item for item in json.loads(DATA.read_text(encoding="utf-8"))}
    for row in DEMANDS:
        status, title, answers = row[1], row[4], row[-1]
        assert set(answers) <= set(offers), title
        if status not in MATCHED:
            continue
        languages = {_language(offers[ref]) for ref in answers}
        assert 2 <= len(answers) <= 4, title
        assert {"vi", "en"} <= languages, (title, languages)
        for ref in answers:  # a foreign-language offer carries the representative's Vietnamese
            if _language(offers[ref]) != "vi":
                assert offers[ref]["title_vi"] and offers[ref]["summary_vi"], ref


@pytest.mark.django_db
def test_demo_demands_show_their_answering_offers_in_the_top_5():
    call_command("seed_demo", password="demo-password-2026", stdout=StringIO())
    demands = Demand.objects.filter(status__in=MATCHED, title__in=list(ANSWERS))
    assert demands.count() == 8
    misses = []
    for demand in demands.order_by("pk"):
        ranked = list(
            Match.objects.filter(demand=demand)
            .order_by("-score", "id")
            .values_list("offer__external_ref", "score")
        )
        top5 = [ref for ref, _score in ranked[:5]]
        missing = set(ANSWERS[demand.title]) - set(top5)
        if missing:
            places = {
                ref: next((i for i, (r, _s) in enumerate(ranked, 1) if r == ref), None)
                for ref in sorted(missing)
            }
            misses.append(f"{demand.title}: {places} (top 5: {ranked[:5]})")
    assert not misses, "answers outside the top 5:\n" + "\n".join(misses)
