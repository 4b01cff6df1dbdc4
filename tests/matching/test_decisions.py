"""Staff decisions as labels: the command, the fit on the weights page, applying it."""

import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from matching import decisions
from matching.models import EngineSettings, Match, WeightsProposal
from offers.models import Offer
from tests.conftest import CAST

from .conftest import TEA_DEMAND, make_demand, make_offer

pytestmark = pytest.mark.django_db

Status = Match.Status


def _decide(demand, offer, status):
    return Match.objects.create(
        demand=demand, offer=offer, score=0.5, engine_version="t", status=status
    )


def _evaluate() -> dict:
    from io import StringIO

    out = StringIO()
    call_command("evaluate_matching", "--from-decisions", stdout=out)
    return json.loads(out.getvalue())


def test_command_scores_the_engine_on_the_staffs_decisions(
    tea_demand, offers, rep_jp, enterprise_bn
):
    tea_line, heat_pump, pcb, _tungsten = offers
    _decide(tea_demand, tea_line, Status.INTRODUCED)
    _decide(tea_demand, heat_pump, Status.SHORTLISTED)
    _decide(tea_demand, pcb, Status.REJECTED)
    archived = make_offer(
        rep_jp.organization,
        title="Old tea roaster",
        summary="Roasting green tea.",
        status=Offer.Status.ARCHIVED,
    )
    _decide(tea_demand, archived, Status.SHORTLISTED)  # cannot be ranked: left out
    other = make_demand(
        enterprise_bn.organization, title="Robot hàn mạch", problem="Cần robot hàn."
    )
    _decide(other, pcb, Status.REJECTED)  # no kept pair: not a judged demand
    _decide(other, tea_line, Status.PROPOSED)  # nobody judged it

    result = _evaluate()

    # Both tea offers come before the PCB robot: the order staff chose (nDCG@10 1), and both
    # kept pairs are in the top 20 (Recall@20 1).
    assert {k: result[k] for k in ("source", "demands", "labels", "ndcg@10", "recall@20")} == {
        "source": "decisions",
        "demands": 1,
        "labels": 3,
        "ndcg@10": 1.0,
        "recall@20": 1.0,
    }
    assert set(result) == {
        "engine",
        "source",
        "demands",
        "labels",
        "ndcg@10",
        "recall@20",
        "seconds",
    }
    assert result["engine"].startswith("hybrid")


def test_command_says_when_staff_disagree_with_the_ranking(tea_demand, offers):
    tea_line, _heat_pump, pcb, _tungsten = offers
    _decide(tea_demand, tea_line, Status.REJECTED)
    _decide(tea_demand, pcb, Status.AGREEMENT)
    result = _evaluate()
    # The engine puts the rejected tea line above the PCB robot staff kept: condensed list
    # tea line (0), PCB (3): nDCG@10 = (7 / log2 3) / 7 = 0.6309; the PCB is still in the top 20.
    assert (result["demands"], result["ndcg@10"], result["recall@20"]) == (1, 0.6309, 1.0)


def test_command_wants_a_directory_or_the_flag():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("evaluate_matching")
    with pytest.raises(CommandError):
        call_command("evaluate_matching", "--from-decisions", "--engine", "lexical")


def _judged_demands(enterprise, offers, count):
    tea_line, _heat_pump, pcb, _tungsten = offers
    demands = []
    for i in range(count):
        demand = make_demand(
            enterprise.organization, **{**TEA_DEMAND, "title": f"{TEA_DEMAND['title']} ({i})"}
        )
        _decide(demand, tea_line, Status.SHORTLISTED)
        _decide(demand, pcb, Status.REJECTED)
        demands.append(demand)
    return demands


def test_with_too_few_decisions_the_page_says_so_and_proposes_nothing(
    client, coordinator, enterprise_tn, offers, django_capture_on_commit_callbacks
):
    _judged_demands(enterprise_tn, offers, 3)
    client.force_login(coordinator)
    page = client.get(reverse("matching:settings")).content.decode()
    assert 'id="too-few-decisions"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("matching:weights_fit"))
    proposal = WeightsProposal.objects.get()
    assert (proposal.state, proposal.enough, proposal.demands) == (
        WeightsProposal.State.DONE,
        False,
        3,
    )
    page = client.get(reverse("matching:settings")).content.decode()
    assert 'id="no-proposal"' in page
    assert "<strong>1,000</strong>" in page  # nDCG@10 and Recall@20 of the weights in place
    assert reverse("matching:weights_apply", args=[proposal.pk]) not in page


def test_coordinator_fits_weights_on_the_decisions_and_sees_the_held_back_check(
    client, coordinator, enterprise_tn, offers, django_capture_on_commit_callbacks
):
    _judged_demands(enterprise_tn, offers, 10)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:weights_fit"))
    assert response.status_code == 302
    proposal = WeightsProposal.objects.get()
    assert (proposal.state, proposal.enough, proposal.demands, proposal.labels) == (
        WeightsProposal.State.DONE,
        True,
        10,
        20,
    )
    assert proposal.figures["current"]["held"]["demands"] == 3
    assert proposal.figures["proposed"]["fit"]["demands"] == 7
    page = client.get(reverse("matching:settings")).content.decode()
    assert 'id="held-back-check"' in page
    assert 'id="too-few-decisions"' not in page
    # Computing again (a re-delivered message) changes nothing.
    before = WeightsProposal.objects.values().get()
    decisions.weights_proposal_compute(proposal_id=proposal.pk)
    assert WeightsProposal.objects.values().get() == before


