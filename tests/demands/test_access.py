"""Who sees which demand, and whose name, through detail, list, search and export."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demands.models import Demand
from tests.conftest import CAST

S = Demand.Status
FIRM = "Chè Tân Cương"  # enterprise_tn's firm
INSIDERS = {"enterprise_tn", "staff_tn", "coordinator", "superuser"}
SIGNED_IN = [name for name in CAST if name not in ("anonymous", "pending_enterprise_tn")]


def expected(name, status, visibility):
    """(sees the demand, sees the firm's identity) for a cast member."""
    if name in ("anonymous", "pending_enterprise_tn"):
        return False, False
    if name == "enterprise_tn":
        return True, True
    if name in INSIDERS and status != S.DRAFT:
        return True, True
    listed = status in Demand.LISTED_STATUSES and visibility != "confidential"
    return listed, listed and visibility == "public"


CASES = [
    (s, v)
    for s in (S.DRAFT, S.SUBMITTED, S.PUBLISHED, S.CLOSED)
    for v in ("public", "anonymised", "confidential")
]


def client_for(client, cast, name):
    if name != "anonymous":
        client.force_login(cast(name))
    return client


def list_query(name):
    # The firm's own list and a province's list are the defaults; others browse the published.
    return "?scope=published" if name in ("enterprise_bn", "staff_bn") else "?"


@pytest.mark.django_db
@pytest.mark.parametrize("name", CAST)
@pytest.mark.parametrize(("status", "visibility"), CASES)
def test_detail(name, status, visibility, make_demand, client, cast):
    demand = make_demand(status=status, visibility=visibility)
    response = client_for(client, cast, name).get(demand.get_absolute_url())
    sees, identity = expected(name, status, visibility)
    if name == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == (200 if sees else 404)
    if sees:
        html = response.content.decode()
        assert demand.title in html
        assert (FIRM in html) == identity
        assert (demand.organization.contact_email in html) == identity


@pytest.mark.django_db
@pytest.mark.parametrize("name", SIGNED_IN)
@pytest.mark.parametrize(("status", "visibility"), CASES)
def test_list_search_and_export(name, status, visibility, make_demand, client, cast):
    demand = make_demand(status=status, visibility=visibility, title="Máy sấy chè bơm nhiệt")
    client = client_for(client, cast, name)
    sees, identity = expected(name, status, visibility)
    base = list_query(name)
    for url in (reverse("demands:list") + base, reverse("demands:list") + base + "&q=SAY+CHE"):
        html = client.get(url).content.decode()
        assert (demand.title in html) == sees, url
        assert (FIRM in html) == (sees and identity), url
    exported = client.get(
        reverse("demands:export", args=["csv"]) + base + "&q=may say"
    ).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    titles = [row[1] for row in rows[1:]]
    assert (demand.title in titles) == sees
    assert (FIRM in exported) == (sees and identity)
    assert (demand.organization.contact_email in exported) == (sees and identity)


@pytest.mark.django_db
def test_search_does_not_find_an_anonymised_demand_by_its_firm(make_demand, client, rep_jp):
    demand = make_demand(status=S.PUBLISHED, visibility="anonymised")
    client.force_login(rep_jp)
    assert demand.title in client.get(reverse("demands:list")).content.decode()
    assert demand.title not in client.get(reverse("demands:list") + "?q=Tân Cương").content.decode()


@pytest.mark.django_db
def test_search_ignores_accents_and_case(make_demand, client, enterprise_tn):
    tea = make_demand(title="Chè Shan tuyết cổ thụ")
    other = make_demand(
        title="Khuôn mẫu chính xác",
        problem="Gia công khuôn ép nhựa",
        keywords="khuôn",
        current_situation="Máy phay cũ",
        expected_result="Sai số dưới 0,01 mm",
    )
    client.force_login(enterprise_tn)
    for query in ("che", "CHE SHAN", "chè", "shan tuyet"):
        html = client.get(reverse("demands:list"), {"q": query}).content.decode()
        assert tea.title in html and other.title not in html, query


@pytest.mark.django_db
def test_search_on_postgresql_uses_the_folded_column(make_demand, enterprise_tn):
    from demands.selectors import demand_list_visible_to, demand_search

    assert connection.vendor == "postgresql"
    tea = make_demand(title="Chè Shan tuyết")
    found = demand_search(demand_list_visible_to(enterprise_tn), "Che shan")
    assert list(found) == [tea]


@pytest.mark.django_db
def test_campaign_filter_lists_only_own_campaigns(client, staff_tn, thai_nguyen, bac_ninh):
    from tests.demands.factories import CampaignFactory

    own = CampaignFactory(province=thai_nguyen, name="Khảo sát Thái Nguyên")
    other = CampaignFactory(province=bac_ninh, name="Khảo sát Bắc Ninh")
    client.force_login(staff_tn)
    html = client.get(reverse("demands:list")).content.decode()
    assert own.name in html and other.name not in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["enterprise_tn", "staff_tn", "rep_jp", "coordinator"])
def test_list_costs_the_same_queries_for_3_or_30_rows(
    name, make_demand, client, cast, django_assert_max_num_queries
):
    def make(n):
        for i in range(n):
            demand = make_demand(
                status=S.PUBLISHED,
                visibility=["public", "anonymised"][i % 2],
                fields=["2.11", "4.01"],
            )
            demand.cooperation.set(["training", "consulting"])

    client.force_login(cast(name))
    url = reverse("demands:list")
    make(3)
    client.get(url)  # warm the session and reference data
    with CaptureQueriesContext(connection) as three:
        assert client.get(url).status_code == 200
    make(27)
    with django_assert_max_num_queries(len(three)):
        response = client.get(url)
    assert response.status_code == 200 and len(response.context["page"]) == 25
    with django_assert_max_num_queries(len(three)):
        assert client.get(reverse("demands:export", args=["xlsx"])).status_code == 200


@pytest.mark.django_db
def test_dashboards_show_the_demands(
    make_demand, client, enterprise_tn, staff_tn, django_assert_max_num_queries
):
    draft = make_demand(status=S.DRAFT, title="Bản nháp của tôi")
    submitted = make_demand(status=S.SUBMITTED, title="Chờ duyệt")
    client.force_login(enterprise_tn)
    html = client.get(reverse("insights:dashboard_enterprise")).content.decode()
    assert draft.title in html and submitted.title in html and reverse("demands:create") in html
    client.force_login(staff_tn)
    # 18: the session is read from the database on each request (no cache-only sessions: a
    # cache outage must not sign people out or revive deleted sessions); this first visit
    # computes the province's kept figures (insights/snapshots.py); the top bar counts unread
    # messages
    with django_assert_max_num_queries(18):
        html = client.get(reverse("insights:dashboard_staff")).content.decode()
    assert submitted.title in html and draft.title not in html
    assert reverse("accounts:pending") in html
