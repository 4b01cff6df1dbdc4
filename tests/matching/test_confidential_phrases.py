"""A confidential demand's words never reach those who may not see the demand: not through the
key phrases of a match, not through search by meaning."""

import pytest
from django.urls import reverse

from matching import services
from matching.models import Match

pytestmark = pytest.mark.django_db

PHRASE = "kiểm soát nhiệt độ"  # in the tea demand's text, paired with the English line's words


@pytest.fixture
def introduced_confidential(tea_demand, offers):
    tea_demand.visibility = "confidential"
    tea_demand.save()
    services.match_demand(demand_id=tea_demand.id)
    match = Match.objects.get(demand=tea_demand, offer__title="Automated green tea processing line")
    Match.objects.filter(pk=match.pk).update(status=Match.Status.INTRODUCED)
    return match


def test_match_page_keeps_a_confidential_demands_phrases_from_the_representative(
    client, introduced_confidential, rep_jp, staff_tn
):
    url = reverse("connections:detail", args=[introduced_confidential.pk])
    client.force_login(staff_tn)  # staff of the province may read the demand: phrases shown
    assert PHRASE in client.get(url).content.decode()
    client.force_login(rep_jp)
    response = client.get(url)
    assert response.status_code == 200  # introduced: the representative may see the pair
    assert PHRASE not in response.content.decode()


def test_search_by_meaning_does_not_reveal_which_offers_were_paired(
    client, tea_demand, offers, enterprise_tn, staff_tn
):
    # A word only the firm's own demand holds: the offers the engine paired with that demand
    # (proposals the firm may not see) must not come back as "found by meaning".
    tea_demand.problem += " Mã nội bộ zorblax."
    tea_demand.save()
    services.match_demand(demand_id=tea_demand.id)
    client.force_login(enterprise_tn)
    before = client.get(reverse("offers:catalog"), {"q": "zorblax"}).context["page"].object_list
    pair = Match.objects.filter(demand=tea_demand).order_by("-score").first()
    Match.objects.filter(pk=pair.pk).update(status=Match.Status.REJECTED)
    after = client.get(reverse("offers:catalog"), {"q": "zorblax"}).context["page"].object_list
    assert [o.pk for o in before] == [o.pk for o in after] == []


def test_a_representative_sees_its_offers_pairs_only_once_staff_act(
    client, tea_demand, offers, rep_jp, staff_tn
):
    services.match_demand(demand_id=tea_demand.id)
    line = Match.objects.get(demand=tea_demand, offer__title="Automated green tea processing line")
    client.force_login(rep_jp)
    page = client.get(line.offer.get_absolute_url())
    assert tea_demand.title not in page.content.decode()  # a raw proposal: not yet
    assert (
        "shortlist or introduce" in page.content.decode()
        or "chọn sơ bộ hoặc giới thiệu" in page.content.decode()
    )
    Match.objects.filter(pk=line.pk).update(status=Match.Status.SHORTLISTED)
    assert tea_demand.title in client.get(line.offer.get_absolute_url()).content.decode()
