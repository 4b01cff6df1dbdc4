"""Dashboard figures against the world of tests/insights/conftest.py, whose counts are known."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demands.models import Demand
from insights import dashboards
from matching.models import Match

from ..matching.conftest import make_demand, make_offer
from .conftest import AGREEMENT_VALUE, connect, publish

pytestmark = pytest.mark.django_db

TN_FUNNEL = {
    "published": 5,
    "matched": 4,
    "introduced": 3,
    "consented": 3,
    "meeting": 2,
    "agreement": 1,
}
ALL_FUNNEL = {
    "published": 7,
    "matched": 5,
    "introduced": 4,
    "consented": 3,
    "meeting": 2,
    "agreement": 1,
}


def test_staff_figures_cover_their_province_only(world, staff_tn):
    context = dashboards.staff_context(staff_tn)
    assert context["funnel"] == TN_FUNNEL
    assert context["coverage"] == {"published": 5, "answered": 4, "percent": 80.0}
    assert context["matches_awaiting_review"] == 2
    assert context["median_days_to_introduction"] == 20.0
    assert [d.pk for d in context["unanswered"]] == [world.tn_demands[4].pk]
    assert context["unanswered_total"] == 1
    assert [(r["code"], r["n"]) for r in context["by_field"]] == [
        ("2.02", 3),
        ("4.01", 3),
        ("2.05", 1),
    ]
    by_status = {r["status"]: r["n"] for r in context["by_status"]}
    assert by_status["published"] == 5 and by_status["submitted"] == 1
    assert "draft" not in by_status
    response = context["campaign_response"]
    assert (response["invited"], response["responded"], response["rate"]) == (3, 1, 33.3)


def test_staff_of_another_province_sees_theirs(world, staff_bn):
    context = dashboards.staff_context(staff_bn)
    assert context["funnel"] == {
        "published": 2,
        "matched": 1,
        "introduced": 1,
        "consented": 0,
        "meeting": 0,
        "agreement": 0,
    }
    assert context["coverage"]["percent"] == 50.0
    assert context["matches_awaiting_review"] == 0
    assert context["median_days_to_introduction"] == 59.0
    assert [d.pk for d in context["unanswered"]] == [world.bn_demands[1].pk]
    assert context["campaign_response"]["rate"] == 100.0


def test_coordinator_figures_span_every_province(world, coordinator):
    context = dashboards.coordinator_context(coordinator)
    assert context["funnel"] == ALL_FUNNEL
    assert context["coverage"] == {"published": 7, "answered": 5, "percent": 71.4}
    assert context["matches_awaiting_review"] == 2
    assert context["median_days_to_introduction"] == 25.0
    assert context["unanswered_total"] == 2
    assert context["campaign_response"]["rate"] == 50.0
    provinces = {row["province__name_vi"]: row for row in context["provinces"]}
    assert len(provinces) == 2
    tn = next(r for r in context["provinces"] if r["matched"] == 4)
    bn = next(r for r in context["provinces"] if r["matched"] == 1)
    assert {k: tn[k] for k in TN_FUNNEL} == TN_FUNNEL
    assert (tn["coverage"], tn["agreement_value"]) == (80.0, AGREEMENT_VALUE)
    assert (bn["published"], bn["introduced"], bn["agreement"], bn["coverage"]) == (2, 1, 0, 50.0)
    reps = {row["name"]: row for row in context["representations"]}
    assert {
        k: reps["Đại diện tại Nhật Bản"][k]
        for k in ("offers", "introductions", "agreements", "agreement_value")
    } == {"offers": 2, "introductions": 2, "agreements": 1, "agreement_value": AGREEMENT_VALUE}
    assert {k: reps["Đại diện tại Đức"][k] for k in ("offers", "introductions", "agreements")} == {
        "offers": 1,
        "introductions": 2,
        "agreements": 0,
    }


def test_funnel_counts_a_stage_reached_before_the_match_was_dropped(world, staff_bn):
    from connections.models import MatchEvent

    match = Match.objects.get(pk=next(iter(world.bn_introduced)))
    MatchEvent.objects.create(match=match, from_status="introduced", to_status="consented")
    Match.objects.filter(pk=match.pk).update(status=Match.Status.DROPPED)
    funnel = dashboards.staff_context(staff_bn)["funnel"]
    assert (funnel["introduced"], funnel["consented"], funnel["meeting"]) == (1, 1, 0)


def test_enterprise_sees_the_offers_introduced_to_it(world, enterprise_tn, enterprise_bn):
    context = dashboards.enterprise_context(enterprise_tn)
    assert {m.pk for m in context["introductions"]} == world.tn_introduced
    assert {
        m.pk for m in dashboards.enterprise_context(enterprise_bn)["introductions"]
    } == world.bn_introduced


def test_representative_sees_the_introductions_of_its_offers(world, rep_jp, rep_de):
    jp = dashboards.representative_context(rep_jp)
    assert len(jp["introductions"]) == 2
    assert jp["introduction_counts"] == {"total": 2, "consented": 2, "agreement": 1}
    de = dashboards.representative_context(rep_de)
    assert de["introduction_counts"] == {"total": 2, "consented": 1, "agreement": 0}


@pytest.mark.parametrize("who", ["staff_tn", "coordinator"])
def test_dashboard_page_shows_charts_with_tables_and_report_links(client, cast, world, who):
    client.force_login(cast(who))
    page = "staff" if who == "staff_tn" else "coordinator"
    html = client.get(reverse(f"insights:dashboard_{page}")).content.decode()
    for chart in ("chart_funnel", "chart_fields", "chart_status", "chart_campaigns"):
        assert f'data-chart="{chart}"' in html
        assert f'id="{chart}" type="application/json"' in html
    assert "vendor/chart.js/chart.umd.min.js" in html and "js/dashboard-charts.js" in html
    assert "cdn" not in html.lower()
    assert reverse("insights:report_pipeline") in html
    assert reverse("insights:report_yearly") in html
    assert world.tn_demands[4].get_absolute_url() in html  # unanswered for 90 days


def test_enterprise_and_representative_pages_list_introductions(
    client, world, enterprise_tn, rep_de
):
    client.force_login(enterprise_tn)
    html = client.get(reverse("insights:dashboard_enterprise")).content.decode()
    assert html.count("data-match=") == 3
    client.force_login(rep_de)
    html = client.get(reverse("insights:dashboard_representative")).content.decode()
    assert html.count("data-match=") == 2
    assert "Chè Tân Cương" not in html  # anonymised demands keep the firm's name hidden


def grow(world, enterprise_tn, enterprise_bn, rep_jp):
    """More rows of every kind: a dashboard's number of queries must not follow them."""
    offer = make_offer(rep_jp.organization, title="More", summary="more", fields=("2.05",))
    for org in (enterprise_tn.organization, enterprise_bn.organization):
        for i in range(3):
            demand = publish(
                make_demand(org, title=f"Thêm {i}", problem="x", fields=("2.05", "1.01")), world.now
            )
            connect(demand, offer, 0.6, Match.Status.INTRODUCED, introduced_after=3)
            connect(demand, world.offers[0], 0.5, Match.Status.PROPOSED)
    Demand.objects.filter(title="Thêm 0").update(status=Demand.Status.IN_CONNECTION)


