"""The review queue's demand filter: a typed field with suggestions, never a <select> of every
demand of the province. The suggestions (JSON) name only demands of the user's queue."""

import pytest
from django.urls import reverse

from demands.models import Demand
from matching.models import Match

from ..conftest import CAST
from .conftest import OFFERS, TEA_DEMAND, make_demand, make_offer

SUGGEST = "connections:review_demands"


@pytest.fixture
def queue(tea_demand, enterprise_tn, enterprise_bn, rep_jp):
    """Two demands with pairs in Thái Nguyên, one in Bắc Ninh, one closed and one unmatched."""
    offers = [make_offer(rep_jp.organization, **spec) for spec in OFFERS]
    pcb = make_demand(
        enterprise_tn.organization,
        title="Dây chuyền lắp ráp bảng mạch điện tử",
        problem="Cần robot gắn linh kiện lên bảng mạch in.",
    )
    closed = make_demand(
        enterprise_tn.organization,
        title="Chè đen lên men",
        problem="Chè đen.",
        status=Demand.Status.CLOSED,
    )
    unmatched = make_demand(
        enterprise_tn.organization, title="Chè ô long không có cặp", problem="Chè ô long."
    )
    mould = make_demand(
        enterprise_bn.organization, title="Chè khuôn mẫu Bắc Ninh", problem="Khuôn mẫu chè."
    )
    for i, demand in enumerate([tea_demand, pcb, closed, mould]):
        for j, offer in enumerate(offers):
            Match.objects.create(
                demand=demand, offer=offer, score=0.9 - i / 50 - j / 20, engine_version="t"
            )
    return {"tea": tea_demand, "pcb": pcb, "closed": closed, "unmatched": unmatched, "bn": mould}


def suggested(client, text) -> list[int]:
    response = client.get(reverse(SUGGEST), {"q": text})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("who", CAST)
def test_review_demand_suggestions_per_role(client, cast, who, queue):
    """Only the queue's staff get suggestions, and only of their own queue."""
    if who != "anonymous":
        client.force_login(cast(who))
    response = client.get(reverse(SUGGEST), {"q": "chè"})
    if who == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    elif who == "staff_tn":
        assert suggested(client, "chè") == [queue["tea"].pk]  # not the closed nor the unmatched
        assert suggested(client, f"#{queue['pcb'].pk}") == [queue["pcb"].pk]
    elif who == "staff_bn":
        assert suggested(client, "chè") == [queue["bn"].pk]
        assert suggested(client, f"#{queue['tea'].pk}") == []
        assert suggested(client, str(queue["tea"].pk)) == []
    else:  # parties and national units have no review queue
        assert response.status_code == 404


def test_review_demand_suggestions_fold_accents_and_read_references(client, staff_tn, queue):
    client.force_login(staff_tn)
    tea = queue["tea"]
    assert suggested(client, "che xanh") == [tea.pk]
    assert suggested(client, "CHÈ XANH chất") == [tea.pk]
    assert suggested(client, "bang mach") == [queue["pcb"].pk]
    assert suggested(client, "bang ach") == []  # words from their start, not inside a word
    assert suggested(client, "   ") == []
    rows = client.get(reverse(SUGGEST), {"q": f"#{tea.pk}"}).json()["results"]
    assert rows == [{"id": tea.pk, "value": f"#{tea.pk} {tea.title}", "label": tea.title}]


def queue_demands(client, **params) -> set[int]:
    response = client.get(reverse("connections:review"), {"score_min": "0", **params})
    assert response.status_code == 200
    return {match.demand_id for match in response.context["matches"]}


def test_review_queue_page_has_a_typed_demand_field_not_a_select(client, staff_tn, queue):
    client.force_login(staff_tn)
    page = client.get(reverse("connections:review")).content.decode()
    assert '<select name="demand"' not in page
    assert 'name="demand"' in page and f'data-suggest="{reverse(SUGGEST)}"' in page
    assert "js/suggest.js" in page
    rows = page.count('<tr id="match-')
    assert rows > 0 and page.count('<select name="reason"') == rows + 1  # each row's, the bulk's


def test_review_queue_filters_by_typed_demand_without_javascript(client, staff_tn, queue):
    client.force_login(staff_tn)
    tea, pcb = queue["tea"], queue["pcb"]
    assert queue_demands(client) == {tea.pk, pcb.pk}
    assert queue_demands(client, demand="che xanh") == {tea.pk}  # words, accents or not
    assert queue_demands(client, demand="Bảng mạch") == {pcb.pk}
    assert queue_demands(client, demand=f"#{pcb.pk}") == {pcb.pk}  # a reference
    assert queue_demands(client, demand=str(pcb.pk)) == {pcb.pk}
    assert queue_demands(client, demand="chè") == {tea.pk}  # words matching several: all of them


def test_review_queue_filters_by_a_chosen_suggestion(client, staff_tn, queue):
    """With JavaScript the field holds the suggestion's value: "#id title"."""
    client.force_login(staff_tn)
    tea = queue["tea"]
    value = client.get(reverse(SUGGEST), {"q": "che xanh"}).json()["results"][0]["value"]
    assert queue_demands(client, demand=value) == {tea.pk}
    response = client.get(reverse("connections:review"), {"demand": value})
    assert f'value="{value}"' in response.content.decode()  # the field keeps what was chosen


def test_review_queue_says_when_the_typed_demand_names_nothing(
    client, in_english, staff_tn, staff_bn, queue
):
    client.force_login(staff_bn)
    response = client.get(reverse("connections:review"), {"demand": f"#{queue['tea'].pk}"})
    assert list(response.context["matches"]) == []  # another province's demand: nothing leaks
    assert "No demand of your queue matches" in response.content.decode()
    client.force_login(staff_tn)
    response = client.get(reverse("connections:review"), {"demand": "xyz không có"})
    assert list(response.context["matches"]) == []
    assert response.context["demand_unknown"] == "xyz không có"
    assert queue_demands(client, demand=TEA_DEMAND["title"]) == {queue["tea"].pk}
