"""Needs without answers: a demand is answered only by a likely-answer score nobody rejected,
or by a pair staff shortlisted or introduced; the empty states say which case it is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from demands.models import Demand
from insights import snapshots
from matching.engine.scoring import LIKELY_ANSWER
from matching.models import Match
from offers import selectors
from offers.models import Offer

from ..conftest import CAST
from ..matching.conftest import make_demand, make_offer

pytestmark = pytest.mark.django_db

S = Match.Status
STRONG, WEAK = min(1.0, LIKELY_ANSWER + 0.1), max(0.0, LIKELY_ANSWER - 0.1)
ALL_ANSWERED = "Every need in your fields already has a likely answer."
POST_OFFERS = "Post offers in your fields to see the provincial needs that still lack an answer."


def published(demand):
    Demand.objects.filter(pk=demand.pk).update(published_at=timezone.now())
    return demand


@pytest.fixture
def needs(enterprise_tn, rep_jp):
    """One tea offer of rep_jp, and tea demands whose only pair is as named."""
    offer = make_offer(rep_jp.organization, title="Tea dryer", summary="tea", fields=("4.01",))
    demands = {}
    for name, score, status in [
        ("weak", WEAK, S.PROPOSED),
        ("likely", STRONG, S.PROPOSED),
        ("rejected", 0.95, S.REJECTED),
        ("dropped", 0.95, S.DROPPED),
        ("shortlisted", WEAK, S.SHORTLISTED),
        ("introduced", WEAK, S.INTRODUCED),
        ("agreement", WEAK, S.AGREEMENT),
        ("none", None, None),
    ]:
        demand = published(
            make_demand(
                enterprise_tn.organization, title=f"Nhu cầu {name}", problem="chè", fields=("4.01",)
            )
        )
        if score is not None:
            Match.objects.create(
                demand=demand, offer=offer, score=score, status=status, engine_version="t"
            )
        demands[name] = demand
    return demands


def titles(user) -> set[str]:
    return {d.title.removeprefix("Nhu cầu ") for d in selectors.demands_without_answers(user)}


def test_only_a_likely_or_acted_on_pair_answers_a_need(needs, rep_jp):
    assert titles(rep_jp) == {"weak", "rejected", "dropped", "none"}


def test_a_rejected_pair_stops_answering_and_an_undo_brings_it_back(needs, rep_jp, staff_tn):
    from connections import services as workflow

    match = Match.objects.get(demand=needs["likely"])
    workflow.match_reject(match=match, by=staff_tn, reason="wrong_field")
    assert "likely" in titles(rep_jp)
    workflow.match_shortlist(match=match, by=staff_tn)
    assert "likely" not in titles(rep_jp)


def test_the_list_is_an_anti_join_not_a_not_in(needs, rep_jp):
    """NOT IN over the match table was a subplan rescanned per demand at 400k rows."""
    queryset = selectors.demands_without_answers(rep_jp)
    sql = str(queryset.query)
    assert 'NOT EXISTS(SELECT 1 AS "a" FROM "matching_match"' in sql
    assert '"demands_demand"."id" IN (SELECT' not in sql
    assert "Anti Join" in queryset.explain()


def test_the_same_rule_counts_demands_with_answers(needs):
    answered = set(selectors.demand_ids_with_matches().values_list("demand_id", flat=True))
    assert answered == {needs[n].pk for n in ("likely", "shortlisted", "introduced", "agreement")}


def test_the_dashboard_lists_the_needs_that_lack_an_answer(client, needs, rep_jp):
    client.force_login(rep_jp)
    html = client.get(reverse("insights:dashboard_representative")).content.decode()
    html = html.split("needs-without-answers")[1]
    for name in ("weak", "rejected", "none"):
        assert needs[name].get_absolute_url() in html
    for name in ("likely", "shortlisted", "introduced"):
        assert needs[name].get_absolute_url() not in html
    assert 'id="needs-all-answered"' not in html and 'id="needs-no-offers"' not in html


def test_a_representative_whose_needs_all_have_answers_is_told_so(client, needs, rep_jp):
    Demand.objects.filter(
        pk__in=[needs[n].pk for n in ("weak", "rejected", "dropped", "none")]
    ).update(status=Demand.Status.CLOSED)
    client.force_login(rep_jp)
    html = client.get(reverse("insights:dashboard_representative")).content.decode()
    assert 'id="needs-all-answered"' in html and 'id="needs-no-offers"' not in html


def test_a_representative_without_offers_is_told_to_post_some(client, needs, rep_de):
    client.force_login(rep_de)
    html = client.get(reverse("insights:dashboard_representative")).content.decode()
    assert 'id="needs-no-offers"' in html and 'id="needs-all-answered"' not in html
    Offer.objects.filter(representation=rep_de.organization).delete()
    make_offer(
        rep_de.organization,
        title="Tea roaster",
        summary="tea",
        fields=("4.01",),
        country="DE",
        status=Offer.Status.DRAFT,
    )
    # rows written here, not through offer_create (whose event forgets the kept figures)
    snapshots.forget(snapshots.scope_of(rep_de))
    html = client.get(reverse("insights:dashboard_representative")).content.decode()
    assert 'id="needs-no-offers"' not in html  # a draft in the field: the needs are listed
    assert needs["weak"].get_absolute_url() in html


def test_the_list_costs_the_same_queries_with_more_needs(needs, enterprise_tn, rep_jp):
    with CaptureQueriesContext(connection) as before:
        list(selectors.demands_without_answers(rep_jp))
    for i in range(5):
        published(
            make_demand(
                enterprise_tn.organization,
                title=f"Thêm {i}",
                problem="chè",
                fields=("4.01", "2.02"),
            )
        )
    with CaptureQueriesContext(connection) as after:
        assert len(list(selectors.demands_without_answers(rep_jp))) == 9
    assert len(after.captured_queries) == len(before.captured_queries)


@pytest.mark.parametrize("who", CAST)
def test_only_representatives_open_the_needs_list(client, cast, needs, who):
    if who != "anonymous":
        client.force_login(cast(who))
    response = client.get(reverse("insights:dashboard_representative"))
    allowed = who in ("rep_jp", "rep_de")
    assert response.status_code in ((200,) if allowed else (302, 403, 404))
    assert (needs["weak"].get_absolute_url() in response.content.decode()) == (who == "rep_jp")
