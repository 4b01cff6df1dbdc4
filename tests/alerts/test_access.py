"""Who reaches which saved-search page: every role in the cast, and the mail's unsubscribe
link, which needs no sign-in but a token nobody can forge."""

import pytest
from django.core import signing
from django.urls import reverse

from alerts import services
from alerts.models import SavedSearch
from tests.conftest import CAST

pytestmark = pytest.mark.django_db

SAVERS = [
    "enterprise_tn",
    "enterprise_bn",
    "staff_tn",
    "staff_bn",
    "rep_jp",
    "rep_de",
    "coordinator",
    "superuser",
]


def login(client, user):
    if not user.is_anonymous:
        client.force_login(user)
    return client


@pytest.fixture
def tea_search(enterprise_tn):
    return services.saved_search_create(
        user=enterprise_tn, target="offers", query="q=sấy", name="sấy", frequency="daily"
    )


@pytest.mark.parametrize("name", CAST)
def test_my_saved_searches_page_is_for_roles_that_save(client, cast, name):
    login(client, cast(name))
    for url in (reverse("alerts:list"), reverse("alerts:create") + "?target=offers&query=q%3Ds"):
        response = client.get(url)
        if name == "anonymous":
            assert response.status_code == 302
            assert reverse("accounts:login") in response["Location"]
        elif name == "pending_enterprise_tn":
            assert response.status_code == 404
        else:
            assert response.status_code == 200, url


@pytest.mark.parametrize(
    "name", [n for n in CAST if n != "enterprise_tn"] + ["enterprise_tn_colleague"]
)
def test_nobody_else_opens_changes_or_deletes_a_saved_search(
    client, cast, request, name, tea_search
):
    user = request.getfixturevalue(name) if name == "enterprise_tn_colleague" else cast(name)
    login(client, user)
    detail = reverse("alerts:detail", args=[tea_search.pk])
    expected = 302 if name == "anonymous" else 404
    assert client.get(detail).status_code == expected
    change = {"name": "taken", "frequency": "instant", "is_active": ""}
    assert client.post(detail, change).status_code == expected
    assert client.post(reverse("alerts:delete", args=[tea_search.pk])).status_code == expected
    tea_search.refresh_from_db()
    assert (tea_search.name, tea_search.frequency, tea_search.is_active) == ("sấy", "daily", True)
    if name != "anonymous":
        assert "sấy" not in client.get(reverse("alerts:list")).content.decode()


def test_the_owner_renames_changes_the_frequency_and_deletes(client, enterprise_tn, tea_search):
    client.force_login(enterprise_tn)
    detail = reverse("alerts:detail", args=[tea_search.pk])
    assert "sấy" in client.get(reverse("alerts:list")).content.decode()
    response = client.post(detail, {"name": "Máy sấy", "frequency": "weekly", "is_active": "on"})
    assert response.status_code == 302
    tea_search.refresh_from_db()
    assert (tea_search.name, tea_search.frequency) == ("Máy sấy", "weekly")
    client.post(reverse("alerts:delete", args=[tea_search.pk]))
    assert not SavedSearch.objects.filter(pk=tea_search.pk).exists()


def test_saving_from_the_catalogue_keeps_the_filters_and_refuses_bad_ones(client, enterprise_tn):
    client.force_login(enterprise_tn)
    catalog = client.get(reverse("offers:catalog") + "?q=sấy&trl_min=5").content.decode()
    assert "Save this search" in catalog or "Lưu tìm kiếm này" in catalog
    assert "query=q%3Ds%25E1%25BA%25A5y%26trl_min%3D5" in catalog
    form = {"target": "offers", "query": "q=sấy&trl_min=5", "name": "Sấy", "frequency": "daily"}
    response = client.post(reverse("alerts:create"), form)
    assert response.status_code == 302
    assert response["Location"] == "/offers/?q=s%E1%BA%A5y&trl_min=5"
    bad = client.post(reverse("alerts:create"), {**form, "query": "field=9.99", "name": "Giữ tên"})
    assert bad.status_code == 200
    assert "Giữ tên" in bad.content.decode()  # what was typed stays
    assert SavedSearch.objects.filter(user=enterprise_tn).count() == 1


@pytest.mark.parametrize("name", SAVERS)
def test_follow_this_field_is_one_click_on_the_list_filtered_by_a_field(client, cast, name):
    user = cast(name)
    client.force_login(user)
    catalog = client.get(reverse("offers:catalog") + "?field=2.03").content.decode()
    assert reverse("alerts:follow_field") in catalog
    for _twice in range(2):
        response = client.post(
            reverse("alerts:follow_field"), {"field": "2.03", "target": "offers"}
        )
        assert response.status_code == 302
    (saved,) = SavedSearch.objects.filter(user=user)
    assert (saved.query, saved.frequency, saved.target) == ("field=2.03", "daily", "offers")


def test_the_demand_list_offers_to_save_its_search(client, rep_jp):
    client.force_login(rep_jp)
    page = client.get(reverse("demands:list") + "?q=chè").content.decode()
    assert reverse("alerts:create") + "?target=demands" in page


def test_unsubscribe_needs_no_sign_in(client, tea_search):
    url = reverse("alerts:unsubscribe", args=[services.unsubscribe_token(tea_search)])
    page = client.get(url)  # a mail scanner's visit changes nothing
    assert page.status_code == 200
    tea_search.refresh_from_db()
    assert tea_search.is_active
    assert client.post(url).status_code == 200  # no CSRF token: RFC 8058's one-click POST
    tea_search.refresh_from_db()
    assert not tea_search.is_active


def _forged_tokens(tea_search, other):
    good = services.unsubscribe_token(other)
    return [
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),  # altered signature
        signing.dumps({"s": tea_search.pk, "u": tea_search.user_id}, salt="another.salt"),
        signing.dumps(
            {"s": tea_search.pk, "u": tea_search.user_id},
            key="guessed-secret",
            salt=services.UNSUBSCRIBE_SALT,
        ),
        signing.dumps({"s": tea_search.pk, "u": other.user_id}, salt=services.UNSUBSCRIBE_SALT),
        "not-a-token",
    ]


@pytest.mark.parametrize("name", CAST)
def test_a_forged_unsubscribe_token_changes_nothing_for_any_role(
    client, cast, name, tea_search, enterprise_bn
):
    other = services.saved_search_create(
        user=enterprise_bn, target="offers", query="q=chè", name="chè"
    )
    login(client, cast(name))
    for token in _forged_tokens(tea_search, other):
        url = reverse("alerts:unsubscribe", args=[token])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    tea_search.refresh_from_db()
    other.refresh_from_db()
    assert tea_search.is_active and other.is_active


def test_my_saved_searches_costs_the_same_queries_for_many_searches(
    client, enterprise_tn, django_assert_max_num_queries
):
    for n in range(12):
        services.saved_search_create(
            user=enterprise_tn, target="offers", query=f"q=chè{n}", name=f"chè {n}"
        )
    client.force_login(enterprise_tn)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("alerts:list"))
    html = page.content.decode()
    assert all(f"chè {n}<" in html for n in range(12))