PAGES = [
    ("staff_tn", "staff"),
    ("coordinator", "coordinator"),
    ("enterprise_tn", "enterprise"),
    ("rep_jp", "representative"),
]


@pytest.mark.parametrize(("who", "page"), PAGES)
def test_dashboard_queries_do_not_grow_with_rows(
    client,
    cast,
    world,
    enterprise_tn,
    enterprise_bn,
    rep_jp,
    who,
    page,
    django_assert_max_num_queries,
):
    client.force_login(cast(who))
    url = reverse(f"insights:dashboard_{page}")
    grow(world, enterprise_tn, enterprise_bn, rep_jp)  # every list on the page has rows
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    grow(world, enterprise_tn, enterprise_bn, rep_jp)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(30):
        client.get(url)


# --- what counts as an answer: one rule (matching.selectors.answering) --------------------------


def weak_and_strong(world, enterprise_tn):
    """Two more open Thái Nguyên demands: one whose best pair is just under a likely answer,
    one whose low-scored pair staff shortlisted."""
    from matching.engine.scoring import LIKELY_ANSWER

    weak = publish(make_demand(enterprise_tn.organization, title="Yếu", problem="x"), world.now)
    connect(weak, world.offers[0], LIKELY_ANSWER - 0.01, Match.Status.PROPOSED)
    kept = publish(make_demand(enterprise_tn.organization, title="Giữ", problem="x"), world.now)
    connect(kept, world.offers[1], 0.05, Match.Status.SHORTLISTED)
    return weak, kept


