"""The firm follows its published demand's matching: how many candidate offers the provincial
staff are reviewing and when it was last matched, as counts only, never an offer's title or
representation before staff introduce it (issue 15, section 5)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from demands.models import Demand
from matching import selectors
from matching.engine.scoring import LIKELY_ANSWER
from matching.models import Embedding, Match, MatchedRecord

from .conftest import make_offer

S = Match.Status
PROGRESS = re.compile(r'<p class="status-line" id="matching-progress"[^>]*>(.*?)</p>', re.S)


@pytest.fixture
def matched(tea_demand, rep_jp, rep_de):
    """Seven pairs: two shortlisted and three likely proposals under review, a weak
    proposal, a rejected pair, and one introduced (the firm sees that one)."""
    statuses = [
        (S.SHORTLISTED, 0.5),
        (S.SHORTLISTED, 0.3),
        (S.PROPOSED, 0.9),
        (S.PROPOSED, LIKELY_ANSWER),
        (S.PROPOSED, 0.8),
        (S.PROPOSED, LIKELY_ANSWER / 2),  # weakly related: not in the queue's default
        (S.REJECTED, 0.85),
        (S.INTRODUCED, 0.95),
    ]
    matches = []
    for i, (status, score) in enumerate(statuses):
        rep = rep_jp if i % 2 else rep_de
        offer = make_offer(rep.organization, title=f"Secret tea line {i}", summary="tea")
        matches.append(
            Match.objects.create(
                demand=tea_demand,
                offer=offer,
                score=score,
                engine_version="t",
                status=status,
                introduced_at=timezone.now() if status == S.INTRODUCED else None,
            )
        )
    MatchedRecord.objects.create(
        kind=Embedding.Kind.DEMAND,
        object_id=tea_demand.pk,
        engine_version="t",
        matched_at=datetime.datetime(2026, 12, 3, 8, 30, tzinfo=datetime.UTC),
    )
    return matches


def progress_line(client, user, demand) -> tuple[int, str | None, str]:
    client.force_login(user)
    response = client.get(reverse("demands:detail", args=[demand.pk]))
    if response.status_code != 200:
        return response.status_code, None, ""
    page = response.content.decode()
    found = PROGRESS.search(page)
    return 200, (" ".join(found.group(1).split()) if found else None), page


@pytest.mark.parametrize("who", ["enterprise_tn", "enterprise_tn_colleague"])
def test_firm_sees_how_many_candidates_are_reviewed_without_names(
    client, in_english, cast, who, matched
):
    status, line, page = progress_line(client, cast(who), matched[0].demand)
    assert status == 200 and line is not None
    assert " 5 candidate technologies are being reviewed" in line
    assert "Last matched 3 Dec 2026" in line  # the English reader's date format
    # Only the introduced offer is named on the page; the candidates' titles and their
    # representations never are.
    assert "Secret tea line 7" in page
    for match in matched[:7]:
        assert match.offer.title not in page
    assert "Đại diện tại" not in page


def test_firm_sees_matching_in_progress_before_any_candidate(
    client, in_english, enterprise_tn, tea_demand
):
    _, line, page = progress_line(client, enterprise_tn, tea_demand)
    assert line is not None and "no candidate technology yet" in line
    assert "The first matching runs shortly after publishing." in line
    assert "No offer is matched yet" not in page  # the staff's empty panel says otherwise
    MatchedRecord.objects.create(
        kind=Embedding.Kind.DEMAND,
        object_id=tea_demand.pk,
        engine_version="t",
        matched_at=timezone.now(),
    )
    _, line, _ = progress_line(client, enterprise_tn, tea_demand)
    assert "no candidate technology yet" in line and "Last matched" in line


@pytest.mark.parametrize("who", ["enterprise_bn", "rep_jp", "rep_de", "staff_tn", "staff_bn"])
def test_others_never_see_the_count(client, cast, who, matched):
    status, line, page = progress_line(client, cast(who), matched[0].demand)
    assert status in (200, 404) and line is None
    assert "candidate technolog" not in page


def test_anonymous_is_sent_to_sign_in(client, matched):
    response = client.get(reverse("demands:detail", args=[matched[0].demand.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (Demand.Status.DRAFT, False),
        (Demand.Status.SUBMITTED, False),
        (Demand.Status.IN_CONNECTION, True),
        (Demand.Status.CLOSED, False),
    ],
)
def test_progress_only_while_the_demand_is_matched(enterprise_tn, matched, status, shown):
    demand = matched[0].demand
    Demand.objects.filter(pk=demand.pk).update(status=status)
    demand.refresh_from_db()
    progress = selectors.demand_matching_progress(user=enterprise_tn, demand=demand)
    assert (progress is not None) is shown


def test_progress_reads_two_queries(enterprise_tn, matched, django_assert_num_queries):
    demand = matched[0].demand
    with django_assert_num_queries(2):
        progress = selectors.demand_matching_progress(user=enterprise_tn, demand=demand)
    assert progress.candidates == 5 and progress.last_matched_at is not None


@pytest.mark.parametrize("who", ["enterprise_bn", "rep_jp", "staff_tn", "coordinator"])
def test_progress_selector_refuses_everyone_else(cast, who, matched):
    demand = matched[0].demand
    assert selectors.demand_matching_progress(user=cast(who), demand=demand) is None