def _proposal(**overrides):
    values = {
        "state": WeightsProposal.State.DONE,
        "enough": True,
        "demands": 12,
        "labels": 31,
        "based_on_version": 0,
        "weights": {
            "structured": 0.65,
            "field": 1.0,
            "lexical": 0.1,
            "trl": 1.0,
            "cooperation": 1.0,
            "country": 0.5,
        },
        "figures": {
            "current": {
                name: {"demands": n, "labels": 2 * n, "ndcg@10": 0.61, "recall@20": 0.8}
                for name, n in (("all", 12), ("fit", 8), ("held", 4))
            },
            "proposed": {
                name: {"demands": n, "labels": 2 * n, "ndcg@10": 0.74, "recall@20": 0.9}
                for name, n in (("fit", 8), ("held", 4))
            },
        },
    }
    return WeightsProposal.objects.create(**{**values, **overrides})


def test_coordinator_applies_the_proposal_in_one_click_as_a_new_version(client, coordinator):
    EngineSettings.objects.create(version=1, weights={"expired_factor": 0.25, "field": 3.0})
    proposal = _proposal(based_on_version=1)
    client.force_login(coordinator)
    page = client.get(reverse("matching:settings")).content.decode()
    assert "<td>0,740</td>" in page and "<td>0,610</td>" in page  # nDCG@10 held back
    apply_url = reverse("matching:weights_apply", args=[proposal.pk])
    assert apply_url in page

    # The note is written in the coordinator's language: read it in English.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(apply_url)

    assert response.status_code == 302
    row = EngineSettings.objects.order_by("-version").first()
    assert row.version == 2
    assert row.weights == {"expired_factor": 0.25, **proposal.weights}
    assert row.note == "fitted on 31 decisions"
    assert row.updated_by == coordinator
    proposal.refresh_from_db()
    assert proposal.applied_version == 2
    # A second click finds it applied: no third version.
    client.post(apply_url)
    assert EngineSettings.objects.count() == 2


def test_a_proposal_fitted_on_older_weights_or_worse_held_back_is_not_applied(client, coordinator):
    EngineSettings.objects.create(version=3, weights={})
    stale = _proposal(based_on_version=2)
    client.force_login(coordinator)
    client.post(reverse("matching:weights_apply", args=[stale.pk]))
    worse = _proposal(based_on_version=3)
    worse.figures["proposed"]["held"]["ndcg@10"] = 0.5
    worse.save()
    page = client.get(reverse("matching:settings")).content.decode()
    assert 'id="proposal-refused"' in page
    assert reverse("matching:weights_apply", args=[worse.pk]) not in page
    client.post(reverse("matching:weights_apply", args=[worse.pk]))
    assert EngineSettings.objects.count() == 1


@pytest.mark.parametrize("who", CAST)
def test_only_coordinators_fit_or_apply_weights(client, cast, who):
    proposal = _proposal()
    if who != "anonymous":
        client.force_login(cast(who))
    fit = client.post(reverse("matching:weights_fit"))
    apply = client.post(reverse("matching:weights_apply", args=[proposal.pk]))
    if who == "anonymous":
        assert (fit.status_code, apply.status_code) == (302, 302)
        assert reverse("accounts:login") in apply["Location"]
    elif who in ("coordinator", "superuser"):
        assert (fit.status_code, apply.status_code) == (302, 302)
    else:
        assert (fit.status_code, apply.status_code) == (404, 404)
    allowed = who in ("coordinator", "superuser")
    assert EngineSettings.objects.exists() == allowed
    assert WeightsProposal.objects.count() == (2 if allowed else 1)


@pytest.mark.parametrize("who", CAST)
def test_get_on_the_apply_url_does_nothing(client, cast, who):
    proposal = _proposal()
    if who != "anonymous":
        client.force_login(cast(who))
    response = client.get(reverse("matching:weights_apply", args=[proposal.pk]))
    assert response.status_code == (302 if who == "anonymous" else 405)
    assert not EngineSettings.objects.exists()
    proposal.refresh_from_db()
    assert proposal.applied_version is None


def test_one_fit_at_a_time_but_a_lost_one_does_not_block_the_next(client, coordinator):
    from datetime import timedelta

    from django.utils import timezone

    running = _proposal(state=WeightsProposal.State.RUNNING)
    client.force_login(coordinator)
    fit_url = reverse("matching:weights_fit")
    assert fit_url not in client.get(reverse("matching:settings")).content.decode()
    client.post(fit_url)
    assert WeightsProposal.objects.count() == 1  # the running fit answers for both clicks
    WeightsProposal.objects.filter(pk=running.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert fit_url in client.get(reverse("matching:settings")).content.decode()
    client.post(fit_url)
    assert WeightsProposal.objects.count() == 2