def test_a_weak_top_pair_is_no_answer_and_a_shortlisted_one_is(
    world, enterprise_tn, staff_tn, coordinator
):
    weak_and_strong(world, enterprise_tn)
    context = dashboards.staff_context(staff_tn)
    assert context["coverage"] == {"published": 7, "answered": 5, "percent": 71.4}
    assert context["funnel"]["matched"] == 5
    tn = next(
        r for r in dashboards.coordinator_context(coordinator)["provinces"] if r["published"] == 7
    )
    assert (tn["answered"], tn["coverage"]) == (5, 71.4)


def test_a_rejected_pair_answers_nothing_whatever_its_score(world, staff_tn):
    rejected = Match.objects.get(demand=world.tn_demands[4])
    assert (rejected.status, rejected.score) == (Match.Status.REJECTED, 0.9)
    context = dashboards.staff_context(staff_tn)
    assert world.tn_demands[4].pk in [d.pk for d in context["unanswered"]]


def test_the_yearly_report_counts_answering_offers_by_the_same_rule(
    world, enterprise_tn, thai_nguyen
):
    from insights import figures
    from portal.models import Province

    weak, kept = weak_and_strong(world, enterprise_tn)
    Match.objects.filter(demand=kept).update(demand=weak)  # both pairs on one demand
    rows = figures.yearly_by_province(
        Province.objects.filter(pk=thai_nguyen.pk),
        Demand.objects.all(),
        Match.objects.all(),
        world.now.year,
    )
    assert rows[0]["offers"] == 1  # the shortlisted offer; the weak pair is no answer


def test_coverage_without_open_demands_reads_a_dash(client, world, coordinator):
    from accounts.models import Organization
    from portal.models import Province

    from ..factories import OrganizationFactory, UserFactory

    empty = Province.objects.exclude(pk__in=Demand.objects.values("province_id")).first()
    staff = UserFactory(
        organization=OrganizationFactory(
            kind=Organization.Kind.PROVINCIAL_DEPARTMENT,
            name="Sở KH&CN khác",
            province=empty,
            tax_code="",
        )
    )
    assert dashboards.staff_context(staff)["coverage"] == {
        "published": 0,
        "answered": 0,
        "percent": None,
    }
    client.force_login(staff)
    html = client.get(reverse("insights:dashboard_staff")).content.decode()
    card = html.split('id="stat-coverage"')[1].split("</section>")[0]
    assert "—" in card and "%" not in card
    # a province whose demands are all closed: its coordinator row reads a dash too
    Demand.objects.filter(province=world.bn_demands[0].province).update(status=Demand.Status.CLOSED)
    client.force_login(coordinator)
    html = client.get(reverse("insights:dashboard_coordinator")).content.decode()
    row = html.split(f'data-province="{world.bn_demands[0].province_id}"')[1].split("</tr>")[0]
    assert row.rstrip().endswith("—</span></td>")
